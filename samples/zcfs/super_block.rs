// SPDX-License-Identifier: GPL-2.0

//! The `zcfs` filesystem type and its super blocks: registration with the
//! VFS (the type itself is a static of `zcfs_vfs.c`), a mounted zcfs
//! super_block ([`ZcfsSb`]: its options and [`Space`]), and the entry
//! points through which the mount callbacks of `zcfs_vfs.c` check the
//! options, offer or withdraw zero-copy, and reach the mount's [`Space`]
//! (its `s_fs_info` holds it).

use crate::options::{self, RawOpts};
use crate::space::Space;
use crate::zcvfs_api::error::to_result;
use crate::zcvfs_api::fop::VFSFT_ZEROCOPY_SUPPORTED;
use crate::zcvfs_api::fop::{FsType, SuperBlock};
use kernel::bindings;
use kernel::ffi::{c_int, c_void};
use kernel::prelude::*;
use kernel::types::{ForeignOwnable, Opaque};

// Pointers to opaque kernel structures: some bindgen types contain
// zero-length arrays, which the lint flags although only pointers cross.
#[allow(improper_ctypes)]
extern "C" {
    fn zcfs_fs_type_ptr() -> *mut bindings::file_system_type;
    fn zcfs_register_fs() -> c_int;
    fn zcfs_unregister_fs();
    fn zcfs_sb_opts(sb: *mut bindings::super_block) -> *const RawOpts;
    fn zcfs_sb_space(sb: *mut bindings::super_block) -> *mut c_void;
    fn zcfs_totalram_pages() -> usize;
}

/// A mounted zcfs super_block.
///
/// # Invariants
///
/// A `&ZcfsSb` is a live zcfs super_block, set up by `get_tree` (its
/// `s_fs_info` holds its options and its [`Space`]), for at least the
/// lifetime of the borrow.
#[repr(transparent)]
pub(crate) struct ZcfsSb(Opaque<bindings::super_block>);

impl ZcfsSb {
    /// The super_block at `ptr`.
    ///
    /// # Safety
    ///
    /// `ptr` is a live zcfs super_block that `get_tree` set up, for `'a`
    /// (a callback of a mounted zcfs: `statfs`, `show_options`).
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::super_block) -> &'a ZcfsSb {
        // SAFETY: see the function's safety section; `ZcfsSb` is
        // `repr(transparent)` over `struct super_block`.
        unsafe { &*ptr.cast::<ZcfsSb>() }
    }

    /// The mount's options.
    pub(crate) fn opts(&self) -> RawOpts {
        // SAFETY: a set-up zcfs super_block (invariant): its `s_fs_info`
        // holds the options.
        unsafe { *zcfs_sb_opts(self.0.get()) }
    }

    /// The mount's space and loan budget.
    pub(crate) fn space(&self) -> &Space {
        // SAFETY: a set-up zcfs super_block (invariant): its `s_fs_info`
        // holds the space, freed only after the super_block is killed.
        unsafe { space(zcfs_sb_space(self.0.get())) }
    }
}

