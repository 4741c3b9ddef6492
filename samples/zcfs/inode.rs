// SPDX-License-Identifier: GPL-2.0

//! The inode of a zcfs regular file, reference counted ([`ARef<Inode>`]),
//! its lock, and the Rust state it carries in `i_private`
//! ([`InodeState`], made and freed by [`crate::inode_ops`]); and any zcfs
//! inode's page cache and charges ([`CacheInode`]), which a regular file's
//! [`Inode`] derefs to: its folios' lookup, replacement and addition, its
//! size, its fault freeze protection.
//!
//! Fields are read here (`i_size` as `i_size_read` does, the cache's
//! fields as `<linux/pagemap.h>` does); exported functions are called
//! through the bindings; the static inline functions and macros that do
//! more are wrapped in `zcfs_vfs.c`.

use crate::folio::{Folio, FolioGuard, FolioLock, LockedFolio};
use crate::inode_ops::InodeInfo;
use crate::inode_state::InodeState;
use crate::options::RawOpts;
use crate::space::Space;
use crate::super_block::ZcfsSb;
use crate::zcvfs_api::error::from_ssize;
use crate::zcvfs_api::error::to_result;
use crate::zcvfs_api::xuio::Segment;
use core::mem::MaybeUninit;
use core::ops::Deref;
use core::ptr::NonNull;
use kernel::bindings;
use kernel::ffi::{c_int, c_void};
use kernel::fs::File;
use kernel::page::PAGE_SHIFT;
use kernel::prelude::*;
use kernel::sync::aref::{ARef, AlwaysRefCounted};
use kernel::sync::atomic::{Acquire, Atomic, Release};
use kernel::types::{ForeignOwnable, Opaque};

// Pointers to opaque kernel structures: some bindgen types contain
// zero-length arrays, which the lint flags although only pointers cross.
#[allow(improper_ctypes)]
extern "C" {
    fn zcfs_filemap_lock_folio(
        mapping: *mut bindings::address_space,
        index: usize,
    ) -> *mut bindings::folio;
    fn zcfs_filemap_get_folio(
        mapping: *mut bindings::address_space,
        index: usize,
    ) -> *mut bindings::folio;
    fn zcfs_cond_resched();
    fn zcfs_mapping_max_folio_order(mapping: *mut bindings::address_space) -> u32;
    fn zcfs_init_sync_kiocb(kiocb: *mut bindings::kiocb, file: *mut bindings::file);
    fn zcfs_sb_start_pagefault(sb: *mut bindings::super_block);
    fn zcfs_sb_end_pagefault(sb: *mut bindings::super_block);
    fn zcfs_folio_mapped(folio: *mut bindings::folio) -> bool;
    fn zcfs_folio_cancel_dirty(folio: *mut bindings::folio);
    fn zcfs_folio_ref_add(folio: *mut bindings::folio, nr: c_int);
    fn zcfs_folio_put_refs(folio: *mut bindings::folio, nr: c_int);
}

