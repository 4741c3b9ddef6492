// SPDX-License-Identifier: GPL-2.0

//! Folios: zcfs's reference-counted handle on a `struct folio`, the
//! batched lookup of a file's cached folios, and the segments of a loan,
//! which point into folios or into the zero page.
//!
//! A folio's fields and flags are read here, as the static inline
//! functions of `<linux/mm.h>` and `<linux/page-flags.h>` read them, and
//! its flags set with the kernel's atomic bit operations; exported
//! functions are called through the bindings; the static inline functions
//! and macros that do more (references, the lock, zeroing, allocation)
//! are wrapped in `zcfs_vfs.c`.

use crate::zcvfs_api::xuio::Segment;
use core::mem::MaybeUninit;
use core::ops::Deref;
use core::ptr::NonNull;
use kernel::bindings;
use kernel::ffi::{c_int, c_ulong};
use kernel::fs::File;
use kernel::page::PAGE_SIZE;
use kernel::prelude::*;
use kernel::sync::aref::{ARef, AlwaysRefCounted};
use kernel::sync::barrier::{smp_mb, Read};
use kernel::types::Opaque;

// Pointers to opaque kernel structures: some bindgen types contain
// zero-length arrays, which the lint flags although only pointers cross.
#[allow(improper_ctypes)]
extern "C" {
    fn zcfs_folio_get(folio: *mut bindings::folio);
    fn zcfs_folio_put(folio: *mut bindings::folio);
    fn zcfs_folio_alloc(gfp: bindings::gfp_t, order: u32) -> *mut bindings::folio;
    fn zcfs_zero_page() -> *mut bindings::page;
    fn zcfs_folio_expected_ref_count(folio: *mut bindings::folio) -> c_int;
    static zcfs_gfp_highuser: bindings::gfp_t;
    static zcfs_gfp_noretry: bindings::gfp_t;
}

/// `GFP_HIGHUSER`, the allocation flags of zcfs's page cache.
pub(crate) fn gfp_highuser() -> bindings::gfp_t {
    // SAFETY: a constant of `zcfs_vfs.c`, never written.
    unsafe { zcfs_gfp_highuser }
}

// ---- the fields and flags of a `struct folio` (static inline functions
// of `<linux/mm.h>` and `<linux/page-flags.h>` that only read a field) ----

/// `folio->flags` (the head page's flags).
///
/// # Safety
///
/// `folio` is a live folio.
unsafe fn flags(folio: *mut bindings::folio) -> *mut c_ulong {
    // SAFETY: a live folio (the caller's contract); no access is made.
    unsafe { &raw mut (*folio).__bindgen_anon_1.__bindgen_anon_1.flags.f }
}

/// `test_bit(bit, &folio->flags)`: one read of the flags word, as
/// `folio_test_*()` do.
///
/// # Safety
///
/// `folio` is a live folio.
unsafe fn test_flag(folio: *mut bindings::folio, bit: bindings::pageflags) -> bool {
    // SAFETY: a live folio (the caller's contract); the flags word is
    // changed concurrently by atomic bit operations only, and read once
    // (`READ_ONCE`).
    let word = unsafe { flags(folio).read_volatile() };
    word & (1 << bit) != 0
}

/// `folio_test_uptodate`: the flag, and if it is set, a read barrier, so
/// that the folio's data is read after it (pairs with the write barrier
/// of `folio_mark_uptodate`).
///
/// # Safety
///
/// `folio` is a live folio.
unsafe fn test_uptodate(folio: *mut bindings::folio) -> bool {
    // SAFETY: a live folio (the caller's contract).
    let up = unsafe { test_flag(folio, bindings::pageflags_PG_uptodate) };
    if up {
        smp_mb(Read);
    }
    up
}

