// SPDX-License-Identifier: GPL-2.0

//! Folios: zcfs's reference-counted handle on a `struct folio`, and the
//! segments of a loan, which point into folios or into the zero page.
//!
//! The folio primitives are static inline functions and macros of
//! `<linux/mm.h>` and `<linux/pagemap.h>`, wrapped in `zcfs_vfs.c`.

use crate::zcvfs_api::xuio::Segment;
use core::ops::Deref;
use core::ptr::NonNull;
use kernel::bindings;
use kernel::ffi::c_int;
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
    fn zcfs_folio_set_lent(folio: *mut bindings::folio);
    fn zcfs_folio_page(folio: *mut bindings::folio) -> *mut bindings::page;
    fn zcfs_zero_page() -> *mut bindings::page;
    fn zcfs_folio_alloc_copy(src: *mut bindings::folio) -> *mut bindings::folio;
    fn zcfs_folio_test_lent(folio: *mut bindings::folio) -> bool;
    fn zcfs_folio_clear_lent(folio: *mut bindings::folio);
    fn zcfs_folio_ref_count(folio: *mut bindings::folio) -> c_int;
    fn zcfs_folio_expected_ref_count(folio: *mut bindings::folio) -> c_int;
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

    /// A fresh uptodate copy of `src`, in no cache.
    pub(crate) fn alloc_copy(src: &Folio) -> Result<ARef<Folio>> {
        // SAFETY: `src` is live (invariant); the result is a new folio
        // with one reference, or null.
        unsafe { Self::from_owned(zcfs_folio_alloc_copy(src.as_raw())) }.ok_or(ENOMEM)
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
        // SAFETY: the loan that holds the segment holds this folio
        // reference (`self`) as long as the segment.
        unsafe { page_segment(page, off, len) }
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
        unsafe { bindings::folio_unlock(self.as_raw()) };
        r
    }
}

/// A locked folio, borrowed.
///
/// # Invariants
///
/// A `&LockedFolio` is a live folio (as [`Folio`]) that is locked
/// (`folio_lock`) for at least the lifetime of the borrow.
#[repr(transparent)]
pub(crate) struct LockedFolio(Folio);

impl Deref for LockedFolio {
    type Target = Folio;

    fn deref(&self) -> &Folio {
        &self.0
    }
}

impl LockedFolio {
    /// The locked folio at `ptr`.
    ///
    /// # Safety
    ///
    /// `ptr` is a live order-0 folio, referenced and locked by the caller
    /// for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::folio) -> &'a LockedFolio {
        // SAFETY: see the function's safety section; `LockedFolio` and
        // `Folio` are `repr(transparent)` over `struct folio`.
        unsafe { &*ptr.cast::<LockedFolio>() }
    }

    /// Whether the folio is marked lent ([`Folio::set_lent`]).
    pub(crate) fn test_lent(&self) -> bool {
        // SAFETY: a live folio (invariant).
        unsafe { zcfs_folio_test_lent(self.as_raw()) }
    }

    /// Unmarks a lent folio: it has no reference left beyond the page
    /// cache's (the folio lock orders this against new loans).
    pub(crate) fn clear_lent(&self) {
        // SAFETY: a live, locked folio (invariant).
        unsafe { zcfs_folio_clear_lent(self.as_raw()) }
    }

    /// The folio's references (`folio_ref_count`).
    pub(crate) fn ref_count(&self) -> i32 {
        // SAFETY: a live folio (invariant).
        unsafe { zcfs_folio_ref_count(self.as_raw()) }
    }

    /// The references its page cache, mappings and private data account
    /// for (`folio_expected_ref_count`); stable while the folio is locked.
    pub(crate) fn expected_ref_count(&self) -> i32 {
        // SAFETY: a live, locked folio (invariant).
        unsafe { zcfs_folio_expected_ref_count(self.as_raw()) }
    }
}

/// A reference on a folio and its lock, both given up on drop.
///
/// # Invariants
///
/// `folio` is locked by this value.
pub(crate) struct FolioGuard {
    folio: ARef<Folio>,
}

impl FolioGuard {
    /// Takes over the reference and the lock a C function returned with
    /// `ptr`, or `None` if it returned null.
    ///
    /// # Safety
    ///
    /// `ptr` is null or a live order-0 folio which the caller has locked
    /// and holds a reference on, both of which it gives up.
    pub(crate) unsafe fn from_owned_locked(ptr: *mut bindings::folio) -> Option<FolioGuard> {
        // SAFETY: see the function's safety section.
        let folio = unsafe { Folio::from_owned(ptr) }?;
        // INVARIANT: locked by the caller, now ours.
        Some(FolioGuard { folio })
    }
}

impl Deref for FolioGuard {
    type Target = LockedFolio;

    fn deref(&self) -> &LockedFolio {
        // SAFETY: a referenced folio, locked while `self` lives
        // (invariant).
        unsafe { LockedFolio::from_raw(self.folio.as_raw()) }
    }
}

impl Drop for FolioGuard {
    fn drop(&mut self) {
        // SAFETY: locked by this value (invariant); the reference is
        // dropped after.
        unsafe { bindings::folio_unlock(self.folio.as_raw()) }
    }
}

/// The one place zcfs makes a [`Segment`]: `len` bytes at `off` of `page`,
/// both within the page (a loan's layout cuts its length into pages).
///
/// # Safety
///
/// `page` is the zero page or a page whose reference the caller's loan
/// holds for as long as the segment.
unsafe fn page_segment(page: *mut bindings::page, off: usize, len: usize) -> Segment {
    // SAFETY: the page outlives the segment (the caller's contract).
    unsafe {
        Segment::from_raw(bindings::bio_vec {
            bv_page: page,
            // Both at most a page.
            bv_len: len as u32,
            bv_offset: off as u32,
        })
    }
}

/// A segment over the shared zero page: the placeholders of READ loans
/// before their read (the consumer may not look at them), and the holes of
/// a file in a filled READ loan. The zero page is static: no reference is
/// taken or dropped, it is never recorded as loaned, and consumers never
/// write into READ loans.
pub(crate) fn zero_segment(off: usize, len: usize) -> Segment {
    // SAFETY: `zcfs_zero_page` returns the static zero page, which lives
    // forever.
    unsafe { page_segment(zcfs_zero_page(), off, len) }
}
