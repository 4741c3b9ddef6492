// SPDX-License-Identifier: GPL-2.0

//! The Rust half of the file and VM operations of `zcfs_vfs.c` that change
//! a file's page cache (`write_iter`, `setattr`, `page_mkwrite`): their
//! copy-on-write decisions, in [`crate::cache`].

use crate::cache;
use crate::folio::LockedFolio;
use crate::inode::Inode;
use kernel::bindings;
use kernel::ffi::c_int;

/// Copy away the folios of `len` bytes at `pos` that must not change in
/// place: 0 or a negative errno.
///
/// # Safety
///
/// `inode` is a live zcfs regular-file inode, locked, with the range's
/// byte-range lock held (exclusive).
#[no_mangle]
pub(crate) unsafe extern "C" fn zcfs_rs_cow_range(
    inode: *mut bindings::inode,
    pos: i64,
    len: i64,
) -> c_int {
    let (Ok(pos), Ok(len)) = (u64::try_from(pos), u64::try_from(len)) else {
        return 0;
    };
    // SAFETY: see the function's safety section.
    let inode = unsafe { Inode::from_raw(inode) };
    match cache::cow_range(inode, pos, len) {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// A write fault on `folio`: 1 if it was copied away (fault again), 0 if
/// it may be written in place, or a negative errno.
///
/// # Safety
///
/// `inode` is a live zcfs regular-file inode; `folio` is a folio of its
/// page cache, locked, on which the fault holds one reference.
#[no_mangle]
pub(crate) unsafe extern "C" fn zcfs_rs_mkwrite_cow(
    inode: *mut bindings::inode,
    folio: *mut bindings::folio,
) -> c_int {
    // SAFETY: see the function's safety section.
    let (inode, folio) = unsafe { (Inode::from_raw(inode), LockedFolio::from_raw(folio)) };
    match cache::cow_for_write_fault(inode, folio) {
        Ok(copied) => c_int::from(copied),
        Err(e) => e.to_errno(),
    }
}
