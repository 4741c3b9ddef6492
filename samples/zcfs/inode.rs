// SPDX-License-Identifier: GPL-2.0

//! The inode of a zcfs regular file, reference counted ([`ARef<Inode>`]),
//! its lock, and the Rust state it carries in `i_private`
//! ([`InodeState`]), with the entry points through which the C callbacks
//! of `zcfs_vfs.c` reach that state; and any zcfs inode's page cache and
//! charges ([`CacheInode`]), which a regular file's [`Inode`] derefs to.

use crate::folio::{Folio, FolioGuard, FolioLock, LockedFolio};
use crate::inode_state::InodeState;
use crate::options::RawOpts;
use crate::space::Space;
use crate::zcvfs_api::error::from_ssize;
use crate::zcvfs_api::error::to_result;
use crate::zcvfs_api::xuio::Segment;
use core::ops::Deref;
use core::ptr::NonNull;
use kernel::bindings;
use kernel::ffi::{c_int, c_void};
use kernel::fs::File;
use kernel::prelude::*;
use kernel::sync::aref::{ARef, AlwaysRefCounted};
use kernel::sync::atomic::Atomic;
use kernel::types::{ForeignOwnable, Opaque};

// Pointers to opaque kernel structures: some bindgen types contain
// zero-length arrays, which the lint flags although only pointers cross.
#[allow(improper_ctypes)]
extern "C" {
    fn zcfs_inode_opts(inode: *mut bindings::inode) -> *const RawOpts;
    fn zcfs_inode_space(inode: *mut bindings::inode) -> *mut c_void;
    fn zcfs_lock_cached_folio(inode: *mut bindings::inode, index: u64) -> *mut bindings::folio;
    fn zcfs_page_cache_replace(
        inode: *mut bindings::inode,
        old: *mut bindings::folio,
        new: *mut bindings::folio,
    ) -> c_int;
    fn zcfs_page_cache_add(
        inode: *mut bindings::inode,
        new: *mut bindings::folio,
        index: u64,
    ) -> c_int;
    fn zcfs_cond_resched();
    fn zcfs_inode_mapped(inode: *mut bindings::inode) -> bool;
    fn zcfs_inode_max_order(inode: *mut bindings::inode) -> u32;
    fn zcfs_isize(inode: *mut bindings::inode) -> i64;
    fn zcfs_inode_lock(inode: *mut bindings::inode);
    fn zcfs_inode_unlock(inode: *mut bindings::inode);
    fn zcfs_write_prepare(file: *mut bindings::file, pos: i64, len: usize) -> c_int;
    fn zcfs_copy_in(
        file: *mut bindings::file,
        pos: i64,
        page: *mut bindings::page,
        off: u32,
        len: u32,
    ) -> isize;
    fn zcfs_extend_isize(inode: *mut bindings::inode, end: i64);
    fn zcfs_inode_alloced(inode: *mut bindings::inode) -> *mut i64;
    fn zcfs_inode_nrpages(inode: *mut bindings::inode) -> usize;
    fn zcfs_inode_gfp(inode: *mut bindings::inode) -> bindings::gfp_t;
    fn zcfs_inode_writably_mapped(inode: *mut bindings::inode) -> bool;
    fn zcfs_get_cached_folio(inode: *mut bindings::inode, index: u64) -> *mut bindings::folio;
    fn zcfs_sb_start_pagefault(inode: *mut bindings::inode);
    fn zcfs_sb_end_pagefault(inode: *mut bindings::inode);
    fn zcfs_folio_host(folio: *mut bindings::folio) -> *mut bindings::inode;
    fn zcfs_folio_in_cache_of(folio: *mut bindings::folio, inode: *mut bindings::inode) -> bool;
}

fn pos_i64(pos: u64) -> Result<i64> {
    i64::try_from(pos).map_err(|_| EFBIG)
}

/// The inode of a zcfs regular file, always reference counted: owned as
/// [`ARef<Inode>`].
///
/// # Invariants
///
/// A `&Inode` is a live zcfs regular-file inode, referenced for at least
/// the lifetime of the borrow; its `i_private` is its live
/// [`InodeState`], freed only at eviction, which the reference prevents.
#[repr(transparent)]
pub(crate) struct Inode(Opaque<bindings::inode>);

// SAFETY: inode references may be taken and dropped on any thread.
unsafe impl Send for Inode {}
// SAFETY: shared access reads through the kernel's own locking and atomics.
unsafe impl Sync for Inode {}

