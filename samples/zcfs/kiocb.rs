// SPDX-License-Identifier: GPL-2.0

//! A read or write call on a zcfs regular file: its request
//! ([`Kiocb`], `struct kiocb`: the file and the position), its data
//! ([`IovIter`], `struct iov_iter`), and what the calling task is asked
//! between two steps of a long call (a fatal signal, a reschedule).
//!
//! Fields are read here; exported functions are called through the
//! bindings; static inline functions of `<linux/fs.h>`, `<linux/uio.h>`
//! and `<linux/sched/signal.h>` are wrapped in `zcfs_vfs.c`.

use crate::folio::Folio;
use crate::inode::{Inode, InodeLockGuard};
use crate::zcvfs_api::error::from_ssize;
use crate::zcvfs_api::error::to_result;
use kernel::bindings;
use kernel::prelude::*;
use kernel::types::Opaque;

// Pointers to opaque kernel structures: some bindgen types contain
// zero-length arrays, which the lint flags although only pointers cross.
#[allow(improper_ctypes)]
extern "C" {
    fn zcfs_copy_folio_to_iter(
        folio: *mut bindings::folio,
        off: usize,
        len: usize,
        iter: *mut bindings::iov_iter,
    ) -> usize;
    fn zcfs_zero_page() -> *mut bindings::page;
    fn zcfs_file_accessed(file: *mut bindings::file);
    fn zcfs_generic_write_sync(iocb: *mut bindings::kiocb, count: isize) -> isize;
    fn zcfs_fatal_signal_pending() -> bool;
    fn zcfs_cond_resched();
}

/// The request of a read or write call (`struct kiocb`).
///
/// # Invariants
///
/// A `&Kiocb` is the live request of a `read_iter` or `write_iter` call on
/// a zcfs regular file, for at least the lifetime of the borrow; its
/// `ki_filp` is that file, which the call holds. The request is the
/// call's: `Kiocb` is not `Sync`, so only the calling thread reads or
/// moves its position.
#[repr(transparent)]
pub(crate) struct Kiocb(Opaque<bindings::kiocb>);

impl Kiocb {
    /// The request at `ptr`.
    ///
    /// # Safety
    ///
    /// `ptr` is the live request of a `read_iter` or `write_iter` call on
    /// a zcfs regular file, which the calling thread owns for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::kiocb) -> &'a Kiocb {
        // SAFETY: see the function's safety section; `Kiocb` is
        // `repr(transparent)` over `struct kiocb`.
        unsafe { &*ptr.cast::<Kiocb>() }
    }

    fn as_raw(&self) -> *mut bindings::kiocb {
        self.0.get()
    }

    fn file_raw(&self) -> *mut bindings::file {
        // SAFETY: a live request (invariant).
        unsafe { (*self.as_raw()).ki_filp }
    }

    /// The inode of the call's file.
    pub(crate) fn inode(&self) -> &Inode {
        // SAFETY: the call's file is a zcfs regular file, which the call
        // holds for the borrow (invariant).
        unsafe { Inode::of_zcfs_file(self.file_raw()) }
    }

    /// The position in the file (`ki_pos`).
    pub(crate) fn pos(&self) -> i64 {
        // SAFETY: a live request, the calling thread's (invariant).
        unsafe { (*self.as_raw()).ki_pos }
    }

    /// Moves the position in the file (`ki_pos`).
    pub(crate) fn set_pos(&self, pos: i64) {
        // SAFETY: a live request, the calling thread's (invariant).
        unsafe { (*self.as_raw()).ki_pos = pos }
    }

    /// `file_accessed`: the access time of a read.
    pub(crate) fn file_accessed(&self) {
        // SAFETY: the call's file, live (invariant).
        unsafe { zcfs_file_accessed(self.file_raw()) }
    }

    /// The checks of a write of `from` (`generic_write_checks`: limits,
    /// `O_APPEND`, which moves the position): the bytes to write (`from`
    /// may be shortened), 0 for none, or an error.
    pub(crate) fn write_checks(
        &self,
        _locked: &InodeLockGuard<'_>,
        from: &IovIter,
    ) -> Result<usize> {
        // SAFETY: a live request and iterator of the call; the inode is
        // locked (the argument).
        from_ssize(unsafe { bindings::generic_write_checks(self.as_raw(), from.as_raw()) })
    }

    /// `file_modified`: privileges and timestamps of a write.
    pub(crate) fn file_modified(&self, _locked: &InodeLockGuard<'_>) -> Result {
        // SAFETY: the call's file, live (invariant); the inode is locked
        // (the argument).
        to_result(unsafe { bindings::file_modified(self.file_raw()) })
    }

    /// `generic_perform_write`: copies `from` into the file through its
    /// page cache (`write_begin`, `write_end`) at the position, which it
    /// moves: the bytes written, or an error if none was.
    pub(crate) fn perform_write(
        &self,
        _locked: &InodeLockGuard<'_>,
        from: &IovIter,
    ) -> Result<usize> {
        // SAFETY: a live request and iterator of the call; the inode is
        // locked (the argument).
        from_ssize(unsafe { bindings::generic_perform_write(self.as_raw(), from.as_raw()) })
    }

    /// `generic_write_sync` after `written` bytes were written: syncs an
    /// `O_SYNC`/`O_DSYNC` write. Called without the inode lock.
    pub(crate) fn write_sync(&self, written: usize) -> Result<usize> {
        // A write's byte count fits an isize.
        let n = written as isize;
        // SAFETY: a live request of the call (invariant).
        from_ssize(unsafe { zcfs_generic_write_sync(self.as_raw(), n) })
    }
}

