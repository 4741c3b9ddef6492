// SPDX-License-Identifier: GPL-2.0

//! The VFS calls zcvfs.ko makes on a file: identities (inode, super_block,
//! filesystem type), limits, fsnotify events, truncate, and the normal VFS
//! path of a plain xuio over the caller's segments; and the `bio_vec`
//! segment iterators, copies and zeroing of the C ABI (`zcvfs_bvec_*` in
//! `include/zcvfs/zcvfs.h`, exported by [`crate::ffi_exports`]).

use crate::helpers::{
    zcvfs_helper_copy_from_iter, zcvfs_helper_copy_to_iter, zcvfs_helper_fsnotify_access,
    zcvfs_helper_fsnotify_modify,
};
use crate::module_ref::ModulePtr;
use crate::zcvfs_api::bindings::{RawXuio, UIO_SEG_BVEC};
use crate::zcvfs_api::error::from_ssize;
use crate::zcvfs_api::error::to_result;
use core::mem::MaybeUninit;
use kernel::bindings;
use kernel::ffi::{c_ulong, c_void};
use kernel::fs::File;
use kernel::page::PAGE_SIZE;
use kernel::prelude::*;

/// The file's inode.
fn inode(file: &File) -> *mut bindings::inode {
    // SAFETY: `file` is live; `f_inode` is set at open and never changes
    // (this is `file_inode()`).
    unsafe { (*file.as_ptr()).f_inode }
}

/// The file's super_block, live as long as the file (which pins its mount).
fn super_block(file: &File) -> *mut bindings::super_block {
    // SAFETY: the inode of a live file is live; `i_sb` never changes.
    unsafe { (*inode(file)).i_sb }
}

/// Identity of the file's inode (its address, used as a key only).
pub(crate) fn inode_key(file: &File) -> usize {
    inode(file) as usize
}

/// Identity of the file's super_block (its address, used as a key only).
pub(crate) fn sb_key(file: &File) -> usize {
    super_block(file) as usize
}

/// The file's filesystem type.
pub(crate) fn fs_type(file: &File) -> FsTypeRef {
    // SAFETY: the super_block of a live file is live; `s_type` never
    // changes.
    FsTypeRef(unsafe { (*super_block(file)).s_type })
}

/// The largest offset of the file's filesystem (`s_maxbytes`).
pub(crate) fn maxbytes(file: &File) -> i64 {
    // SAFETY: as in `fs_type`; `s_maxbytes` is set before the mount is
    // visible.
    unsafe { (*super_block(file)).s_maxbytes }
}

/// `FMODE_READ` and `FMODE_WRITE` (macros in C).
const FMODE_READ: u32 = 1 << 0;
const FMODE_WRITE: u32 = 1 << 1;

/// Whether the file was opened for reading and for writing.
pub(crate) fn rw_mode(file: &File) -> (bool, bool) {
    // SAFETY: `file` is live; these bits of `f_mode` are set at open.
    let m = unsafe { (*file.as_ptr()).f_mode };
    (m & FMODE_READ != 0, m & FMODE_WRITE != 0)
}

/// `MAX_RW_COUNT` (a macro in C, `INT_MAX & PAGE_MASK`): the most bytes one
/// read or write may move.
pub(crate) fn max_rw_count() -> usize {
    (i32::MAX as usize) & !(PAGE_SIZE - 1)
}

/// `fsnotify_access(file)`.
pub(crate) fn notify_access(file: &File) {
    // SAFETY: `file` is live.
    unsafe { zcvfs_helper_fsnotify_access(file.as_ptr()) }
}

/// `fsnotify_modify(file)`.
pub(crate) fn notify_modify(file: &File) {
    // SAFETY: `file` is live.
    unsafe { zcvfs_helper_fsnotify_modify(file.as_ptr()) }
}

/// `vfs_truncate` on the file's path.
pub(crate) fn truncate(file: &File, length: i64) -> Result {
    // SAFETY: `file` is live, and so is its `f_path` (set at open).
    to_result(unsafe {
        bindings::vfs_truncate(&raw const (*file.as_ptr()).__bindgen_anon_1.f_path, length)
    })
}

/// A filesystem type.
///
/// # Invariants
///
/// Points to a filesystem type that is registered while zcvfs uses it:
/// either a file of it is open (the caller holds one) or its provider
/// registration is in place.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct FsTypeRef(pub(crate) *mut bindings::file_system_type);

// SAFETY: filesystem types are shared, immutable after registration.
unsafe impl Send for FsTypeRef {}
// SAFETY: as above.
unsafe impl Sync for FsTypeRef {}