// SAFETY: `ihold` and `iput` keep the inode alive while its count is not
// zero.
unsafe impl AlwaysRefCounted for Inode {
    fn inc_ref(&self) {
        // SAFETY: a live inode with a reference (invariant).
        unsafe { bindings::ihold(self.as_raw()) }
    }

    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: the caller gives up a reference it owns; `Inode` is
        // `repr(transparent)` over `struct inode`.
        unsafe { bindings::iput(obj.cast().as_ptr()) }
    }
}

impl Inode {
    /// The inode of `file`, which zcvfs passes to zcfs's provider
    /// operations: `EINVAL` unless it is a zcfs regular file.
    pub(crate) fn of_file(file: &File) -> Result<ARef<Inode>> {
        // SAFETY: `file` is live; `f_inode` is set at open and never
        // changes.
        let inode = unsafe { (*file.as_ptr()).f_inode };
        // SAFETY: as above, the inode is live; its type and `i_private`
        // are set when it is made and never change. zcvfs calls zcfs only
        // for zcfs files, which have a state if they are regular files.
        let (mode, state) = unsafe { (u32::from((*inode).i_mode), (*inode).i_private) };
        if mode & bindings::S_IFMT != bindings::S_IFREG || state.is_null() {
            return Err(EINVAL);
        }
        // SAFETY: a zcfs regular-file inode with its state, which `file`
        // references while it is borrowed; `ARef::from` takes our
        // reference.
        Ok(ARef::from(unsafe { &*inode.cast::<Inode>() }))
    }

    /// The inode at `ptr`, for the C callbacks.
    ///
    /// # Safety
    ///
    /// `ptr` is a live zcfs regular-file inode, referenced for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::inode) -> &'a Inode {
        // SAFETY: see the function's safety section; `Inode` is
        // `repr(transparent)` over `struct inode`.
        unsafe { &*ptr.cast::<Inode>() }
    }

    /// The inode of `file`, for the C callbacks.
    ///
    /// # Safety
    ///
    /// `file` is a live zcfs regular file, referenced for `'a`.
    pub(crate) unsafe fn of_zcfs_file<'a>(file: *mut bindings::file) -> &'a Inode {
        // SAFETY: see the function's safety section: `f_inode` is set at
        // open and never changes, and the file holds its inode.
        unsafe { Self::from_raw((*file).f_inode) }
    }

    fn as_raw(&self) -> *mut bindings::inode {
        self.0.get()
    }

    /// The inode's range lock and loan set.
    pub(crate) fn state(&self) -> Pin<&InodeState> {
        // SAFETY: by the type invariant `i_private` is the inode's live
        // `Pin<KBox<InodeState>>` (set when the inode is made, never
        // changed), not freed while the inode is referenced.
        unsafe { <Pin<KBox<InodeState>> as ForeignOwnable>::borrow((*self.as_raw()).i_private) }
    }

    /// The mount's options.
    pub(crate) fn opts(&self) -> RawOpts {
        // SAFETY: the super_block (and its `s_fs_info`) lives at least as
        // long as the inode.
        unsafe { *zcfs_inode_opts(self.as_raw()) }
    }

    /// Runs `f` on each folio of the cache that holds a page from `first`
    /// to `last` (inclusive), locked, once per folio; stops at the first
    /// error.
    pub(crate) fn for_each_cached_folio(
        &self,
        first: u64,
        last: u64,
        mut f: impl FnMut(&LockedFolio) -> Result,
    ) -> Result {
        let mut index = first;
        while index <= last {
            let next = match self.lock_cached_folio(index) {
                Some(folio) => {
                    // Read before `f`, which may replace the folio.
                    let next = folio.index().saturating_add(folio.nr_pages() as u64);
                    f(&folio)?;
                    next
                }
                None => index + 1,
            };
            // SAFETY: called from process context with no lock held.
            unsafe { zcfs_cond_resched() };
            index = next.max(index + 1);
        }
        Ok(())
    }

    /// Replaces the locked folio `old` of the cache by `new`, a fresh
    /// folio of the same size (in no cache, not on the LRU: else
    /// `EINVAL`), which becomes
    /// uptodate and dirty; mappings of `old` are zapped. `old` stays
    /// locked and referenced by the caller, and keeps its data for its
    /// loans. The cache takes its own reference on `new`. Charges move
    /// with the pages: the caller accounts for them.
    pub(crate) fn replace_cached(&self, old: &LockedFolio, new: &Folio) -> Result {
        // SAFETY: live inode (invariant), `old` live and locked, `new`
        // live; the C side checks that `old` is of this inode's cache and
        // that `new` is fresh.
        to_result(unsafe { zcfs_page_cache_replace(self.as_raw(), old.as_raw(), new.as_raw()) })
    }

    /// Adds `new`, a fresh folio (else `EINVAL`) that the caller charged to
    /// the mount, to the cache at page `index`, uptodate and locked until
    /// the returned lock is dropped (the caller counts the charge and
    /// marks it dirty first); a large folio must be aligned in the file to
    /// its size and no larger than [`CacheInode::max_folio_order`] allows
    /// (else `EINVAL`). `EEXIST` if a folio is in any of the pages it
    /// would take. The cache takes its own references.
    pub(crate) fn add_cached<'a>(&self, new: &'a Folio, index: u64) -> Result<FolioLock<'a>> {
        // SAFETY: live inode (invariant), `new` live; the C side checks
        // that it is fresh.
        to_result(unsafe { zcfs_page_cache_add(self.as_raw(), new.as_raw(), index) })?;
        // SAFETY: added, so locked by the page cache's add, for us; the
        // caller's reference keeps `new` for `'a`.
        Ok(unsafe { FolioLock::new(new) })
    }

    /// Whether the file is memory-mapped anywhere.
    pub(crate) fn mapped(&self) -> bool {
        // SAFETY: live inode (invariant).
        unsafe { zcfs_inode_mapped(self.as_raw()) }
    }

    /// Take the inode lock (`inode_lock`), as write(2) does.
    pub(crate) fn lock(&self) -> InodeLockGuard<'_> {
        // SAFETY: live inode (invariant); released by the guard.
        unsafe { zcfs_inode_lock(self.as_raw()) };
        InodeLockGuard { inode: self }
    }
}