/// The data of a read or write call (`struct iov_iter`): where a read
/// copies to, or what a write copies from.
///
/// # Invariants
///
/// An `&IovIter` is the live iterator of a `read_iter` or `write_iter`
/// call, owned by the calling thread, for at least the lifetime of the
/// borrow (`IovIter` is not `Sync`).
#[repr(transparent)]
pub(crate) struct IovIter(Opaque<bindings::iov_iter>);

impl IovIter {
    /// The iterator at `ptr`.
    ///
    /// # Safety
    ///
    /// `ptr` is the live iterator of a `read_iter` or `write_iter` call,
    /// which the calling thread owns for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::iov_iter) -> &'a IovIter {
        // SAFETY: see the function's safety section; `IovIter` is
        // `repr(transparent)` over `struct iov_iter`.
        unsafe { &*ptr.cast::<IovIter>() }
    }

    fn as_raw(&self) -> *mut bindings::iov_iter {
        self.0.get()
    }

    /// The bytes left (`iov_iter_count`).
    pub(crate) fn count(&self) -> usize {
        // SAFETY: a live iterator (invariant), which the call that handed
        // it to us owns: its `count` field is read as `iov_iter_count`
        // does (and as the kernel crate's `iov.rs` does).
        unsafe {
            (*self.as_raw())
                .__bindgen_anon_1
                .__bindgen_anon_1
                .as_ref()
                .count
        }
    }

    /// Whether the data is in user memory (`user_backed_iter`).
    pub(crate) fn user_backed(&self) -> bool {
        // SAFETY: a live iterator (invariant), the call's: its type is
        // set when it is made (`iter_is_ubuf() || iter_is_iovec()`).
        let ty = u32::from(unsafe { (*self.as_raw()).iter_type });
        ty == bindings::iter_type_ITER_UBUF || ty == bindings::iter_type_ITER_IOVEC
    }

    /// Copies `len` bytes at `off` of `folio` out (`copy_folio_to_iter`):
    /// the bytes copied, fewer on a fault. The bytes lie within the folio
    /// (the kernel checks, and copies nothing otherwise).
    pub(crate) fn copy_folio(&self, folio: &Folio, off: usize, len: usize) -> usize {
        // SAFETY: a live iterator (invariant) and a live folio.
        unsafe { zcfs_copy_folio_to_iter(folio.as_raw(), off, len, self.as_raw()) }
    }

    /// Copies `len` bytes at `off` of the zero page out (`off + len`
    /// within a page): a hole, read into user memory.
    pub(crate) fn copy_zero_page(&self, off: usize, len: usize) -> usize {
        // SAFETY: a live iterator (invariant); the zero page is static,
        // and the kernel checks that the bytes are within it.
        unsafe { bindings::copy_page_to_iter(zcfs_zero_page(), off, len, self.as_raw()) }
    }

    /// Writes `len` zero bytes out (`iov_iter_zero`).
    pub(crate) fn zero(&self, len: usize) -> usize {
        // SAFETY: a live iterator (invariant).
        unsafe { bindings::iov_iter_zero(len, self.as_raw()) }
    }
}

/// Whether the calling task was killed (`fatal_signal_pending`).
pub(crate) fn fatal_signal_pending() -> bool {
    // SAFETY: reads the current task's signals.
    unsafe { zcfs_fatal_signal_pending() }
}

/// `cond_resched`: lets other tasks run in a long loop. Called from
/// process context, with no spinlock held.
pub(crate) fn cond_resched() {
    // SAFETY: the callers are in process context (read and write calls).
    unsafe { zcfs_cond_resched() }
}
