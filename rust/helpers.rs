// SPDX-License-Identifier: GPL-2.0

//! Safe wrappers around the C helpers in `helpers/zcvfs_helpers.c`.
//!
//! This is the only place that declares and calls them; everything else in
//! the crate uses the safe functions below.

use kernel::ffi::{c_char, c_ulong};
use kernel::str::{CStr, CStrExt as _};

// Pointers to opaque kernel structures: some bindgen types contain
// zero-length arrays, which the lint flags although only pointers cross.
#[allow(improper_ctypes)]
extern "C" {
    fn zcvfs_helper_kernel_release() -> *const c_char;
    fn zcvfs_helper_page_size() -> c_ulong;
}

/// The running kernel's release string, e.g. `7.3.4`.
pub(crate) fn kernel_release() -> &'static CStr {
    // SAFETY: `zcvfs_helper_kernel_release` returns `init_utsname()->release`,
    // a NUL-terminated array inside a static object that lives as long as the
    // kernel and is only changed by `sethostname`-like calls on other fields.
    unsafe { CStr::from_char_ptr(zcvfs_helper_kernel_release()) }
}

/// The size of a page, in bytes.
pub(crate) fn page_size() -> usize {
    // SAFETY: `zcvfs_helper_page_size` has no preconditions.
    let size = unsafe { zcvfs_helper_page_size() };
    // A page is smaller than the address space.
    size as usize
}