impl Deref for Inode {
    type Target = CacheInode;

    fn deref(&self) -> &CacheInode {
        // SAFETY: a zcfs regular-file inode is a zcfs inode, live for the
        // borrow (invariant); both types are `repr(transparent)` over
        // `struct inode`.
        unsafe { CacheInode::from_raw(self.as_raw()) }
    }
}

/// A zcfs inode of any type (regular file, directory, symlink): its page
/// cache, which the address-space operations fill, and what it charged to
/// the mount's [`Space`].
///
/// # Invariants
///
/// A `&CacheInode` is a live zcfs inode (made by `zcfs_vfs.c`'s
/// `alloc_inode`, so inside a `struct zcfs_inode_info`) for at least the
/// lifetime of the borrow.
#[repr(transparent)]
pub(crate) struct CacheInode(Opaque<bindings::inode>);

impl CacheInode {
    /// The zcfs inode at `ptr`.
    ///
    /// # Safety
    ///
    /// `ptr` is a live zcfs inode for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::inode) -> &'a CacheInode {
        // SAFETY: see the function's safety section; `CacheInode` is
        // `repr(transparent)` over `struct inode`.
        unsafe { &*ptr.cast::<CacheInode>() }
    }

    /// The inode whose cache `mapping` is.
    ///
    /// # Safety
    ///
    /// `mapping` is the `i_mapping` of a zcfs inode that is live for `'a`.
    pub(crate) unsafe fn of_mapping<'a>(mapping: *mut bindings::address_space) -> &'a CacheInode {
        // SAFETY: see the function's safety section: its host is the inode.
        unsafe { Self::from_raw((*mapping).host) }
    }

    /// The inode whose cache holds `folio`.
    ///
    /// # Safety
    ///
    /// `folio` is a folio of the cache of a zcfs inode that is live for
    /// `'a`, locked by the caller (so that it stays in that cache).
    pub(crate) unsafe fn of_cached_folio<'a>(folio: *mut bindings::folio) -> &'a CacheInode {
        // SAFETY: see the function's safety section.
        unsafe { Self::from_raw(zcfs_folio_host(folio)) }
    }

    fn as_raw(&self) -> *mut bindings::inode {
        self.0.get()
    }

    /// The mount's space and loan budget.
    pub(crate) fn space(&self) -> &Space {
        // SAFETY: the super_block's `s_fs_info` holds the mount's
        // `KBox<Space>`, freed after the last inode is evicted, which the
        // inode being live (invariant) prevents.
        unsafe { <KBox<Space> as ForeignOwnable>::borrow(zcfs_inode_space(self.as_raw())) }
    }

    /// The pages the inode's cache has charged to the mount's space
    /// (`struct zcfs_inode_info`'s `alloced`, see [`crate::space::recalc`]).
    pub(crate) fn charges(&self) -> &Atomic<i64> {
        // SAFETY: the inode is live (invariant), inside its
        // `struct zcfs_inode_info`, whose `alloced` is aligned, was zeroed
        // at allocation and is accessed only through this atomic since.
        unsafe { Atomic::from_ptr(zcfs_inode_alloced(self.as_raw())) }
    }

    /// The pages in the inode's cache (`nrpages`).
    pub(crate) fn cached_pages(&self) -> u64 {
        // SAFETY: live inode (invariant); read once.
        unsafe { zcfs_inode_nrpages(self.as_raw()) as u64 }
    }

    /// The allocation flags of the inode's cache (`mapping_gfp_mask`).
    pub(crate) fn gfp(&self) -> bindings::gfp_t {
        // SAFETY: live inode (invariant).
        unsafe { zcfs_inode_gfp(self.as_raw()) }
    }

    /// Whether the file is mapped writable anywhere
    /// (`mapping_writably_mapped`).
    pub(crate) fn writably_mapped(&self) -> bool {
        // SAFETY: live inode (invariant).
        unsafe { zcfs_inode_writably_mapped(self.as_raw()) }
    }

    /// The page-cache folio at page `index`, locked, or `None`.
    pub(crate) fn lock_cached_folio(&self, index: u64) -> Option<FolioGuard> {
        // SAFETY: live inode (invariant); the result is null or a folio
        // of its cache, locked and with a reference for us.
        unsafe { FolioGuard::from_owned_locked(zcfs_lock_cached_folio(self.as_raw(), index)) }
    }

    /// The page-cache folio at page `index`, uptodate or not, unlocked,
    /// or `None`.
    pub(crate) fn cached_folio(&self, index: u64) -> Option<ARef<Folio>> {
        // SAFETY: live inode (invariant); the result is null or a folio
        // of its cache with a reference for us.
        unsafe { Folio::take_owned(zcfs_get_cached_folio(self.as_raw(), index)) }
    }

    /// Whether `folio`, locked, is (still) in this inode's cache.
    pub(crate) fn holds(&self, folio: &LockedFolio) -> bool {
        // SAFETY: live inode (invariant), live folio.
        unsafe { zcfs_folio_in_cache_of(folio.as_raw(), self.as_raw()) }
    }

    /// Adds the fresh folio `folio` to the cache at page `index`
    /// (`filemap_add_folio`, which allocates with `gfp`): locked, with
    /// the reference the caller gave. On failure the reference is
    /// dropped: `EEXIST` if a folio is in any of the pages it would take.
    pub(crate) fn add_folio(
        &self,
        folio: ARef<Folio>,
        index: u64,
        gfp: bindings::gfp_t,
    ) -> Result<FolioGuard> {
        let index = usize::try_from(index).map_err(|_| EINVAL)?;
        // SAFETY: live inode (invariant) and its mapping; `folio` is live,
        // and the page cache checks that it is in no other cache.
        to_result(unsafe {
            bindings::filemap_add_folio((*self.as_raw()).i_mapping, folio.as_raw(), index, gfp)
        })?;
        // SAFETY: added, so locked by `filemap_add_folio`, for us.
        Ok(unsafe { FolioGuard::from_locked(folio) })
    }

    /// Removes the locked folio from the cache after its fill failed
    /// (`generic_error_remove_folio`): a hole again.
    pub(crate) fn error_remove_folio(&self, folio: &LockedFolio) {
        // SAFETY: live inode (invariant); `folio` is locked, the page
        // cache checks that it is of this mapping.
        unsafe { bindings::generic_error_remove_folio((*self.as_raw()).i_mapping, folio.as_raw()) };
    }

    /// The largest folio order the file's cache takes: 0 on a kernel
    /// without large folios for files.
    pub(crate) fn max_folio_order(&self) -> u32 {
        // SAFETY: live inode (invariant).
        unsafe { zcfs_inode_max_order(self.as_raw()) }
    }

    /// `i_size`.
    pub(crate) fn size(&self) -> u64 {
        // SAFETY: live inode (invariant).
        let s = unsafe { zcfs_isize(self.as_raw()) };
        u64::try_from(s).unwrap_or(0)
    }

    /// Extends `i_size` to `end` if it is smaller. The caller serializes
    /// size changes: it holds the inode lock, or is the only user of a new
    /// inode (`write_end` of a write or of a new symlink).
    pub(crate) fn extend_size(&self, end: u64) -> Result {
        // SAFETY: live inode (invariant).
        unsafe { zcfs_extend_isize(self.as_raw(), pos_i64(end)?) };
        Ok(())
    }

    /// Freeze protection of a page fault (`sb_start_pagefault`), until the
    /// returned guard is dropped.
    pub(crate) fn start_pagefault(&self) -> PagefaultGuard<'_> {
        // SAFETY: live inode (invariant), and its super_block.
        unsafe { zcfs_sb_start_pagefault(self.as_raw()) };
        PagefaultGuard { inode: self }
    }
}

