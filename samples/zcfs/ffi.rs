// SPDX-License-Identifier: GPL-2.0

//! The thin unsafe layer of zcfs: the C plumbing of `zcfs_vfs.c` (declared
//! in `zcfs.h`), the unsafe constructors of the zcvfs API (`FsType`,
//! `SuperBlock`), and owned handles on inodes and folios. Everything above
//! this file is safe Rust.

use crate::inode_state::InodeState;
use crate::options::{self, RawOpts};
use crate::stats::{self, STATS};
use crate::zcvfs_api::fop::VFSFT_ZEROCOPY_SUPPORTED;
use crate::zcvfs_api::fop::{FsType, SuperBlock};
use crate::zcvfs_api::xuio::Segment;
use core::ptr::NonNull;
use kernel::bindings;
use kernel::error::to_result;
use kernel::ffi::{c_int, c_void};
use kernel::fs::File;
use kernel::prelude::*;
use kernel::types::ForeignOwnable;

// Pointers to opaque kernel structures: some bindgen types contain
// zero-length arrays, which the lint flags although only pointers cross.
#[allow(improper_ctypes)]
extern "C" {
    fn zcfs_fs_type_ptr() -> *mut bindings::file_system_type;
    fn zcfs_register_fs() -> c_int;
    fn zcfs_unregister_fs();
    fn zcfs_cow_range(inode: *mut bindings::inode, pos: i64, len: i64) -> c_int;
    fn zcfs_file_inode(file: *mut bindings::file) -> *mut bindings::inode;
    fn zcfs_inode_state(inode: *mut bindings::inode) -> *mut c_void;
    fn zcfs_inode_opts(inode: *mut bindings::inode) -> *const RawOpts;
    fn zcfs_loan_budget_take(inode: *mut bindings::inode, pages: u64) -> bool;
    fn zcfs_loan_budget_put(inode: *mut bindings::inode, pages: u64);
    fn zcfs_inode_mapped(inode: *mut bindings::inode) -> bool;
    fn zcfs_isize(inode: *mut bindings::inode) -> i64;
    fn zcfs_inode_lock(inode: *mut bindings::inode);
    fn zcfs_inode_unlock(inode: *mut bindings::inode);
    fn zcfs_ihold(inode: *mut bindings::inode);
    fn zcfs_iput(inode: *mut bindings::inode);
    fn zcfs_zero_page() -> *mut bindings::page;
    fn zcfs_folio_alloc_zeroed() -> *mut bindings::folio;
    fn zcfs_read_folio(file: *mut bindings::file, index: u64) -> *mut bindings::folio;
    fn zcfs_folio_put(folio: *mut bindings::folio);
    fn zcfs_folio_lock(folio: *mut bindings::folio);
    fn zcfs_folio_unlock(folio: *mut bindings::folio);
    fn zcfs_folio_set_lent(folio: *mut bindings::folio);
    fn zcfs_folio_page(folio: *mut bindings::folio) -> *mut bindings::page;
    fn zcfs_write_prepare(file: *mut bindings::file, pos: i64, len: usize) -> c_int;
    fn zcfs_copy_in(
        file: *mut bindings::file,
        pos: i64,
        page: *mut bindings::page,
        off: u32,
        len: u32,
    ) -> isize;
    fn zcfs_donate_folio(
        inode: *mut bindings::inode,
        folio: *mut bindings::folio,
        index: u64,
    ) -> c_int;
    fn zcfs_extend_isize(inode: *mut bindings::inode, end: i64);
}

fn isize_result(r: isize) -> Result<usize> {
    if r < 0 {
        // Errno values fit in an i32.
        Err(Error::from_errno(r as i32))
    } else {
        Ok(r as usize)
    }
}

fn pos_i64(pos: u64) -> Result<i64> {
    i64::try_from(pos).map_err(|_| EFBIG)
}

/// The `zcfs` filesystem type, for its provider registration.
pub(crate) fn fs_type() -> FsType {
    // SAFETY: `zcfs_fs_type` is a static of this module; the module keeps
    // its registration only until it is unloaded.
    unsafe { FsType::from_raw(zcfs_fs_type_ptr()) }
}

/// `register_filesystem` of `zcfs`.
pub(crate) fn register_fs() -> Result {
    // SAFETY: called once at module load.
    to_result(unsafe { zcfs_register_fs() })
}

