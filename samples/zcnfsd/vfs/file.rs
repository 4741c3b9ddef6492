// SPDX-License-Identifier: GPL-2.0

//! Operations on an open file ([`kernel::fs::File`]) that the kernel crate
//! does not offer: its inode's identity and link count, the synchronous
//! close (`__fput_sync`), `vfs_fsync_range`, and `iterate_dir` with a
//! `dir_context` whose actor runs a Rust closure.

use super::dentry::inode_nlink;
use kernel::bindings;
use kernel::error::to_result;
use kernel::ffi::{c_char, c_int, c_uint};
use kernel::fs::File;
use kernel::prelude::*;
use kernel::sync::aref::ARef;

/// `file_inode()`: the inode of `file`, set at open and never changed.
fn file_inode(file: &File) -> *mut bindings::inode {
    // SAFETY: `file` is a live file; `file_inode()` is this plain read of
    // the field.
    unsafe { (*file.as_ptr()).f_inode }
}

/// The identity of `file`'s inode, equal to
/// [`super::dentry::Dentry::inode_key`] of a dentry of the same inode.
pub(crate) fn inode_key(file: &File) -> usize {
    file_inode(file) as usize
}

/// Whether `file`'s inode has no name left (removed while open).
pub(crate) fn unlinked(file: &File) -> bool {
    // SAFETY: `file` is a live file, which holds its inode; the link count
    // is read once (`READ_ONCE`), it may change under us.
    unsafe { inode_nlink(file_inode(file)) == 0 }
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
    unsafe { bindings::__fput_sync(f.as_ptr().cast()) }
}

/// `vfs_fsync_range` of `[start, end]` (inclusive).
pub(crate) fn fsync(file: &File, start: i64, end: i64) -> Result {
    // SAFETY: `file` is a live file.
    to_result(unsafe { bindings::vfs_fsync_range(file.as_ptr(), start, end, 0) })
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

/// A `struct dir_context` with the closure its actor calls.
///
/// # Invariants
///
/// `ctx` is the first field (the actor finds the whole from it, as C's
/// `container_of`); `f` is the `&mut F` that [`iterate_dir`] passed, for
/// the duration of `iterate_dir`'s call of the VFS.
#[repr(C)]
struct ReaddirCtx<F> {
    ctx: bindings::dir_context,
    f: *mut F,
    /// The closure refused an entry (or a name had a negative length).
    full: bool,
}

/// The actor (`filldir_t`): hands each entry to the closure.
///
/// # Safety
///
/// `ctx` is the `ctx` field of a live [`ReaddirCtx<F>`] that nothing else
/// uses during the call; `name` is valid for `namlen` bytes.
unsafe extern "C" fn filldir<F: FnMut(&DirEntry<'_>) -> bool>(
    ctx: *mut bindings::dir_context,
    name: *const c_char,
    namlen: c_int,
    _offset: bindings::loff_t,
    ino: u64,
    _d_type: c_uint,
) -> bool {
    // SAFETY: `ctx` is the first field of a `ReaddirCtx<F>` (its type
    // invariant, `#[repr(C)]`), which nothing else uses during the call.
    let c = unsafe { &mut *ctx.cast::<ReaddirCtx<F>>() };
    let Ok(len) = usize::try_from(namlen) else {
        c.full = true;
        return false;
    };
    // SAFETY: the name is valid for `namlen` bytes during the call (the
    // actor's arguments).
    let name = unsafe { core::slice::from_raw_parts(name.cast::<u8>(), len) };
    // SAFETY: `c.f` is the unaliased `&mut F` of `iterate_dir` (type
    // invariant).
    let f = unsafe { &mut *c.f };
    if !f(&DirEntry { ino, name }) {
        c.full = true;
        return false;
    }
    true
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
    // SAFETY: `dir` is a live file.
    let off = unsafe { bindings::vfs_llseek(dir.as_ptr(), pos, bindings::SEEK_SET as c_int) };
    if off < 0 {
        return Err(Error::from_errno(off as c_int));
    }
    // INVARIANT: `ctx` first; `f` is borrowed for the whole call below.
    let mut c = ReaddirCtx {
        ctx: bindings::dir_context {
            actor: Some(filldir::<F>),
            ..Default::default()
        },
        f: core::ptr::from_mut::<F>(f),
        full: false,
    };
    // SAFETY: `dir` is a live file; the pointer, to all of `c`, is one to
    // its first field `ctx`, whose actor is `filldir::<F>` for this `F`;
    // `c` lives, used by nothing else, for the call.
    let err = unsafe {
        bindings::iterate_dir(dir.as_ptr(), (&raw mut c).cast::<bindings::dir_context>())
    };
    if err < 0 && !c.full {
        return Err(Error::from_errno(err));
    }
    Ok(DirPos {
        next: c.ctx.pos,
        eof: !c.full,
    })
}