/// `folio_nr_pages`: 1, or `1 << folio_large_order()` for a large folio
/// (`PG_head`; its order is the low byte of `_flags_1`).
///
/// # Safety
///
/// `folio` is a live folio.
unsafe fn nr_pages(folio: *mut bindings::folio) -> usize {
    // SAFETY: a live folio (the caller's contract).
    if !unsafe { test_flag(folio, bindings::pageflags_PG_head) } {
        return 1;
    }
    // SAFETY: a live large folio: its second page holds its order, set
    // when it was made and not changed while it is referenced.
    let flags_1 = unsafe { (*folio).__bindgen_anon_2.__bindgen_anon_1._flags_1 };
    1 << (flags_1 & 0xff)
}

/// A folio (`struct folio`), always reference counted: owned as
/// [`ARef<Folio>`].
///
/// # Invariants
///
/// A `&Folio` is a live folio (of any order) on which someone holds a
/// reference for at least the lifetime of the borrow.
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
    /// `ptr` is null or a live folio on which the caller owns a
    /// reference, which it gives up.
    unsafe fn from_owned(ptr: *mut bindings::folio) -> Option<ARef<Folio>> {
        let ptr = NonNull::new(ptr)?;
        // SAFETY: see the function's safety section; `Folio` is
        // `repr(transparent)` over `struct folio`.
        Some(unsafe { ARef::from_raw(ptr.cast()) })
    }

    /// A fresh folio of `2^order` pages, in no cache, not zeroed: the
    /// caller fills it or zeroes it ([`Folio::zero_outside`]) before anyone
    /// reads it. A large folio is tried without retrying: `ENOMEM` tells
    /// the caller to use smaller ones.
    pub(crate) fn alloc(order: u32) -> Result<ARef<Folio>> {
        // A large folio without retries or warnings, as the page cache's
        // own allocations: the caller falls back to smaller ones.
        let gfp = if order == 0 {
            gfp_highuser()
        } else {
            // SAFETY: a constant of `zcfs_vfs.c`, never written.
            gfp_highuser() | unsafe { zcfs_gfp_noretry } | bindings::__GFP_NOWARN
        };
        Self::alloc_gfp(gfp, order).ok_or(ENOMEM)
    }

    /// A fresh folio of `2^order` pages allocated with `gfp`
    /// (`folio_alloc`), or `None`.
    fn alloc_gfp(gfp: bindings::gfp_t, order: u32) -> Option<ARef<Folio>> {
        // SAFETY: plain allocation (the page allocator refuses an order it
        // does not have); the result is a new folio with one reference, or
        // null.
        unsafe { Self::from_owned(zcfs_folio_alloc(gfp, order)) }
    }

    /// Zeroes the bytes of the folio outside `len` bytes at `off` (both
    /// clamped to the folio): the edges of a fresh folio that its user
    /// fills in between. The folio is the caller's alone (in no cache).
    pub(crate) fn zero_outside(&self, off: usize, len: usize) {
        let size = self.size();
        let off = off.min(size);
        let end = off + len.min(size - off);
        if off > 0 || end < size {
            // SAFETY: a live folio (invariant) that no one else uses yet;
            // the segments are within it.
            unsafe { zcfs_folio_zero_segments(self.as_raw(), 0, off, end, size) }
        }
    }

    /// A fresh uptodate copy of `src`, of the same size, in no cache: a
    /// high-order allocation for a large folio, which may fail (`ENOMEM`)
    /// where a page would not.
    pub(crate) fn alloc_copy(src: &Folio) -> Result<ARef<Folio>> {
        let new = Self::alloc_gfp(gfp_highuser(), src.order()).ok_or(ENOMEM)?;
        // SAFETY: two live folios of the same size (invariant); `new` is
        // ours alone, in no cache.
        unsafe { bindings::folio_copy(new.as_raw(), src.as_raw()) };
        // SAFETY: as above.
        unsafe { zcfs_folio_mark_uptodate(new.as_raw()) };
        Ok(new)
    }

    /// The uptodate page-cache folios of `file` from page `index` on, as
    /// far as they are contiguous (at most to page `last`), with a
    /// reference each; none if page `index` is a hole. Nothing is
    /// allocated.
    ///
    /// A folio that is not uptodate (being filled by a fault's
    /// `read_folio`) is waited for (its lock); one whose fill failed ends
    /// the batch, and reads as a hole.
    pub(crate) fn lookup(file: &File, index: u64, last: u64) -> FolioBatch {
        // Not zeroed first: only the pointers the lookup stores are read.
        let mut batch = FolioBatch {
            ptrs: [const { MaybeUninit::uninit() }; BATCH],
            n: 0,
            next: 0,
        };
        // No further than `BATCH` pages: the lookup takes a reference on
        // every folio it returns, and those beyond would only be put back.
        let last = if last >= index && last - index >= BATCH as u64 {
            index + BATCH as u64 - 1
        } else {
            last
        };
        let (Ok(mut start), Ok(last)) = (usize::try_from(index), usize::try_from(last)) else {
            return batch;
        };
        // SAFETY: `file` is live; `f_inode` is set at open and never
        // changes, nor does the inode's `i_mapping`.
        let mapping = unsafe { (*(*file.as_ptr()).f_inode).i_mapping };
        // Not zeroed either (`folio_batch_init`): only the entries the
        // lookup stores are read.
        let mut fbatch = MaybeUninit::<bindings::folio_batch>::uninit();
        let fb = fbatch.as_mut_ptr();
        // SAFETY: `fb` is valid for writes; `folio_batch_init`.
        unsafe {
            (&raw mut (*fb).nr).write(0);
            (&raw mut (*fb).i).write(0);
            (&raw mut (*fb).percpu_pvec_drained).write(false);
        }
        // SAFETY: `mapping` is the live cache of `file`'s inode; `fb` is
        // an initialized, empty batch, which the lookup fills with
        // referenced folios.
        let got = unsafe { bindings::filemap_get_folios_contig(mapping, &mut start, last, fb) };
        // SAFETY: the lookup initialized the batch's first `got` entries.
        let got = usize::from(unsafe { (*fb).nr }).min(got as usize);
        let mut i = 0;
        while i < got && batch.n < BATCH {
            // SAFETY: `i < got`: an entry the lookup stored, a folio it
            // referenced for us.
            let folio = unsafe { (*fb).folios[i] };
            // SAFETY: a live folio (referenced).
            if !unsafe { test_uptodate(folio) } {
                // SAFETY: a live folio; process context, no lock held.
                unsafe { zcfs_folio_lock(folio) };
                // SAFETY: a live folio, locked by us: its `mapping` is
                // stable.
                let ok = unsafe { (*folio).__bindgen_anon_1.__bindgen_anon_1.mapping == mapping }
                    // SAFETY: as above.
                    && unsafe { test_uptodate(folio) };
                // SAFETY: locked just above.
                unsafe { bindings::folio_unlock(folio) };
                if !ok {
                    break;
                }
            }
            // INVARIANT: `ptrs[..n]` are folios referenced for us.
            batch.ptrs[batch.n].write(folio);
            batch.n += 1;
            i += 1;
        }
        for j in i..got {
            // SAFETY: an entry of the lookup not handed out: our
            // reference, given up.
            unsafe { zcfs_folio_put((*fb).folios[j]) };
        }
        batch
    }

    /// The `struct folio`.
    pub(crate) fn as_raw(&self) -> *mut bindings::folio {
        self.0.get()
    }

    /// The index of the folio's first page in its file.
    pub(crate) fn index(&self) -> u64 {
        // SAFETY: a live folio (invariant); `index` is read as the kernel's
        // own accessors read it.
        unsafe {
            (*self.as_raw())
                .__bindgen_anon_1
                .__bindgen_anon_1
                .__bindgen_anon_2
                .index as u64
        }
    }

    /// The number of pages of the folio (`folio_nr_pages`).
    pub(crate) fn nr_pages(&self) -> usize {
        // SAFETY: a live folio (invariant).
        unsafe { nr_pages(self.as_raw()) }
    }

    /// Whether the folio is fresh: a folio of a loan or a copy, which no
    /// cache (`mapping`) or LRU list (`PG_lru`) knows.
    pub(crate) fn fresh(&self) -> bool {
        let folio = self.as_raw();
        // SAFETY: a live folio (invariant).
        unsafe {
            (*folio).__bindgen_anon_1.__bindgen_anon_1.mapping.is_null()
                && !test_flag(folio, bindings::pageflags_PG_lru)
        }
    }

    /// Marks the folio's data valid (`folio_mark_uptodate`) before anyone
    /// else sees it.
    ///
    /// # Safety
    ///
    /// The folio is [fresh](Folio::fresh) and the caller's alone.
    pub(crate) unsafe fn mark_uptodate_unshared(&self) {
        // SAFETY: a live folio (invariant).
        unsafe { zcfs_folio_mark_uptodate(self.as_raw()) }
    }

    /// Locks the folio before anyone else sees it (`__folio_set_locked`,
    /// a non-atomic bit operation); the caller unlocks it after it
    /// published it.
    ///
    /// # Safety
    ///
    /// The folio is [fresh](Folio::fresh), unlocked and the caller's alone.
    pub(crate) unsafe fn set_locked_unshared(&self) {
        let folio = self.as_raw();
        // SAFETY: a live folio (invariant) that no one else sees (the
        // function's safety section).
        unsafe { bindings::__set_bit(bindings::pageflags_PG_locked as usize, flags(folio)) }
    }

    /// The folio's order (`folio_order`): `nr_pages() == 1 << order()`.
    pub(crate) fn order(&self) -> u32 {
        self.nr_pages().trailing_zeros()
    }

    /// A segment of `len` bytes at `off` in the folio, both within the
    /// folio: its page is the folio's page holding byte `off`, so a
    /// segment may span several pages of a large folio.
    pub(crate) fn segment(&self, off: usize, len: usize) -> Segment {
        // SAFETY: a live folio (invariant), whose pages are consecutive
        // `struct page`s from its first (`folio_page`); `off` is within it.
        let page =
            unsafe { (&raw mut (*self.as_raw()).__bindgen_anon_1.page).add(off / PAGE_SIZE) };
        // SAFETY: the loan that holds the segment holds this folio
        // reference (`self`) as long as the segment; the bytes are within
        // the folio.
        unsafe { page_segment(page, off % PAGE_SIZE, len) }
    }

    /// Marks a page-cache folio as lent: writers check its references
    /// from now on, even after the loan's return (see [`crate::cache`]).
    /// The caller holds a reference on it, taken before, and issues a full
    /// barrier after its marks, before it checks the file's mappings.
    ///
    /// The mark is `PG_owner_2`, the filesystem's own flag for page-cache
    /// folios; it is written (an atomic `set_bit`) only if it is not set.
    pub(crate) fn lend(&self) {
        let folio = self.as_raw();
        // SAFETY: a live folio (invariant).
        if !unsafe { test_flag(folio, bindings::pageflags_PG_owner_2) } {
            // SAFETY: a live folio; an atomic bit operation on its flags
            // (`folio_set_owner_2`).
            unsafe { bindings::set_bit(bindings::pageflags_PG_owner_2 as usize, flags(folio)) };
        }
    }
}