impl FsTypeRef {
    /// The address, as a key.
    pub(crate) fn key(self) -> usize {
        self.0 as usize
    }

    /// The module of the filesystem type (null: built in).
    pub(crate) fn owner(self) -> ModulePtr {
        // SAFETY: a registered filesystem type (type invariant), pinned as
        // for `name`; `owner` never changes.
        ModulePtr(unsafe { (*self.0).owner })
    }

    /// The name, e.g. `tmpfs`.
    pub(crate) fn name(self) -> &'static CStr {
        // SAFETY: a filesystem type's name is a static string (type
        // invariant: the type is registered, and its module is pinned by
        // an open file or a provider registration whose owner is it).
        unsafe { CStr::from_char_ptr((*self.0).name) }
    }
}

/// The normal VFS path over the caller's segments of a plain xuio:
/// `count` bytes at `*pos`.
pub(crate) fn plain_rw(
    file: &File,
    write: bool,
    x: &RawXuio,
    count: usize,
    pos: &mut i64,
) -> Result<usize> {
    let (segs, nsegs, segflg) = x.raw_segments();
    let dir = if write {
        bindings::ITER_SOURCE
    } else {
        bindings::ITER_DEST
    };
    let mut iter = MaybeUninit::<bindings::iov_iter>::uninit();
    // SAFETY: `iov_iter_bvec`/`iov_iter_kvec` initialise `iter`; the
    // segments are the caller's, valid while `x` is borrowed (`RawXuio`
    // invariant), of the kind `segflg` says, and cover at least `count`
    // bytes (the caller checked with `RawXuio::plain_segments_total`).
    unsafe {
        if segflg == UIO_SEG_BVEC {
            bindings::iov_iter_bvec(iter.as_mut_ptr(), dir, segs.cast(), nsegs as c_ulong, count);
        } else {
            bindings::iov_iter_kvec(iter.as_mut_ptr(), dir, segs.cast(), nsegs as c_ulong, count);
        }
    }
    // SAFETY: `file` is live, `iter` initialised above over memory valid
    // for the call, `pos` a valid position.
    from_ssize(unsafe {
        if write {
            bindings::vfs_iter_write(file.as_ptr(), iter.as_mut_ptr(), pos, 0)
        } else {
            bindings::vfs_iter_read(file.as_ptr(), iter.as_mut_ptr(), pos, 0)
        }
    })
}

/// The total length of the `nr` `bio_vec` segments at `segs`.
///
/// # Safety
///
/// `segs` points to `nr` readable `struct bio_vec` (or `nr` is 0).
pub(crate) unsafe fn bvec_total(segs: *const bindings::bio_vec, nr: usize) -> usize {
    (0..nr)
        // SAFETY: `i < nr`, so `segs.add(i)` is one of the caller's
        // segments.
        .map(|i| unsafe { (*segs.add(i)).bv_len } as usize)
        .sum()
}

/// Sets `iter` (in direction `dir`, `ITER_SOURCE` or `ITER_DEST`) over
/// `len` bytes of the `nr` segments at `segs` from byte `skip` on:
/// `EINVAL` if they are shorter than `skip + len`.
///
/// # Safety
///
/// `iter` is valid for writes; `segs` points to `nr` readable `struct
/// bio_vec` (or `nr` is 0), which outlive the use of `iter`.
pub(crate) unsafe fn bvec_iter(
    iter: *mut bindings::iov_iter,
    dir: u32,
    segs: *const bindings::bio_vec,
    nr: u32,
    skip: usize,
    len: usize,
) -> Result {
    // SAFETY: the caller's contract.
    let total = unsafe { bvec_total(segs, nr as usize) };
    if skip > total || len > total - skip {
        return Err(EINVAL);
    }
    // SAFETY: the caller's contract; `total` is the segments' length and
    // `skip + len <= total` (checked above).
    unsafe { bvec_iter_checked(iter, dir, segs, nr, total, skip, len) };
    Ok(())
}

/// [`bvec_iter`] once `total`, the segments' length, is known and
/// `skip + len <= total` is checked.
///
/// # Safety
///
/// As for [`bvec_iter`], and `skip + len <= total`.
unsafe fn bvec_iter_checked(
    iter: *mut bindings::iov_iter,
    dir: u32,
    segs: *const bindings::bio_vec,
    nr: u32,
    total: usize,
    skip: usize,
    len: usize,
) {
    // SAFETY: `iter` is writable and `segs` hold `total` bytes, valid
    // while `iter` is used (the caller's contract); `skip <= total`.
    unsafe {
        bindings::iov_iter_bvec(iter, dir, segs, nr as c_ulong, total);
        bindings::iov_iter_advance(iter, skip);
    }
    // `iov_iter_truncate(iter, len)` (a static inline): `count` is now
    // `total - skip`, at least `len`.
    // SAFETY: `iov_iter_bvec` made `iter` a bio_vec iterator, whose
    // variant of the union is the one with `count`.
    let count = unsafe { &mut (*iter).__bindgen_anon_1.__bindgen_anon_1.as_mut().count };
    if *count > len {
        *count = len;
    }
}

