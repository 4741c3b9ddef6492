// SPDX-License-Identifier: GPL-2.0

//! The C helpers of zcvfs.ko (`helpers/zcvfs_helpers.c`): the one place
//! that declares them. Each exists because Rust cannot call what it wraps
//! (a `static inline` kernel function, a per-CPU operation); everything
//! else zcvfs.ko needs from the kernel it calls through the kernel crate's
//! bindings.

use kernel::bindings;
use kernel::ffi::{c_char, c_void};
use kernel::str::{CStr, CStrExt as _};

// Pointers to opaque kernel structures: some bindgen types contain
// zero-length arrays, which the lint flags although only pointers cross.
#[allow(improper_ctypes)]
extern "C" {
    fn zcvfs_helper_kernel_release() -> *const c_char;
    pub(crate) fn zcvfs_helper_fsnotify_access(file: *mut bindings::file);
    pub(crate) fn zcvfs_helper_fsnotify_modify(file: *mut bindings::file);
    pub(crate) fn zcvfs_helper_copy_from_iter(
        buf: *mut c_void,
        len: usize,
        iter: *mut bindings::iov_iter,
    ) -> usize;
    pub(crate) fn zcvfs_helper_copy_to_iter(
        buf: *const c_void,
        len: usize,
        iter: *mut bindings::iov_iter,
    ) -> usize;
    pub(crate) fn zcvfs_helper_spare_xuio_take() -> *mut c_void;
    pub(crate) fn zcvfs_helper_spare_xuio_put(x: *mut c_void) -> bool;
    pub(crate) fn zcvfs_helper_spare_xuio_take_any() -> *mut c_void;
}

/// The running kernel's release string, e.g. `7.3.4`.
pub(crate) fn kernel_release() -> &'static CStr {
    // SAFETY: `zcvfs_helper_kernel_release` returns `init_utsname()->release`,
    // a NUL-terminated array inside a static object that lives as long as the
    // kernel and is only changed by `sethostname`-like calls on other fields.
    unsafe { CStr::from_char_ptr(zcvfs_helper_kernel_release()) }
}