/// `unregister_filesystem` of `zcfs` (at module unload: nothing is mounted,
/// the type's owner reference sees to that).
pub(crate) fn unregister_fs() {
    // SAFETY: registered by `register_fs` at load.
    unsafe { zcfs_unregister_fs() }
}

/// A reference on a zcfs regular file's inode.
///
/// # Invariants
///
/// `ptr` is a zcfs regular-file inode on which this value holds a
/// reference (`ihold`); its `i_private` is its live [`InodeState`], freed
/// only at eviction, which the reference prevents.
pub(crate) struct InodeRef {
    ptr: NonNull<bindings::inode>,
}

// SAFETY: inode references may be taken and dropped on any thread.
unsafe impl Send for InodeRef {}
// SAFETY: shared access only reads through the kernel's own locking.
unsafe impl Sync for InodeRef {}

impl InodeRef {
    /// The inode of `file`, which zcvfs passes to zcfs's provider
    /// operations: `EINVAL` unless it is a zcfs regular file.
    pub(crate) fn of_file(file: &File) -> Result<Self> {
        // SAFETY: `file` is live, so is its inode.
        let inode = unsafe { zcfs_file_inode(file.as_ptr()) };
        // SAFETY: as above; zcvfs calls zcfs only for zcfs files.
        let state = unsafe { zcfs_inode_state(inode) };
        if state.is_null() {
            return Err(EINVAL);
        }
        // SAFETY: the inode is live (the file holds it).
        unsafe { zcfs_ihold(inode) };
        Ok(InodeRef {
            ptr: NonNull::new(inode).ok_or(EINVAL)?,
        })
    }

    fn raw(&self) -> *mut bindings::inode {
        self.ptr.as_ptr()
    }

    /// The inode's range lock and loan set.
    pub(crate) fn state(&self) -> Pin<&InodeState> {
        // SAFETY: by the type invariant `i_private` is the inode's live
        // `Pin<KBox<InodeState>>`, not freed while we hold the inode.
        unsafe { <Pin<KBox<InodeState>> as ForeignOwnable>::borrow(zcfs_inode_state(self.raw())) }
    }

    /// The mount's options.
    pub(crate) fn opts(&self) -> RawOpts {
        // SAFETY: the super_block (and its `s_fs_info`) lives at least as
        // long as the inode.
        unsafe { *zcfs_inode_opts(self.raw()) }
    }

    /// Charge `pages` to the mount's pages on loan; `false` if that would
    /// exceed `max_loan_pages`.
    pub(crate) fn budget_take(&self, pages: u64) -> bool {
        // SAFETY: live inode (invariant).
        unsafe { zcfs_loan_budget_take(self.raw(), pages) }
    }

    /// Give back what [`InodeRef::budget_take`] charged.
    pub(crate) fn budget_put(&self, pages: u64) {
        // SAFETY: live inode (invariant).
        unsafe { zcfs_loan_budget_put(self.raw(), pages) }
    }

    /// Whether the file is memory-mapped anywhere.
    pub(crate) fn mapped(&self) -> bool {
        // SAFETY: live inode (invariant).
        unsafe { zcfs_inode_mapped(self.raw()) }
    }

    /// `i_size`.
    pub(crate) fn size(&self) -> u64 {
        // SAFETY: live inode (invariant).
        let s = unsafe { zcfs_isize(self.raw()) };
        u64::try_from(s).unwrap_or(0)
    }

    /// Take the inode lock (`inode_lock`), as write(2) does.
    pub(crate) fn lock(&self) -> InodeLockGuard<'_> {
        // SAFETY: live inode (invariant); released by the guard.
        unsafe { zcfs_inode_lock(self.raw()) };
        InodeLockGuard { inode: self }
    }
}

impl Drop for InodeRef {
    fn drop(&mut self) {
        // SAFETY: the reference taken in `of_file` (invariant).
        unsafe { zcfs_iput(self.raw()) };
    }
}

/// The inode lock, held.
pub(crate) struct InodeLockGuard<'a> {
    inode: &'a InodeRef,
}

