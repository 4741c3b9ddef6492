// SPDX-License-Identifier: GPL-2.0

//! The VFS calls zcvfs.ko makes on a file: identities (inode, super_block,
//! filesystem type), limits, fsnotify events, truncate, and the normal VFS
//! path of a plain xuio over the caller's segments.

use crate::helpers::*;
use crate::zcvfs_api::bindings::{zcvfs_file_fs_type, zcvfs_file_sb, RawXuio};
use crate::zcvfs_api::error::from_ssize;
use kernel::bindings;
use kernel::error::to_result;
use kernel::ffi::{c_int, c_ulong};
use kernel::fs::File;
use kernel::prelude::*;

/// Identity of the file's inode (its address, used as a key only).
pub(crate) fn inode_key(file: &File) -> usize {
    // SAFETY: `file` is live; `file_inode` only reads a field.
    unsafe { zcvfs_helper_file_inode(file.as_ptr()) as usize }
}

/// Identity of the file's super_block (its address, used as a key only).
pub(crate) fn sb_key(file: &File) -> usize {
    // SAFETY: `file` is live, and so are its inode and super_block.
    unsafe { zcvfs_file_sb(file.as_ptr()) as usize }
}

/// The file's filesystem type.
pub(crate) fn fs_type(file: &File) -> FsTypeRef {
    // SAFETY: `file` is live, and so are its inode, super_block and type.
    FsTypeRef(unsafe { zcvfs_file_fs_type(file.as_ptr()) })
}

/// The largest offset of the file's filesystem (`s_maxbytes`).
pub(crate) fn maxbytes(file: &File) -> i64 {
    // SAFETY: `file` is live.
    unsafe { zcvfs_helper_file_maxbytes(file.as_ptr()) }
}

/// Whether the file was opened for reading and for writing.
pub(crate) fn rw_mode(file: &File) -> (bool, bool) {
    // SAFETY: `file` is live.
    let m = unsafe { zcvfs_helper_file_rw_mode(file.as_ptr()) };
    (m & 1 != 0, m & 2 != 0)
}

/// `MAX_RW_COUNT`: the most bytes one read or write may move.
pub(crate) fn max_rw_count() -> usize {
    // SAFETY: no preconditions.
    unsafe { zcvfs_helper_max_rw_count() }
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
    // SAFETY: `file` is live.
    to_result(unsafe { zcvfs_helper_truncate(file.as_ptr(), length) })
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

    /// The name, e.g. `tmpfs`.
    pub(crate) fn name(self) -> &'static CStr {
        // SAFETY: a filesystem type's name is a static string (type
        // invariant: the type is registered, and its module is pinned by
        // an open file or a provider registration whose owner is it).
        unsafe { CStr::from_char_ptr(zcvfs_helper_fs_type_name(self.0)) }
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
    // SAFETY: `file` is live; the segments are the caller's, valid while
    // `x` is borrowed (`RawXuio` invariant), and cover at least `count`
    // bytes (the caller checked with `RawXuio::plain_segments_total`).
    from_ssize(unsafe {
        zcvfs_helper_iter_rw(
            file.as_ptr(),
            c_int::from(write),
            segflg,
            segs,
            nsegs as c_ulong,
            count,
            pos,
        )
    })
}
