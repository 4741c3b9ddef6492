// SPDX-License-Identifier: GPL-2.0

//! The `zcfs` filesystem type and its super blocks: registration with the
//! VFS (the type itself is a static of `zcfs_vfs.c`), and the entry points
//! through which the mount callbacks of `zcfs_vfs.c` check the options and
//! offer or withdraw zero-copy.

use crate::options::{self, RawOpts};
use crate::zcvfs_api::fop::{FsType, SuperBlock};
use crate::zcvfs_api::xuio_raw::VFSFT_ZEROCOPY_SUPPORTED;
use kernel::bindings;
use kernel::error::to_result;
use kernel::ffi::c_int;
use kernel::prelude::*;

// Pointers to opaque kernel structures: some bindgen types contain
// zero-length arrays, which the lint flags although only pointers cross.
#[allow(improper_ctypes)]
extern "C" {
    fn zcfs_fs_type_ptr() -> *mut bindings::file_system_type;
    fn zcfs_register_fs() -> c_int;
    fn zcfs_unregister_fs();
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

/// Check mount options: 0 or `-EINVAL`.
///
/// # Safety
///
/// `o` points to valid options.
#[no_mangle]
pub(crate) unsafe extern "C" fn zcfs_rs_check_opts(o: *const RawOpts) -> c_int {
    // SAFETY: see the function's safety section.
    match options::check(unsafe { &*o }) {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}
