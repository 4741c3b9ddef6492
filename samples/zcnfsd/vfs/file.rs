// SPDX-License-Identifier: GPL-2.0

//! Operations on an open file ([`kernel::fs::File`]) that the kernel crate
//! does not offer: `vfs_fsync_range`, and `iterate_dir` with a Rust
//! closure as the actor.

use kernel::error::to_result;
use kernel::ffi::{c_int, c_void};
use kernel::fs::File;
use kernel::prelude::*;
use kernel::sync::aref::ARef;

/// `zcnfsd_dirent_fn`: one directory entry to the caller.
type DirentFn =
    unsafe extern "C" fn(priv_: *mut c_void, name: *const u8, namelen: u32, ino: u64) -> bool;

// Pointers to opaque kernel structures only.
#[allow(improper_ctypes)]
extern "C" {
    fn zcnfsd_file_inode_key(f: *mut kernel::bindings::file) -> usize;
    fn zcnfsd_file_unlinked(f: *mut kernel::bindings::file) -> bool;
    fn zcnfsd_fput_sync(f: *mut kernel::bindings::file);
    fn zcnfsd_readdir(
        f: *mut kernel::bindings::file,
        pos: i64,
        emit: DirentFn,
        priv_: *mut c_void,
        res: *mut ReaddirRes,
    ) -> c_int;
}

/// `struct zcnfsd_readdir_res`.
#[repr(C)]
#[derive(Clone, Copy, Default, Debug)]
struct ReaddirRes {
    next_pos: i64,
    eof: u32,
    pad: u32,
}

/// The identity of `file`'s inode, equal to
/// [`super::dentry::Dentry::inode_key`] of a dentry of the same inode.
pub(crate) fn inode_key(file: &File) -> usize {
    // SAFETY: `file` is a live file.
    unsafe { zcnfsd_file_inode_key(file.as_ptr()) }
}

/// Whether `file`'s inode has no name left (removed while open).
pub(crate) fn unlinked(file: &File) -> bool {
    // SAFETY: `file` is a live file.
    unsafe { zcnfsd_file_unlinked(file.as_ptr()) }
}

/// Drops `file`; if that was the last reference, the file is closed before
/// this returns (`__fput_sync`), not by the delayed-fput work that a kernel
/// thread's `fput` queues. Call it with no lock held, from the server's
/// threads or module exit (never from a thread an unmount waits for).
pub(crate) fn close_sync(file: ARef<File>) {
    let f = ARef::into_raw(file);
    // SAFETY: `into_raw` passed us the reference `file` held; it is given
    // to `__fput_sync`, which drops it (and closes the file if it was the
    // last). `File` is a transparent wrapper of `struct file`.
    unsafe { zcnfsd_fput_sync(f.as_ptr().cast()) }
}

/// `vfs_fsync_range` of `[start, end]` (inclusive).
pub(crate) fn fsync(file: &File, start: i64, end: i64) -> Result {
    // SAFETY: `file` is a live file.
    to_result(unsafe { kernel::bindings::vfs_fsync_range(file.as_ptr(), start, end, 0) })
}

/// A directory entry as `iterate_dir` reports it.
pub(crate) struct DirEntry<'a> {
    /// Its inode number.
    pub(crate) ino: u64,
    /// Its name (valid for the callback only).
    pub(crate) name: &'a [u8],
}

/// Where a directory walk stopped.
#[derive(Clone, Copy, Debug)]
pub(crate) struct DirPos {
    /// The position of the first entry not taken (to resume from).
    pub(crate) next: i64,
    /// The directory ended: every entry was taken.
    pub(crate) eof: bool,
}

/// The actor's callback: runs the closure.
///
/// # Safety
///
/// `priv_` is the `&mut F` that [`iterate_dir`] passed, for the duration of
/// its call; `name` is valid for `namelen` bytes.
unsafe extern "C" fn dirent_trampoline<F: FnMut(&DirEntry<'_>) -> bool>(
    priv_: *mut c_void,
    name: *const u8,
    namelen: u32,
    ino: u64,
) -> bool {
    // SAFETY: by the function's safety requirements `priv_` is a `&mut F`
    // that nothing else uses during this call.
    let f = unsafe { &mut *priv_.cast::<F>() };
    // SAFETY: the name is valid for `namelen` bytes during the call (the
    // actor's arguments).
    let name = unsafe { core::slice::from_raw_parts(name, namelen as usize) };
    f(&DirEntry { ino, name })
}

/// `iterate_dir` of `dir` from position `pos`: calls `f` with each entry
/// until it returns `false` (that entry is not taken) or the directory
/// ends. `f` runs under the directory's lock: it must not look names up in
/// `dir`.
pub(crate) fn iterate_dir<F: FnMut(&DirEntry<'_>) -> bool>(
    dir: &File,
    pos: i64,
    f: &mut F,
) -> Result<DirPos> {
    let mut res = ReaddirRes::default();
    // SAFETY: `dir` is a live file; `dirent_trampoline::<F>` matches the
    // `&mut F` passed as `priv_`, which lives, unaliased, for the call.
    to_result(unsafe {
        zcnfsd_readdir(
            dir.as_ptr(),
            pos,
            dirent_trampoline::<F>,
            core::ptr::from_mut::<F>(f).cast::<c_void>(),
            &mut res,
        )
    })?;
    Ok(DirPos {
        next: res.next_pos,
        eof: res.eof != 0,
    })
}