/// Most folios of one batched lookup (a `struct folio_batch` holds 31).
const BATCH: usize = 16;

/// The folios of one batched lookup ([`Folio::lookup`]), handed out in
/// file order; those not taken are released on drop.
///
/// # Invariants
///
/// `ptrs[..n]` are initialized, and `ptrs[next..n]` are live folios, each
/// with a reference this value owns.
pub(crate) struct FolioBatch {
    ptrs: [MaybeUninit<*mut bindings::folio>; BATCH],
    n: usize,
    next: usize,
}

impl Iterator for FolioBatch {
    type Item = ARef<Folio>;

    fn next(&mut self) -> Option<ARef<Folio>> {
        if self.next >= self.n {
            return None;
        }
        // SAFETY: `next < n`: initialized (invariant).
        let ptr = unsafe { self.ptrs[self.next].assume_init() };
        self.next += 1;
        // SAFETY: an owned, referenced folio (invariant), handed over once.
        unsafe { Folio::from_owned(ptr) }
    }
}

impl Drop for FolioBatch {
    fn drop(&mut self) {
        for folio in self.by_ref() {
            drop(folio);
        }
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
    /// `ptr` is a live folio, referenced and locked by the caller for
    /// `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::folio) -> &'a LockedFolio {
        // SAFETY: see the function's safety section; `LockedFolio` and
        // `Folio` are `repr(transparent)` over `struct folio`.
        unsafe { &*ptr.cast::<LockedFolio>() }
    }