/// The pages of RAM (`totalram_pages`).
pub(crate) fn ram_pages() -> u64 {
    // SAFETY: reads a counter.
    unsafe { zcfs_totalram_pages() as u64 }
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

/// Offer zero-copy on a new super_block (`fill_super`, unless
/// `nozerocopy`): 0 or a negative errno.
///
/// # Safety
///
/// `sb` is the super_block zcfs is setting up.
#[no_mangle]
pub(crate) unsafe extern "C" fn zcfs_rs_sb_offer_zerocopy(sb: *mut bindings::super_block) -> c_int {
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
pub(crate) unsafe extern "C" fn zcfs_rs_sb_withdraw_zerocopy(sb: *mut bindings::super_block) {
    // SAFETY: see the function's safety section: live for the call.
    let sb = unsafe { SuperBlock::from_raw(sb) };
    // Clearing what was never set (`nozerocopy`) is not an error.
    if let Err(e) = sb.clear_features(VFSFT_ZEROCOPY_SUPPORTED) {
        pr_warn!("zcfs: clearing the zero-copy feature failed: {:?}\n", e);
    }
}

/// A new mount's options before parsing (`init_fs_context`,
/// [`options::defaults`]), on a machine of `ram_pages` pages of RAM.
///
/// # Safety
///
/// `o` is valid for writes.
#[no_mangle]
pub(crate) unsafe extern "C" fn zcfs_rs_default_opts(o: *mut RawOpts, ram_pages: u64) {
    // SAFETY: see the function's safety section.
    unsafe { *o = options::defaults(ram_pages) };
}

/// A new mount's `size=` in pages before parsing
/// ([`options::default_max_blocks`]).
#[no_mangle]
pub(crate) extern "C" fn zcfs_rs_default_max_blocks(ram_pages: u64) -> u64 {
    options::default_max_blocks(ram_pages)
}

/// `ZCFS_OPTS_BAD_LIMITS` of `zcfs.h`.
const OPTS_BAD_LIMITS: c_int = 1;
/// `ZCFS_OPTS_BAD_LOAN_PAGES` of `zcfs.h`.
const OPTS_BAD_LOAN_PAGES: c_int = 2;

/// The checks and derived default of a parsed mount's options
/// (`get_tree`, [`options::finish`]): 0, or why they are refused
/// (`ZCFS_OPTS_BAD_*`, for the message).
///
/// # Safety
///
/// `o` points to valid options, valid for writes.
#[no_mangle]
pub(crate) unsafe extern "C" fn zcfs_rs_finish_opts(
    o: *mut RawOpts,
    max_blocks: u64,
    max_loan_pages_given: bool,
    ram_pages: u64,
) -> c_int {
    // SAFETY: see the function's safety section.
    let o = unsafe { &mut *o };
    match options::finish(o, max_blocks, max_loan_pages_given, ram_pages) {
        Ok(()) => 0,
        Err(options::Refusal::LoanLimits) => OPTS_BAD_LIMITS,
        Err(options::Refusal::LoanPages) => OPTS_BAD_LOAN_PAGES,
    }
}

// ---- the mount's space (`struct zcfs_sb_info`'s `space`) ----

/// # Safety
///
/// `p` came from [`zcfs_rs_space_new`] and is not freed yet.
unsafe fn space<'a>(p: *mut c_void) -> &'a Space {
    // SAFETY: see the function's safety section.
    unsafe { <KBox<Space> as ForeignOwnable>::borrow(p) }
}

/// A new mount's space (`get_tree`), or null when memory is short:
/// `max_blocks` pages for its cache (0: no limit), `max_loan_pages` for
/// its loans.
#[no_mangle]
pub(crate) extern "C" fn zcfs_rs_space_new(max_blocks: u64, max_loan_pages: u64) -> *mut c_void {
    match KBox::new(Space::new(max_blocks, max_loan_pages), GFP_KERNEL) {
        Ok(b) => b.into_foreign(),
        Err(_) => core::ptr::null_mut(),
    }
}

/// Free a mount's space (after its last inode; null is ignored).
///
/// # Safety
///
/// `p` is null or came from [`zcfs_rs_space_new`] and is not used
/// afterwards.
#[no_mangle]
pub(crate) unsafe extern "C" fn zcfs_rs_space_free(p: *mut c_void) {
    if !p.is_null() {
        // SAFETY: see the function's safety section.
        drop(unsafe { <KBox<Space> as ForeignOwnable>::from_foreign(p) });
    }
}

/// `size=` in pages (0: no limit).
///
/// # Safety
///
/// `p` is a live space ([`zcfs_rs_space_new`]).
#[no_mangle]
pub(crate) unsafe extern "C" fn zcfs_rs_space_max_blocks(p: *mut c_void) -> u64 {
    // SAFETY: see the function's safety section.
    unsafe { space(p) }.max_blocks()
}

/// Pages charged.
///
/// # Safety
///
/// `p` is a live space ([`zcfs_rs_space_new`]).
#[no_mangle]
pub(crate) unsafe extern "C" fn zcfs_rs_space_used_blocks(p: *mut c_void) -> u64 {
    // SAFETY: see the function's safety section.
    unsafe { space(p) }.used_blocks()
}

/// Remount with `size=` of `max_blocks` pages: 0, or `-EINVAL` if the
/// mount holds more.
///
/// # Safety
///
/// `p` is a live space ([`zcfs_rs_space_new`]).
#[no_mangle]
pub(crate) unsafe extern "C" fn zcfs_rs_space_resize(p: *mut c_void, max_blocks: u64) -> c_int {
    // SAFETY: see the function's safety section.
    match unsafe { space(p) }.resize(max_blocks) {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}
