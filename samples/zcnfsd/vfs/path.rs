// SPDX-License-Identifier: GPL-2.0

//! [`ExportPath`]: the exported directory's mount and dentry, file handles
//! (decoding a fid into a dentry of the export) and open. The other
//! operations that need the export's mount are `impl ExportPath` blocks
//! with their own concept: attributes ([`super::attr`]), permission
//! ([`super::permission`]), operations on names ([`super::names`]).

use super::dentry::{Dentry, Fid, FID_MAX_WORDS};
use super::helpers::{
    exportfs_decode_fh, kern_path, zcnfsd_current_cred, zcnfsd_dget, zcnfsd_export_path_param,
    LOOKUP_DIR,
};
use core::ptr::NonNull;
use kernel::bindings;
use kernel::error::{from_err_ptr, to_result};
use kernel::ffi::{c_int, c_void};
use kernel::fs::File;
use kernel::prelude::*;
use kernel::sync::aref::ARef;

/// The `export_path` module parameter, if given.
pub(crate) fn export_path_param() -> Option<&'static CStr> {
    // SAFETY: the parameter is a NUL-terminated string owned by the module
    // parameter code, which only changes it at load (mode 0444: read-only
    // in sysfs), so it lives, unchanged, as long as the module.
    let p = unsafe { zcnfsd_export_path_param() };
    if p.is_null() {
        return None;
    }
    // SAFETY: non-null and NUL-terminated, see above.
    Some(unsafe { CStr::from_char_ptr(p) })
}

/// The exported directory: its mount and dentry, referenced.
///
/// # Invariants
///
/// `path` holds references (from `kern_path`) on its mount and dentry.
pub(crate) struct ExportPath {
    path: bindings::path,
}

// SAFETY: a path reference may be used and dropped from any thread.
unsafe impl Send for ExportPath {}
// SAFETY: only read after construction.
unsafe impl Sync for ExportPath {}

/// `exportfs_decode_fh`'s `acceptable`: a decoded object must be inside
/// the export and not removed.
///
/// # Safety
///
/// `export_root` is the export's dentry, `d` a live dentry.
unsafe extern "C" fn acceptable(export_root: *mut c_void, d: *mut bindings::dentry) -> c_int {
    // SAFETY: `d` is a live dentry and `export_root` the export's (the
    // function's safety requirements).
    let ok = unsafe { Dentry::is_live(d) && bindings::is_subdir(d, export_root.cast()) };
    c_int::from(ok)
}

impl ExportPath {
    /// Looks up the `export_path` parameter (a directory): `EINVAL` if it
    /// is not given or empty.
    pub(crate) fn open() -> Result<ExportPath> {
        let name = export_path_param()
            .filter(|p| !p.is_empty())
            .ok_or(EINVAL)?;
        let mut path = bindings::path {
            mnt: core::ptr::null_mut(),
            dentry: core::ptr::null_mut(),
        };
        // SAFETY: `name` is a C string; `path` is writable; on success it
        // holds references.
        to_result(unsafe { kern_path(name.as_char_ptr(), LOOKUP_DIR, &mut path) })?;
        // INVARIANT: kern_path succeeded.
        Ok(ExportPath { path })
    }

    /// The export's mount, referenced as long as `self` lives.
    pub(super) fn mnt(&self) -> *mut bindings::vfsmount {
        self.path.mnt
    }

    /// A `struct path` of `d` on the export's mount, valid as long as both
    /// `self` and `d` are.
    pub(super) fn path_of(&self, d: &Dentry) -> bindings::path {
        bindings::path {
            mnt: self.mnt(),
            dentry: d.as_ptr(),
        }
    }

    /// The exported directory, with a new reference.
    pub(crate) fn root(&self) -> Result<ARef<Dentry>> {
        // SAFETY: the path holds a reference on its dentry, so it is alive;
        // dget returns it with one more reference.
        unsafe { Dentry::from_result(zcnfsd_dget(self.path.dentry)) }
    }

    /// The live object inside the export that `fid` names
    /// (`exportfs_decode_fh`): `ESTALE` if there is none, `ENOMEM`.
    pub(crate) fn decode_fid(&self, fid: &Fid) -> Result<ARef<Dentry>> {
        let mut raw = fid.raw;
        let words = c_int::try_from(fid.words.min(FID_MAX_WORDS)).map_err(|_| EINVAL)?;
        // SAFETY: the path holds references on its mount and dentry; `raw`
        // holds `words` words; `acceptable` gets the export's dentry as its
        // context; the result is a new reference or an error.
        unsafe {
            Dentry::from_result(exportfs_decode_fh(
                self.mnt(),
                raw.as_mut_ptr(),
                words,
                c_int::from(fid.fid_type),
                acceptable,
                self.path.dentry.cast(),
            ))
        }
    }

    /// Opens `d` (read-write if `write`) for the current credentials, after
    /// the checks of [`ExportPath::may_open`] (`dentry_open` makes none).
    pub(crate) fn open_file(&self, d: &Dentry, write: bool) -> Result<ARef<File>> {
        let flags = self.open_flags(d, write)?;
        let p = self.path_of(d);
        // SAFETY: `p` names a referenced mount and dentry; the current
        // credentials are alive during the call (`dentry_open` takes its
        // own reference).
        let f = from_err_ptr(unsafe { bindings::dentry_open(&p, flags, zcnfsd_current_cred()) })?;
        let f = NonNull::new(f.cast::<File>()).ok_or(EINVAL)?;
        // SAFETY: dentry_open returned a new reference on a file that is in
        // no file table, so no `fdget_pos` is active on it (File's
        // invariant); `File` is a transparent wrapper of `struct file`.
        Ok(unsafe { ARef::from_raw(f) })
    }

    /// Runs `f` with write access to the export's mount (`mnt_want_write`
    /// before, `mnt_drop_write` after), or fails as `mnt_want_write` does
    /// (`EROFS`).
    pub(super) fn with_write<T>(&self, f: impl FnOnce() -> Result<T>) -> Result<T> {
        // SAFETY: the path holds a reference on its mount.
        to_result(unsafe { bindings::mnt_want_write(self.mnt()) })?;
        let r = f();
        // SAFETY: the write access taken above.
        unsafe { bindings::mnt_drop_write(self.mnt()) };
        r
    }
}

impl Drop for ExportPath {
    fn drop(&mut self) {
        // SAFETY: by the type invariant the path holds references.
        unsafe { bindings::path_put(&self.path) }
    }
}