    /// Whether the folio is marked lent ([`Folio::lend`]).
    pub(crate) fn test_lent(&self) -> bool {
        // SAFETY: a live folio (invariant).
        unsafe { test_flag(self.as_raw(), bindings::pageflags_PG_owner_2) }
    }

    /// Unmarks a lent folio: it has no reference left beyond the page
    /// cache's (see [`crate::cache::needs_cow`] for the order against new
    /// loans).
    pub(crate) fn clear_lent(&self) {
        // SAFETY: a live, locked folio (invariant); an atomic bit
        // operation on its flags (`folio_clear_owner_2`).
        unsafe {
            bindings::clear_bit(
                bindings::pageflags_PG_owner_2 as usize,
                flags(self.as_raw()),
            )
        }
    }

    /// The folio's references (`folio_ref_count`).
    pub(crate) fn ref_count(&self) -> i32 {
        // SAFETY: a live folio (invariant): `folio_ref_count` reads its
        // `_refcount` atomically.
        unsafe {
            bindings::atomic_read(
                &raw const (*self.as_raw()).__bindgen_anon_1.__bindgen_anon_1._refcount,
            )
        }
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
    /// `ptr` is null or a live folio which the caller has locked and holds
    /// a reference on, both of which it gives up.
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
/// `off` within the page; the bytes lie within the page or, for a page of
/// a large folio, within its folio.
///
/// # Safety
///
/// `page` is the zero page (and the bytes within it) or a page of a folio
/// whose reference the caller's loan holds for as long as the segment.
unsafe fn page_segment(page: *mut bindings::page, off: usize, len: usize) -> Segment {
    // SAFETY: the page outlives the segment (the caller's contract).
    unsafe {
        Segment::from_raw(bindings::bio_vec {
            bv_page: page,
            // Within a folio (at most `MAX_PAGECACHE_ORDER` pages).
            bv_len: len as u32,
            bv_offset: off as u32,
        })
    }
}

/// A segment over the shared zero page (`len` bytes at `off`, within the
/// page): a hole of the file in a filled READ loan.
/// The zero page is static: no reference is taken or dropped, it is never
/// recorded as loaned, and consumers never write into READ loans.
pub(crate) fn zero_segment(off: usize, len: usize) -> Segment {
    // SAFETY: `zcfs_zero_page` returns the static zero page.
    unsafe { zero_page_segment(zcfs_zero_page(), off, len) }
}

/// A segment of `len` bytes at `off` of the zero page `zero`, kept within
/// the page.
///
/// # Safety
///
/// `zero` is the static zero page (`zcfs_zero_page`), which lives forever.
unsafe fn zero_page_segment(zero: *mut bindings::page, off: usize, len: usize) -> Segment {
    let off = off % PAGE_SIZE;
    // SAFETY: the zero page outlives the segment (the caller's contract);
    // the bytes are kept within it.
    unsafe { page_segment(zero, off, len.min(PAGE_SIZE - off)) }
}

// ---- page-cache folios of the data path (`crate::rw`) ----

use kernel::page::PAGE_SHIFT;

// Pointers to opaque kernel structures: some bindgen types contain
// zero-length arrays, which the lint flags although only pointers cross.
#[allow(improper_ctypes)]
extern "C" {
    fn zcfs_filemap_alloc_folio(gfp: bindings::gfp_t, order: u32) -> *mut bindings::folio;
    fn zcfs_folio_lock(folio: *mut bindings::folio);
    fn zcfs_folio_mark_uptodate(folio: *mut bindings::folio);
    fn zcfs_folio_zero_segments(
        folio: *mut bindings::folio,
        start1: usize,
        end1: usize,
        start2: usize,
        end2: usize,
    );
    fn zcfs_flush_dcache_folio(folio: *mut bindings::folio);
}

impl Folio {
    /// The folio at `ptr`, borrowed.
    ///
    /// # Safety
    ///
    /// `ptr` is a live folio on which the caller holds a reference for
    /// `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::folio) -> &'a Folio {
        // SAFETY: see the function's safety section; `Folio` is
        // `repr(transparent)` over `struct folio`.
        unsafe { &*ptr.cast::<Folio>() }
    }

    /// Takes over the reference a C function returned with `ptr`, or
    /// `None` if it returned null.
    ///
    /// # Safety
    ///
    /// As [`Folio::from_owned`]: `ptr` is null or a live folio on which
    /// the caller owns a reference, which it gives up.
    pub(crate) unsafe fn take_owned(ptr: *mut bindings::folio) -> Option<ARef<Folio>> {
        // SAFETY: see the function's safety section.
        unsafe { Self::from_owned(ptr) }
    }

    /// A fresh folio of `2^order` pages for a page cache, allocated with
    /// `gfp` as the page cache allocates its own (`filemap_alloc_folio`),
    /// in no cache, not zeroed; `None` when memory is short.
    pub(crate) fn alloc_for_cache(gfp: bindings::gfp_t, order: u32) -> Option<ARef<Folio>> {
        // SAFETY: plain allocation (the page allocator refuses an order it
        // does not have); the result is a new folio with one reference, or
        // null.
        unsafe { Self::from_owned(zcfs_filemap_alloc_folio(gfp, order)) }
    }

    /// The folio's size in bytes (`folio_size`).
    pub(crate) fn size(&self) -> usize {
        self.nr_pages() << PAGE_SHIFT
    }

    /// The offset in the folio of the file position `pos`
    /// (`offset_in_folio`).
    pub(crate) fn offset_of(&self, pos: u64) -> usize {
        // The size is a power of two: the offset is below it.
        (pos as usize) & self.size().wrapping_sub(1)
    }

    /// Whether the folio holds valid data (`folio_test_uptodate`).
    pub(crate) fn test_uptodate(&self) -> bool {
        // SAFETY: a live folio (invariant).
        unsafe { test_uptodate(self.as_raw()) }
    }

    /// `flush_dcache_folio`: user mappings may have written the folio.
    pub(crate) fn flush_dcache(&self) {
        // SAFETY: a live folio (invariant).
        unsafe { zcfs_flush_dcache_folio(self.as_raw()) }
    }

    /// `folio_mark_accessed`, for the page cache's LRU.
    pub(crate) fn mark_accessed(&self) {
        // SAFETY: a live folio (invariant).
        unsafe { bindings::folio_mark_accessed(self.as_raw()) }
    }

    /// Locks the folio (`folio_lock`, may sleep) for as long as the
    /// returned lock lives.
    pub(crate) fn lock(&self) -> FolioLock<'_> {
        // SAFETY: a live folio (invariant).
        unsafe { zcfs_folio_lock(self.as_raw()) };
        // SAFETY: locked just now; the lock is handed over.
        unsafe { FolioLock::new(self) }
    }
}