/// Sets `iter` over the bytes a copy of at most `len` bytes of the
/// segments from byte `skip` on moves (fewer if they hold less) and
/// returns their number; `EINVAL` if `skip` is past their end.
///
/// # Safety
///
/// As for [`bvec_iter`].
unsafe fn bvec_copy_iter(
    iter: *mut bindings::iov_iter,
    dir: u32,
    segs: *const bindings::bio_vec,
    nr: u32,
    skip: usize,
    len: usize,
) -> Result<usize> {
    // SAFETY: the caller's contract.
    let total = unsafe { bvec_total(segs, nr as usize) };
    if skip > total {
        return Err(EINVAL);
    }
    let len = len.min(total - skip);
    // SAFETY: the caller's contract; `skip + len <= total`. (The segments
    // are summed once, here.)
    unsafe { bvec_iter_checked(iter, dir, segs, nr, total, skip, len) };
    Ok(len)
}

/// Copies at most `len` bytes of the segments, from byte `skip` on, into
/// `buf` (fewer if they hold less); `EINVAL` if `skip` is past their end.
///
/// # Safety
///
/// `segs` points to `nr` readable `struct bio_vec` (or `nr` is 0) whose
/// pages are readable; `buf` is valid for writes of `len` bytes.
pub(crate) unsafe fn bvec_copy_from(
    segs: *const bindings::bio_vec,
    nr: u32,
    skip: usize,
    buf: *mut c_void,
    len: usize,
) -> Result<usize> {
    let mut iter = MaybeUninit::<bindings::iov_iter>::uninit();
    // SAFETY: `iter` is writable; the segments are the caller's.
    let n = unsafe {
        bvec_copy_iter(
            iter.as_mut_ptr(),
            bindings::ITER_SOURCE,
            segs,
            nr,
            skip,
            len,
        )
    }?;
    // SAFETY: `iter` was set over `n` bytes of the segments; `buf` has room
    // for `n <= len` bytes.
    Ok(unsafe { zcvfs_helper_copy_from_iter(buf, n, iter.as_mut_ptr()) })
}

/// Copies at most `len` bytes of `buf` into the segments from byte `skip`
/// on (fewer if they hold less); `EINVAL` if `skip` is past their end.
///
/// # Safety
///
/// `segs` points to `nr` readable `struct bio_vec` (or `nr` is 0) whose
/// pages are the caller's to write; `buf` is valid for reads of `len`
/// bytes.
pub(crate) unsafe fn bvec_copy_to(
    segs: *const bindings::bio_vec,
    nr: u32,
    skip: usize,
    buf: *const c_void,
    len: usize,
) -> Result<usize> {
    let mut iter = MaybeUninit::<bindings::iov_iter>::uninit();
    // SAFETY: `iter` is writable; the segments are the caller's.
    let n = unsafe { bvec_copy_iter(iter.as_mut_ptr(), bindings::ITER_DEST, segs, nr, skip, len) }?;
    // SAFETY: `iter` was set over `n` bytes of the segments; `buf` holds
    // `n <= len` bytes.
    Ok(unsafe { zcvfs_helper_copy_to_iter(buf, n, iter.as_mut_ptr()) })
}

/// Zeroes `len` bytes of the segments from byte `skip` on: `EINVAL` if
/// they are shorter than `skip + len`, `EFAULT` if not all were zeroed.
///
/// # Safety
///
/// `segs` points to `nr` readable `struct bio_vec` (or `nr` is 0) whose
/// pages are the caller's to write.
pub(crate) unsafe fn bvec_zero(
    segs: *const bindings::bio_vec,
    nr: u32,
    skip: usize,
    len: usize,
) -> Result {
    let mut iter = MaybeUninit::<bindings::iov_iter>::uninit();
    // SAFETY: `iter` is writable; the segments are the caller's.
    unsafe { bvec_iter(iter.as_mut_ptr(), bindings::ITER_DEST, segs, nr, skip, len) }?;
    // SAFETY: `iter` was set over `len` bytes of the segments.
    if unsafe { bindings::iov_iter_zero(len, iter.as_mut_ptr()) } == len {
        Ok(())
    } else {
        Err(EFAULT)
    }
}