/// A page fault's freeze protection of the super_block, held.
///
/// # Invariants
///
/// This value holds `sb_start_pagefault` of `inode`'s super_block.
pub(crate) struct PagefaultGuard<'a> {
    inode: &'a CacheInode,
}

impl Drop for PagefaultGuard<'_> {
    fn drop(&mut self) {
        // SAFETY: held by this value (invariant).
        unsafe { zcfs_sb_end_pagefault(self.inode.as_raw()) };
    }
}

/// The inode lock, held.
///
/// # Invariants
///
/// This value holds `inode`'s `inode_lock`.
pub(crate) struct InodeLockGuard<'a> {
    inode: &'a Inode,
}

impl<'a> InodeLockGuard<'a> {
    /// The locked inode.
    pub(crate) fn inode(&self) -> &'a Inode {
        self.inode
    }

    /// Checks and timestamps of a write of `len` bytes at `pos`.
    pub(crate) fn write_prepare(&self, file: &File, pos: u64, len: usize) -> Result {
        // SAFETY: `file` is live and of this inode, which is locked.
        to_result(unsafe { zcfs_write_prepare(file.as_ptr(), pos_i64(pos)?, len) })
    }

    /// Copy the segment into the file at `pos` through the page cache.
    pub(crate) fn copy_in(&self, file: &File, pos: u64, seg: &Segment) -> Result<usize> {
        // SAFETY: `file` is live and of this inode, which is locked; the
        // segment describes a page the caller's loan owns.
        from_ssize(unsafe {
            zcfs_copy_in(
                file.as_ptr(),
                pos_i64(pos)?,
                seg.bv_page,
                seg.bv_offset,
                seg.bv_len,
            )
        })
    }

    /// Extend `i_size` to `end` if it is smaller.
    pub(crate) fn extend_size(&self, end: u64) -> Result {
        self.inode.extend_size(end)
    }
}