impl LockedFolio {
    /// Marks the folio's data valid (`folio_mark_uptodate`).
    pub(crate) fn mark_uptodate(&self) {
        // SAFETY: a live, locked folio (invariant).
        unsafe { zcfs_folio_mark_uptodate(self.as_raw()) }
    }

    /// Zeroes the bytes `[start1, end1)` and `[start2, end2)` of the folio
    /// (`folio_zero_segments`); the ends are clamped to the folio.
    pub(crate) fn zero_segments(&self, start1: usize, end1: usize, start2: usize, end2: usize) {
        let size = self.size();
        // SAFETY: a live, locked folio (invariant); the segments are
        // within it.
        unsafe {
            zcfs_folio_zero_segments(
                self.as_raw(),
                start1,
                end1.min(size),
                start2,
                end2.min(size),
            )
        }
    }

    /// Zeroes `len` bytes at `start` of the folio (`folio_zero_range`).
    pub(crate) fn zero_range(&self, start: usize, len: usize) {
        self.zero_segments(start, start.saturating_add(len), 0, 0);
    }

    /// Marks the folio dirty (`folio_mark_dirty`): a page-cache folio of
    /// zcfs is never dropped by invalidation once dirty.
    pub(crate) fn mark_dirty(&self) {
        // SAFETY: a live, locked folio (invariant).
        unsafe { bindings::folio_mark_dirty(self.as_raw()) };
    }