/// The folio a lookup returned, `None` for an error pointer
/// (`IS_ERR`: `-ENOENT` for a hole, `-ENOMEM`).
fn folio_or_none(ptr: *mut bindings::folio) -> Option<*mut bindings::folio> {
    // The last `MAX_ERRNO` addresses are error codes.
    (!ptr.is_null() && (ptr as usize) < (bindings::MAX_ERRNO as usize).wrapping_neg())
        .then_some(ptr)
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
        self.sb().opts()
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
    ///
    /// `replace_page_cache_folio` moves one reference: the page cache
    /// holds one per page, so for a large folio the others are moved here
    /// (`new` gets them before it is visible, `old` loses them after it
    /// left). Its store at `old`'s index replaces a multi-index entry
    /// whole.
    pub(crate) fn replace_cached(&self, old: &LockedFolio, new: &Folio) -> Result {
        let nr = old.nr_pages();
        if !self.holds(old) || !new.fresh() || new.nr_pages() != nr {
            return Err(EINVAL);
        }
        let nr = c_int::try_from(nr).map_err(|_| EINVAL)?;
        // `folio_pos` and `folio_size` of `old`, whose mappings are zapped.
        let pos = i64::try_from(old.index() << PAGE_SHIFT).map_err(|_| EINVAL)?;
        let len = old.size() as i64;
        // SAFETY: `new` is fresh (checked above): ours alone until it
        // enters the cache below, where it is unlocked.
        unsafe {
            new.mark_uptodate_unshared();
            new.set_locked_unshared();
        }
        let (old, new) = (old.as_raw(), new.as_raw());
        // SAFETY: `old` is live, locked and of this inode's cache (checked
        // above), which is live (invariant); `new` as above, locked by us.
        unsafe {
            if zcfs_folio_mapped(old) {
                bindings::unmap_mapping_range(self.mapping(), pos, len, 0);
            }
            zcfs_folio_cancel_dirty(old);
            if nr > 1 {
                zcfs_folio_ref_add(new, nr - 1);
            }
            bindings::replace_page_cache_folio(old, new);
            if nr > 1 {
                zcfs_folio_put_refs(old, nr - 1);
            }
            bindings::folio_add_lru(new);
            bindings::folio_mark_dirty(new);
            bindings::folio_unlock(new);
        }
        Ok(())
    }

    /// Adds `new`, a fresh folio (else `EINVAL`) that the caller charged to
    /// the mount, to the cache at page `index`, uptodate and locked until
    /// the returned lock is dropped (the caller counts the charge and
    /// marks it dirty first); a large folio must be aligned in the file to
    /// its size and no larger than [`CacheInode::max_folio_order`] allows
    /// (else `EINVAL`). `EEXIST` if a folio is in any of the pages it
    /// would take. The cache takes its own references.
    pub(crate) fn add_cached<'a>(&self, new: &'a Folio, index: u64) -> Result<FolioLock<'a>> {
        let nr = new.nr_pages() as u64;
        if !new.fresh() || index % nr != 0 || new.order() > self.max_folio_order() {
            return Err(EINVAL);
        }
        let index = usize::try_from(index).map_err(|_| EINVAL)?;
        // SAFETY: `new` is fresh (checked above): ours alone until it
        // enters the cache.
        unsafe { new.mark_uptodate_unshared() };
        // SAFETY: live inode (invariant) and its cache; `new` is live and
        // in no cache.
        to_result(unsafe {
            bindings::filemap_add_folio(self.mapping(), new.as_raw(), index, bindings::GFP_KERNEL)
        })?;
        // SAFETY: added, so locked by the page cache's add, for us; the
        // caller's reference keeps `new` for `'a`.
        Ok(unsafe { FolioLock::new(new) })
    }

    /// Whether the file is memory-mapped anywhere.
    pub(crate) fn mapped(&self) -> bool {
        // SAFETY: live inode (invariant) and its cache: `mapping_mapped`
        // reads the root of its tree of mappings once (`RB_EMPTY_ROOT`).
        let node = unsafe { (&raw const (*self.mapping()).i_mmap.rb_root.rb_node).read_volatile() };
        !node.is_null()
    }

    /// Take the inode lock (`inode_lock`), as write(2) does.
    pub(crate) fn lock(&self) -> InodeLockGuard<'_> {
        // SAFETY: live inode (invariant); released by the guard.
        unsafe { bindings::down_write(&raw mut (*self.as_raw()).i_rwsem) };
        // INVARIANT: locked just now.
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
/// A `&CacheInode` is a live zcfs inode (made by zcfs's `alloc_inode`, so
/// inside an [`InodeInfo`]) for at least the lifetime of the borrow.
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
        // SAFETY: see the function's safety section: a cached folio's
        // `mapping` is its cache, whose host is the inode.
        unsafe { Self::of_mapping(folio_mapping(folio)) }
    }

    fn as_raw(&self) -> *mut bindings::inode {
        self.0.get()
    }

    /// The inode's page cache (`i_mapping`).
    fn mapping(&self) -> *mut bindings::address_space {
        // SAFETY: live inode (invariant); `i_mapping` is set when the
        // inode is made and never changes.
        unsafe { (*self.as_raw()).i_mapping }
    }

    /// The mount.
    fn sb(&self) -> &ZcfsSb {
        // SAFETY: a live zcfs inode (invariant) of a set-up mount, which
        // lives at least as long as its inodes.
        unsafe { ZcfsSb::from_raw((*self.as_raw()).i_sb) }
    }

    /// The mount's space and loan budget.
    pub(crate) fn space(&self) -> &Space {
        // The mount's space is freed after its last inode is evicted,
        // which the inode being live (invariant) prevents.
        self.sb().space()
    }

    /// The pages the inode's cache has charged to the mount's space
    /// (its [`InodeInfo`]'s, see [`crate::space::recalc`]).
    pub(crate) fn charges(&self) -> &Atomic<i64> {
        // SAFETY: the inode is live (invariant), made by zcfs's
        // `alloc_inode`.
        unsafe { InodeInfo::charges_of(self.as_raw()) }
    }

    /// The pages in the inode's cache (`nrpages`).
    pub(crate) fn cached_pages(&self) -> u64 {
        // SAFETY: live inode (invariant) and its cache; read once
        // (`READ_ONCE`).
        unsafe { (&raw const (*self.mapping()).nrpages).read_volatile() as u64 }
    }

    /// The allocation flags of the inode's cache (`mapping_gfp_mask`).
    pub(crate) fn gfp(&self) -> bindings::gfp_t {
        // SAFETY: live inode (invariant) and its cache; the mask is set
        // when the inode is made.
        unsafe { (*self.mapping()).gfp_mask }
    }

    /// Whether the file is mapped writable anywhere
    /// (`mapping_writably_mapped`).
    pub(crate) fn writably_mapped(&self) -> bool {
        // SAFETY: live inode (invariant) and its cache; an atomic read.
        unsafe { bindings::atomic_read(&raw const (*self.mapping()).i_mmap_writable) > 0 }
    }

    /// The page-cache folio at page `index`, locked, or `None`.
    pub(crate) fn lock_cached_folio(&self, index: u64) -> Option<FolioGuard> {
        let index = usize::try_from(index).ok()?;
        // SAFETY: live inode (invariant) and its cache
        // (`filemap_lock_folio`).
        let folio = folio_or_none(unsafe { zcfs_filemap_lock_folio(self.mapping(), index) })?;
        // SAFETY: a folio of the cache, locked and with a reference for us.
        unsafe { FolioGuard::from_owned_locked(folio) }
    }

    /// The page-cache folio at page `index`, uptodate or not, unlocked,
    /// or `None`.
    pub(crate) fn cached_folio(&self, index: u64) -> Option<ARef<Folio>> {
        let index = usize::try_from(index).ok()?;
        // SAFETY: live inode (invariant) and its cache
        // (`filemap_get_folio`).
        let folio = folio_or_none(unsafe { zcfs_filemap_get_folio(self.mapping(), index) })?;
        // SAFETY: a folio of the cache with a reference for us.
        unsafe { Folio::take_owned(folio) }
    }

    /// Whether `folio`, locked, is (still) in this inode's cache.
    pub(crate) fn holds(&self, folio: &LockedFolio) -> bool {
        // SAFETY: a live folio, locked: its `mapping` is stable.
        unsafe { folio_mapping(folio.as_raw()) == self.mapping() }
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
        // SAFETY: live inode (invariant) and its cache.
        unsafe { zcfs_mapping_max_folio_order(self.mapping()) }
    }

    /// `i_size`, as `i_size_read` reads it on 64-bit kernels (an acquire
    /// load, paired with the release store of [`CacheInode::extend_size`]
    /// and `i_size_write`).
    pub(crate) fn size(&self) -> u64 {
        // SAFETY: live inode (invariant); `i_size` is aligned and changed
        // only by `i_size_write`, an atomic store on 64-bit kernels.
        let s = unsafe { Atomic::from_ptr(&raw mut (*self.as_raw()).i_size) }.load(Acquire);
        u64::try_from(s).unwrap_or(0)
    }

    /// Extends `i_size` to `end` if it is smaller. The caller serializes
    /// size changes: it holds the inode lock, or is the only user of a new
    /// inode (`write_end` of a write or of a new symlink).
    pub(crate) fn extend_size(&self, end: u64) -> Result {
        let end = pos_i64(end)?;
        // SAFETY: live inode (invariant); as in [`CacheInode::size`].
        let size = unsafe { Atomic::from_ptr(&raw mut (*self.as_raw()).i_size) };
        if end > size.load(Acquire) {
            // `i_size_write` on 64-bit kernels (the caller serializes it).
            size.store(end, Release);
        }
        Ok(())
    }

    /// Freeze protection of a page fault (`sb_start_pagefault`), until the
    /// returned guard is dropped.
    pub(crate) fn start_pagefault(&self) -> PagefaultGuard<'_> {
        // SAFETY: live inode (invariant), and its super_block.
        unsafe { zcfs_sb_start_pagefault((*self.as_raw()).i_sb) };
        // INVARIANT: held just now.
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
        unsafe { zcfs_sb_end_pagefault((*self.inode.as_raw()).i_sb) };
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
    ///
    /// The checks write(2) makes (limits, rlimit, privileges, timestamps);
    /// a write that would be shortened is refused whole (`EFBIG`).
    pub(crate) fn write_prepare(&self, file: &File, pos: u64, len: usize) -> Result {
        let pos = pos_i64(pos)?;
        let mut kiocb = sync_kiocb(file, pos);
        let mut iter = MaybeUninit::<bindings::iov_iter>::uninit();
        // SAFETY: `iter` is valid for writes; `iov_iter_kvec` initializes
        // it whole, an iterator of `len` bytes over no memory, which the
        // checks only count.
        unsafe {
            bindings::iov_iter_kvec(
                iter.as_mut_ptr(),
                bindings::ITER_SOURCE,
                core::ptr::null(),
                0,
                len,
            )
        };
        // SAFETY: a request of `file`, live and of this inode, which is
        // locked; `iter` is initialized.
        let n =
            from_ssize(unsafe { bindings::generic_write_checks(&mut kiocb, iter.as_mut_ptr()) })?;
        if n != len || kiocb.ki_pos != pos {
            return Err(EFBIG);
        }
        // SAFETY: `file` is live and of this inode, which is locked.
        to_result(unsafe { bindings::file_modified(file.as_ptr()) })
    }

    /// Copy the segment into the file at `pos` through the page cache
    /// (`write_begin`, `write_end`): the bytes copied. The caller holds
    /// the range, and loaned folios were copied away.
    pub(crate) fn copy_in(&self, file: &File, pos: u64, seg: &Segment) -> Result<usize> {
        let mut kiocb = sync_kiocb(file, pos_i64(pos)?);
        let bv = bindings::bio_vec {
            bv_page: seg.bv_page,
            bv_len: seg.bv_len,
            bv_offset: seg.bv_offset,
        };
        let mut iter = MaybeUninit::<bindings::iov_iter>::uninit();
        // SAFETY: `iter` is valid for writes; `iov_iter_bvec` initializes
        // it whole, over `bv`, which outlives it.
        unsafe {
            bindings::iov_iter_bvec(
                iter.as_mut_ptr(),
                bindings::ITER_SOURCE,
                &bv,
                1,
                seg.bv_len as usize,
            )
        };
        // SAFETY: a request of `file`, live and of this inode, which is
        // locked; `iter` is initialized, over a page the caller's loan
        // owns.
        from_ssize(unsafe { bindings::generic_perform_write(&mut kiocb, iter.as_mut_ptr()) })
    }

    /// Extend `i_size` to `end` if it is smaller.
    pub(crate) fn extend_size(&self, end: u64) -> Result {
        self.inode.extend_size(end)
    }
}