impl Drop for InodeLockGuard<'_> {
    fn drop(&mut self) {
        // SAFETY: locked by `Inode::lock` (invariant).
        unsafe { zcfs_inode_unlock(self.inode.as_raw()) };
    }
}

// ---- the inode state, called from C (zcfs.h) ----

/// # Safety
///
/// `p` is the `i_private` of a live zcfs regular-file inode.
unsafe fn state<'a>(p: *mut c_void) -> Pin<&'a InodeState> {
    // SAFETY: see the function's safety section.
    unsafe { <Pin<KBox<InodeState>> as ForeignOwnable>::borrow(p) }
}

/// A new inode's state, or null when memory is short; `range_locks` is
/// false only on a `debug_norangelock` mount.
#[no_mangle]
pub(crate) extern "C" fn zcfs_rs_inode_new(range_locks: bool) -> *mut c_void {
    match KBox::pin_init(InodeState::new(range_locks), GFP_KERNEL) {
        Ok(b) => b.into_foreign(),
        Err(_) => core::ptr::null_mut(),
    }
}

/// Free an inode's state (eviction).
///
/// # Safety
///
/// `p` came from [`zcfs_rs_inode_new`] and is not used afterwards.
#[no_mangle]
pub(crate) unsafe extern "C" fn zcfs_rs_inode_free(p: *mut c_void) {
    // SAFETY: see the function's safety section.
    drop(unsafe { <Pin<KBox<InodeState>> as ForeignOwnable>::from_foreign(p) });
}

/// Lock a byte range; returns its id, or a negative errno.
///
/// # Safety
///
/// `p` is the state of a live inode.
#[no_mangle]
pub(crate) unsafe extern "C" fn zcfs_rs_range_lock(
    p: *mut c_void,
    start: i64,
    len: u64,
    write: bool,
) -> i64 {
    let Ok(start) = u64::try_from(start) else {
        return -i64::from(bindings::EINVAL);
    };
    // SAFETY: see the function's safety section.
    match unsafe { state(p) }.range.lock(start, len, write) {
        // Ids count up from 1 and stay far below `i64::MAX`.
        Ok(id) => id as i64,
        Err(e) => i64::from(e.to_errno()),
    }
}

/// Unlock a byte range.
///
/// # Safety
///
/// `p` is the state of a live inode; `id` came from its
/// [`zcfs_rs_range_lock`].
#[no_mangle]
pub(crate) unsafe extern "C" fn zcfs_rs_range_unlock(p: *mut c_void, id: i64) {
    // SAFETY: see the function's safety section.
    unsafe { state(p) }.range.unlock(id as u64);
}
