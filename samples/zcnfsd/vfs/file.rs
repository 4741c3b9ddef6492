// SPDX-License-Identifier: GPL-2.0

//! Operations on an open file ([`kernel::fs::File`]) that the kernel crate
//! does not offer: `vfs_fsync_range` and the directory walk of READDIR.

use kernel::error::to_result;
use kernel::ffi::c_int;
use kernel::fs::File;
use kernel::prelude::*;

// Pointers to opaque kernel structures only.
#[allow(improper_ctypes)]
extern "C" {
    fn zcnfsd_fsync(f: *mut kernel::bindings::file, start: i64, end: i64) -> c_int;
    fn zcnfsd_readdir(
        f: *mut kernel::bindings::file,
        pos: i64,
        buf: *mut u8,
        buflen: u64,
        res: *mut ReaddirRes,
    ) -> c_int;
}

/// Size of `struct zcnfsd_dirent`, the header of a readdir record.
pub(crate) const DIRENT_HEADER: usize = 24;

/// `struct zcnfsd_readdir_res`.
#[repr(C)]
#[derive(Clone, Copy, Default, Debug)]
pub(crate) struct ReaddirRes {
    pub(crate) used: u64,
    pub(crate) next_pos: i64,
    pub(crate) eof: u32,
    pub(crate) pad: u32,
}

/// `vfs_fsync_range` of `[start, end]` (inclusive).
pub(crate) fn fsync(file: &File, start: i64, end: i64) -> Result {
    // SAFETY: `file` is a live file.
    to_result(unsafe { zcnfsd_fsync(file.as_ptr(), start, end) })
}

/// Collects directory entries of `dir` from `pos` into `buf` (records of
/// a [`DIRENT_HEADER`]-byte header and the padded name).
pub(crate) fn readdir(dir: &File, pos: i64, buf: &mut [u8]) -> Result<ReaddirRes> {
    let mut res = ReaddirRes::default();
    // SAFETY: `dir` is a live file; `buf` is writable for its length.
    to_result(unsafe {
        zcnfsd_readdir(
            dir.as_ptr(),
            pos,
            buf.as_mut_ptr(),
            buf.len() as u64,
            &mut res,
        )
    })?;
    Ok(res)
}
