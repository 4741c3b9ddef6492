// SPDX-License-Identifier: GPL-2.0

//! The C helpers of zcvfs.ko (`helpers/zcvfs_helpers.c`): the one place
//! that declares them, and safe wrappers of those without a file of their
//! own. Each helper exists because Rust cannot call what it wraps (a
//! `static inline` function or a macro).

use kernel::bindings;
use kernel::ffi::{c_char, c_int, c_uint, c_ulong, c_void};
use kernel::str::{CStr, CStrExt as _};

// Pointers to opaque kernel structures: some bindgen types contain
// zero-length arrays, which the lint flags although only pointers cross.
#[allow(improper_ctypes)]
extern "C" {
    fn zcvfs_helper_kernel_release() -> *const c_char;
    fn zcvfs_helper_page_size() -> c_ulong;
    pub(crate) fn zcvfs_helper_file_inode(file: *mut bindings::file) -> *mut bindings::inode;
    pub(crate) fn zcvfs_helper_fs_type_name(
        fstype: *mut bindings::file_system_type,
    ) -> *const c_char;
    pub(crate) fn zcvfs_helper_sb_fs_type(
        sb: *mut bindings::super_block,
    ) -> *mut bindings::file_system_type;
    pub(crate) fn zcvfs_helper_file_maxbytes(file: *mut bindings::file) -> i64;
    pub(crate) fn zcvfs_helper_file_rw_mode(file: *mut bindings::file) -> c_uint;
    pub(crate) fn zcvfs_helper_max_rw_count() -> usize;
    pub(crate) fn zcvfs_helper_fsnotify_access(file: *mut bindings::file);
    pub(crate) fn zcvfs_helper_fsnotify_modify(file: *mut bindings::file);
    pub(crate) fn zcvfs_helper_iter_rw(
        file: *mut bindings::file,
        write: c_int,
        segflg: c_uint,
        segs: *mut c_void,
        nsegs: c_ulong,
        count: usize,
        pos: *mut i64,
    ) -> isize;
    pub(crate) fn zcvfs_helper_truncate(file: *mut bindings::file, length: i64) -> c_int;
    pub(crate) fn zcvfs_helper_module_get(owner: *mut bindings::module) -> bool;
    pub(crate) fn zcvfs_helper_module_put(owner: *mut bindings::module);
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