impl InodeLockGuard<'_> {
    /// Replace every loaned folio of `len` bytes at `pos` in the page cache
    /// by a copy, so that the range can be modified in place.
    pub(crate) fn cow_range(&self, pos: u64, len: u64) -> Result {
        let len = i64::try_from(len).map_err(|_| EINVAL)?;
        // SAFETY: live inode, locked.
        to_result(unsafe { zcfs_cow_range(self.inode.raw(), pos_i64(pos)?, len) })
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
        isize_result(unsafe {
            zcfs_copy_in(
                file.as_ptr(),
                pos_i64(pos)?,
                seg.bv_page,
                seg.bv_offset,
                seg.bv_len,
            )
        })
    }

    /// Move `folio` into the page cache at page `index`, replacing what is
    /// there. On failure the folio is handed back.
    pub(crate) fn donate(&self, folio: FolioRef, index: u64) -> Result<(), (Error, FolioRef)> {
        // SAFETY: live, locked inode; `folio` is a fresh folio of a write
        // loan (not in any cache, not on the LRU), which the C side checks.
        let r = unsafe { zcfs_donate_folio(self.inode.raw(), folio.raw(), index) };
        match to_result(r) {
            // The cache took its own reference; ours is dropped.
            Ok(()) => Ok(()),
            Err(e) => Err((e, folio)),
        }
    }

    /// Extend `i_size` to `end` if it is smaller.
    pub(crate) fn extend_size(&self, end: u64) -> Result {
        // SAFETY: live, locked inode.
        unsafe { zcfs_extend_isize(self.inode.raw(), pos_i64(end)?) };
        Ok(())
    }
}

impl Drop for InodeLockGuard<'_> {
    fn drop(&mut self) {
        // SAFETY: locked by `InodeRef::lock`.
        unsafe { zcfs_inode_unlock(self.inode.raw()) };
    }
}

/// A reference on a folio.
///
/// # Invariants
///
/// This value owns one reference on the order-0 folio at `ptr`.
pub(crate) struct FolioRef {
    ptr: NonNull<bindings::folio>,
}

// SAFETY: folio references may be dropped on any thread.
unsafe impl Send for FolioRef {}
// SAFETY: shared access reads nothing but the address.
unsafe impl Sync for FolioRef {}

impl FolioRef {
    /// A fresh zeroed folio, in no cache.
    pub(crate) fn alloc_zeroed() -> Result<Self> {
        // SAFETY: plain allocation.
        let p = unsafe { zcfs_folio_alloc_zeroed() };
        Ok(FolioRef {
            ptr: NonNull::new(p).ok_or(ENOMEM)?,
        })
    }

    /// The uptodate page-cache folio of `file` at page `index`, or `None`
    /// for a hole (nothing is allocated).
    pub(crate) fn cached(file: &File, index: u64) -> Option<Self> {
        // SAFETY: `file` is live; the result is a referenced folio or null.
        let p = unsafe { zcfs_read_folio(file.as_ptr(), index) };
        NonNull::new(p).map(|ptr| FolioRef { ptr })
    }

    fn raw(&self) -> *mut bindings::folio {
        self.ptr.as_ptr()
    }

    /// The folio's address, its identity in [`InodeState`]'s loan set.
    pub(crate) fn addr(&self) -> usize {
        self.ptr.as_ptr() as usize
    }

    /// A segment of `len` bytes at `off` in the folio's page.
    pub(crate) fn segment(&self, off: usize, len: usize) -> Segment {
        // SAFETY: a live folio (invariant).
        let page = unsafe { zcfs_folio_page(self.raw()) };
        // SAFETY: the loan that holds the segment holds this folio
        // reference as long as the segment.
        unsafe {
            Segment::from_raw(bindings::bio_vec {
                bv_page: page,
                // Both at most a page (the caller's layout).
                bv_len: len as u32,
                bv_offset: off as u32,
            })
        }
    }

    /// Marks a page-cache folio as lent: writers check its references
    /// from now on (`zcfs_folio_needs_cow`), even after the loan's return.
    pub(crate) fn set_lent(&self) {
        // SAFETY: a live folio (invariant); sets a page flag atomically.
        unsafe { zcfs_folio_set_lent(self.raw()) }
    }

    /// Run `f` with the folio locked (which orders it against write faults
    /// of the folio, see `zcfs_page_mkwrite`).
    pub(crate) fn locked<R>(&self, f: impl FnOnce() -> R) -> R {
        // SAFETY: a live folio; unlocked below.
        unsafe { zcfs_folio_lock(self.raw()) };
        let r = f();
        // SAFETY: locked above.
        unsafe { zcfs_folio_unlock(self.raw()) };
        r
    }
}

