// SPDX-License-Identifier: GPL-2.0

//! Folios: zcfs's reference-counted handle on a `struct folio`, and the
//! segments of a loan, which point into folios or into the zero page.
//!
//! The folio primitives are static inline functions and macros of
//! `<linux/mm.h>` and `<linux/pagemap.h>`, wrapped in `zcfs_vfs.c`.

use crate::zcvfs_api::xuio::Segment;
use core::ptr::NonNull;
use kernel::bindings;
use kernel::fs::File;
use kernel::prelude::*;
use kernel::sync::aref::{ARef, AlwaysRefCounted};
use kernel::types::Opaque;

// Pointers to opaque kernel structures: some bindgen types contain
// zero-length arrays, which the lint flags although only pointers cross.
#[allow(improper_ctypes)]
extern "C" {
    fn zcfs_folio_get(folio: *mut bindings::folio);
    fn zcfs_folio_put(folio: *mut bindings::folio);
    fn zcfs_folio_alloc_zeroed() -> *mut bindings::folio;
    fn zcfs_read_folio(file: *mut bindings::file, index: u64) -> *mut bindings::folio;
    fn zcfs_folio_lock(folio: *mut bindings::folio);
    fn zcfs_folio_unlock(folio: *mut bindings::folio);
    fn zcfs_folio_set_lent(folio: *mut bindings::folio);
    fn zcfs_folio_page(folio: *mut bindings::folio) -> *mut bindings::page;
    fn zcfs_zero_page() -> *mut bindings::page;
}

/// A folio (`struct folio`), always reference counted: owned as
/// [`ARef<Folio>`].
///
/// # Invariants
///
/// A `&Folio` is a live order-0 folio on which someone holds a reference
/// for at least the lifetime of the borrow.
#[repr(transparent)]
pub(crate) struct Folio(Opaque<bindings::folio>);

// SAFETY: folio references may be taken and dropped on any thread.
unsafe impl Send for Folio {}
// SAFETY: shared access reads the address, or changes the folio through the
// kernel's own atomic operations and locks.
unsafe impl Sync for Folio {}

// SAFETY: `folio_get` and `folio_put` keep the folio alive while its count
// is not zero.
unsafe impl AlwaysRefCounted for Folio {
    fn inc_ref(&self) {
        // SAFETY: a `&Folio` is live, its count not zero (invariant).
        unsafe { zcfs_folio_get(self.as_raw()) }
    }

    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: the caller gives up a reference it owns; `Folio` is
        // `repr(transparent)` over `struct folio`.
        unsafe { zcfs_folio_put(obj.cast().as_ptr()) }
    }
}

impl Folio {
    /// Takes over the reference a C function returned with `ptr`, or
    /// `None` if it returned null.
    ///
    /// # Safety
    ///
    /// `ptr` is null or a live order-0 folio on which the caller owns a
    /// reference, which it gives up.
    unsafe fn from_owned(ptr: *mut bindings::folio) -> Option<ARef<Folio>> {
        let ptr = NonNull::new(ptr)?;
        // SAFETY: see the function's safety section; `Folio` is
        // `repr(transparent)` over `struct folio`.
        Some(unsafe { ARef::from_raw(ptr.cast()) })
    }

    /// A fresh zeroed order-0 folio, in no cache.
    pub(crate) fn alloc_zeroed() -> Result<ARef<Folio>> {
        // SAFETY: plain allocation; the result is a new folio with one
        // reference, or null.
        unsafe { Self::from_owned(zcfs_folio_alloc_zeroed()) }.ok_or(ENOMEM)
    }

    /// The uptodate page-cache folio of `file` at page `index`, or `None`
    /// for a hole (nothing is allocated).
    pub(crate) fn cached(file: &File, index: u64) -> Option<ARef<Folio>> {
        // SAFETY: `file` is live; the result is a folio with a reference
        // for us, or null.
        unsafe { Self::from_owned(zcfs_read_folio(file.as_ptr(), index)) }
    }

    /// The `struct folio`.
    pub(crate) fn as_raw(&self) -> *mut bindings::folio {
        self.0.get()
    }

    /// The folio's address, its identity in the loan set of an inode.
    pub(crate) fn addr(&self) -> usize {
        self.as_raw() as usize
    }

    /// A segment of `len` bytes at `off` in the folio's page, both within
    /// the page.
    pub(crate) fn segment(&self, off: usize, len: usize) -> Segment {
        // SAFETY: a live folio (invariant).
        let page = unsafe { zcfs_folio_page(self.as_raw()) };
        page_segment(page, off, len)
    }

    /// Marks a page-cache folio as lent: writers check its references
    /// from now on, even after the loan's return (see `zcfs_vfs.c`).
    pub(crate) fn set_lent(&self) {
        // SAFETY: a live folio (invariant); sets a page flag atomically.
        unsafe { zcfs_folio_set_lent(self.as_raw()) }
    }

    /// Runs `f` with the folio locked (which orders it against write
    /// faults of the folio, see `zcfs_page_mkwrite`).
    pub(crate) fn locked<R>(&self, f: impl FnOnce() -> R) -> R {
        // SAFETY: a live folio (invariant); unlocked below.
        unsafe { zcfs_folio_lock(self.as_raw()) };
        let r = f();
        // SAFETY: locked above.
        unsafe { zcfs_folio_unlock(self.as_raw()) };
        r
    }
}

/// The one place zcfs makes a [`Segment`]: `len` bytes at `off` of `page`,
/// both within the page (a loan's layout cuts its length into pages).
fn page_segment(page: *mut bindings::page, off: usize, len: usize) -> Segment {
    Segment {
        bv_page: page,
        // Both at most a page.
        bv_len: len as u32,
        bv_offset: off as u32,
    }
}

/// A segment over the shared zero page: the placeholders of READ loans
/// before their read (the consumer may not look at them), and the holes of
/// a file in a filled READ loan. The zero page is static: no reference is
/// taken or dropped, it is never recorded as loaned, and consumers never
/// write into READ loans.
pub(crate) fn zero_segment(off: usize, len: usize) -> Segment {
    // SAFETY: returns the static zero page.
    page_segment(unsafe { zcfs_zero_page() }, off, len)
}