impl Drop for InodeLockGuard<'_> {
    fn drop(&mut self) {
        // SAFETY: locked by `Inode::lock` (invariant): `inode_unlock`.
        unsafe { bindings::up_write(&raw mut (*self.inode.as_raw()).i_rwsem) };
    }
}

/// A synchronous request of `file` at `pos` (`init_sync_kiocb`).
fn sync_kiocb(file: &File, pos: i64) -> bindings::kiocb {
    let mut kiocb = MaybeUninit::<bindings::kiocb>::uninit();
    // SAFETY: `kiocb` is valid for writes; `init_sync_kiocb` initializes
    // it whole; `file` is live.
    unsafe { zcfs_init_sync_kiocb(kiocb.as_mut_ptr(), file.as_ptr()) };
    // SAFETY: initialized just above.
    let mut kiocb = unsafe { kiocb.assume_init() };
    kiocb.ki_pos = pos;
    kiocb
}

/// `folio->mapping`.
///
/// # Safety
///
/// `folio` is a live folio.
unsafe fn folio_mapping(folio: *mut bindings::folio) -> *mut bindings::address_space {
    // SAFETY: a live folio (the caller's contract).
    unsafe { (*folio).__bindgen_anon_1.__bindgen_anon_1.mapping }
}

// ---- the inode state (`i_private`) ----

/// A new regular file's state, in its foreign form for `i_private`, or
/// `None` when memory is short; `range_locks` is false only on a
/// `debug_norangelock` mount.
pub(crate) fn new_state(range_locks: bool) -> Option<*mut c_void> {
    KBox::pin_init(InodeState::new(range_locks), GFP_KERNEL)
        .ok()
        .map(|b| b.into_foreign())
}

/// Frees a regular file's state (eviction).
///
/// # Safety
///
/// `p` came from [`new_state`] and is not used afterwards.
pub(crate) unsafe fn free_state(p: *mut c_void) {
    // SAFETY: see the function's safety section.
    drop(unsafe { <Pin<KBox<InodeState>> as ForeignOwnable>::from_foreign(p) });
}
