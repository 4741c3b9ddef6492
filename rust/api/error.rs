// SPDX-License-Identifier: GPL-2.0

//! The errno conventions of the C ABI, in one place.
//!
//! The kernel crate converts `int` results back with
//! [`kernel::error::from_result`]; this module has the `int` returns (`0`
//! or `-errno`) as [`Result`]s ([`to_result`], inlined, unlike the kernel
//! crate's: the loan path calls it once per call of the C ABI), the
//! `ssize_t`-style returns (a byte count or `-errno`) and the 64-bit ids of
//! `zcvfs_monitor_install`, used by every module of the project (zcvfs.ko,
//! its providers and its consumers).
#![deny(unsafe_code)]

use kernel::ffi::c_int;
use kernel::prelude::*;

/// A C return of `0` or `-errno` as a [`Result`] (as
/// [`kernel::error::to_result`], inlined).
#[inline]
pub(crate) fn to_result(r: c_int) -> Result {
    if r < 0 {
        Err(Error::from_errno(r))
    } else {
        Ok(())
    }
}

/// A C return of bytes or `-errno` (`ssize_t`) as a [`Result`].
pub(crate) fn from_ssize(r: isize) -> Result<usize> {
    if r < 0 {
        // Errno values fit in an i32; others become `EINVAL` in
        // `from_errno`.
        Err(Error::from_errno(i32::try_from(r).unwrap_or(i32::MIN)))
    } else {
        // Non-negative.
        Ok(r as usize)
    }
}

/// A [`Result`] of bytes as a C `ssize_t` (bytes or `-errno`).
#[cfg(zcvfs_role_core)]
pub(crate) fn to_ssize(r: Result<usize>) -> isize {
    match r {
        // Byte counts of one I/O are below `MAX_RW_COUNT`; saturate anyway.
        Ok(n) => isize::try_from(n).unwrap_or(isize::MAX),
        Err(e) => e.to_errno() as isize,
    }
}

/// A [`Result`] as a C `int` (`0` or `-errno`).
#[cfg(zcvfs_role_core)]
pub(crate) fn to_errno(r: Result) -> c_int {
    match r {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// A C return of a non-negative 64-bit id or `-errno` as a [`Result`].
#[cfg(zcvfs_test_api)]
pub(crate) fn from_id(r: i64) -> Result<i64> {
    if r < 0 {
        Err(Error::from_errno(i32::try_from(r).unwrap_or(i32::MIN)))
    } else {
        Ok(r)
    }
}

/// A [`Result`] of a 64-bit id as a C return (the id or `-errno`).
#[cfg(zcvfs_role_core)]
pub(crate) fn to_id(r: Result<i64>) -> i64 {
    match r {
        Ok(id) => id,
        Err(e) => i64::from(e.to_errno()),
    }
}