    /// Waits for writeback of the folio to end (`folio_wait_stable`).
    pub(crate) fn wait_stable(&self) {
        // SAFETY: a live, locked folio (invariant).
        unsafe { bindings::folio_wait_stable(self.as_raw()) }
    }
}

impl FolioGuard {
    /// Takes over the lock of `folio`, with its reference.
    ///
    /// # Safety
    ///
    /// `folio` is locked by the caller, which gives the lock up.
    pub(crate) unsafe fn from_locked(folio: ARef<Folio>) -> FolioGuard {
        // INVARIANT: locked by the caller, now ours.
        FolioGuard { folio }
    }

    /// Gives up the folio still locked and referenced, for a caller that
    /// hands both to the kernel (`write_begin`).
    pub(crate) fn into_raw(self) -> *mut bindings::folio {
        let ptr = self.folio.as_raw();
        // Neither unlocked nor put: both go with the pointer.
        core::mem::forget(self);
        ptr
    }
}

/// The lock of a folio on which someone else holds the reference; given
/// up on drop, or kept for the kernel ([`FolioLock::keep`]).
///
/// # Invariants
///
/// `folio` is locked by this value.
pub(crate) struct FolioLock<'a> {
    folio: &'a Folio,
}

impl<'a> FolioLock<'a> {
    /// Takes over the lock of `folio`.
    ///
    /// # Safety
    ///
    /// `folio` is locked by the caller, which gives the lock up.
    pub(crate) unsafe fn new(folio: &'a Folio) -> FolioLock<'a> {
        // INVARIANT: locked by the caller, now ours.
        FolioLock { folio }
    }

    /// Leaves the folio locked, for the caller's caller to unlock (a
    /// fault's `VM_FAULT_LOCKED`).
    pub(crate) fn keep(self) {
        core::mem::forget(self);
    }
}

impl Deref for FolioLock<'_> {
    type Target = LockedFolio;

    fn deref(&self) -> &LockedFolio {
        // SAFETY: a referenced folio (`&'a Folio`), locked while `self`
        // lives (invariant).
        unsafe { LockedFolio::from_raw(self.folio.as_raw()) }
    }
}

impl Drop for FolioLock<'_> {
    fn drop(&mut self) {
        // SAFETY: locked by this value (invariant).
        unsafe { bindings::folio_unlock(self.folio.as_raw()) }
    }
}