impl Drop for FolioRef {
    fn drop(&mut self) {
        // SAFETY: the reference this value owns (invariant).
        unsafe { zcfs_folio_put(self.raw()) };
    }
}

/// A segment over the shared zero page: the placeholders of READ loans
/// before their read (the consumer may not look at them), and the holes of
/// a file in a filled READ loan. The zero page is static: no reference is
/// taken or dropped, it is never recorded as loaned, and consumers never
/// write into READ loans.
pub(crate) fn zero_segment(off: usize, len: usize) -> Segment {
    // SAFETY: the zero page is static.
    unsafe {
        Segment::from_raw(bindings::bio_vec {
            bv_page: zcfs_zero_page(),
            // Both at most a page.
            bv_len: len as u32,
            bv_offset: off as u32,
        })
    }
}

// ---- called from C (zcfs.h) ----

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
pub extern "C" fn zcfs_rs_inode_new(range_locks: bool) -> *mut c_void {
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
pub unsafe extern "C" fn zcfs_rs_inode_free(p: *mut c_void) {
    // SAFETY: see the function's safety section.
    drop(unsafe { <Pin<KBox<InodeState>> as ForeignOwnable>::from_foreign(p) });
}

/// Lock a byte range; returns its id, or a negative errno.
///
/// # Safety
///
/// `p` is the state of a live inode.
#[no_mangle]
pub unsafe extern "C" fn zcfs_rs_range_lock(
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
pub unsafe extern "C" fn zcfs_rs_range_unlock(p: *mut c_void, id: i64) {
    // SAFETY: see the function's safety section.
    unsafe { state(p) }.range.unlock(id as u64);
}

/// Whether a folio of the inode is on loan.
///
/// # Safety
///
/// `p` is the state of a live inode.
#[no_mangle]
pub unsafe extern "C" fn zcfs_rs_folio_loaned(p: *mut c_void, folio: *mut bindings::folio) -> bool {
    // SAFETY: see the function's safety section.
    unsafe { state(p) }.is_loaned(folio as usize)
}

/// Whether any folio of the inode is on loan.
///
/// # Safety
///
/// `p` is the state of a live inode.
#[no_mangle]
pub unsafe extern "C" fn zcfs_rs_inode_has_loans(p: *mut c_void) -> bool {
    // SAFETY: see the function's safety section.
    unsafe { state(p) }.has_loans()
}

/// Count a copy-on-write of a loaned folio.
#[no_mangle]
pub extern "C" fn zcfs_rs_count_cow() {
    stats::add(&STATS.cow_pages, 1);
}

/// Offer zero-copy on a new super_block (`fill_super`, unless
/// `nozerocopy`): 0 or a negative errno.
///
/// # Safety
///
/// `sb` is the super_block zcfs is setting up.
#[no_mangle]
pub unsafe extern "C" fn zcfs_rs_sb_offer_zerocopy(sb: *mut bindings::super_block) -> c_int {
    // SAFETY: see the function's safety section: live for the call.
    let sb = unsafe { SuperBlock::from_raw(sb) };
    match sb.set_features(VFSFT_ZEROCOPY_SUPPORTED) {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// Withdraw zero-copy from a super_block that goes away (`kill_sb`):
/// zcvfs's registry must not outlive it.
///
/// # Safety
///
/// `sb` is the super_block zcfs is tearing down.
#[no_mangle]
pub unsafe extern "C" fn zcfs_rs_sb_withdraw_zerocopy(sb: *mut bindings::super_block) {
    // SAFETY: see the function's safety section: live for the call.
    let sb = unsafe { SuperBlock::from_raw(sb) };
    // Clearing what was never set (`nozerocopy`) is not an error.
    if let Err(e) = sb.clear_features(VFSFT_ZEROCOPY_SUPPORTED) {
        pr_warn!("zcfs: clearing the zero-copy feature failed: {:?}\n", e);
    }
}

/// Check mount options: 0 or `-EINVAL`.
///
/// # Safety
///
/// `o` points to valid options.
#[no_mangle]
pub unsafe extern "C" fn zcfs_rs_check_opts(o: *const RawOpts) -> c_int {
    // SAFETY: see the function's safety section.
    match options::check(unsafe { &*o }) {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}
