// SPDX-License-Identifier: GPL-2.0

//! [`ExportPath`]: the exported directory's mount and dentry, and the VFS
//! operations that need that mount (file handles, attributes, permission,
//! operations on names, open, statfs).

use super::attr::{Attr, SetAttr, StatFs};
use super::dentry::{name_len, Dentry, Dir, Fid, FID_MAX_WORDS};
use core::ptr::NonNull;
use kernel::bindings;
use kernel::error::{from_err_ptr, to_result};
use kernel::ffi::{c_char, c_int};
use kernel::fs::File;
use kernel::prelude::*;
use kernel::sync::aref::ARef;

// Pointers to opaque kernel structures only.
#[allow(improper_ctypes)]
extern "C" {
    fn zcnfsd_export_path_param() -> *const c_char;
    fn zcnfsd_export_open(out: *mut bindings::path) -> c_int;
    fn zcnfsd_dget(d: *mut bindings::dentry) -> *mut bindings::dentry;
    fn zcnfsd_decode_fid(
        mnt: *mut bindings::vfsmount,
        export_root: *mut bindings::dentry,
        fid: *mut u32,
        words: c_int,
        fid_type: c_int,
    ) -> *mut bindings::dentry;
    fn zcnfsd_getattr(
        mnt: *mut bindings::vfsmount,
        d: *mut bindings::dentry,
        out: *mut Attr,
    ) -> c_int;
    fn zcnfsd_setattr(
        mnt: *mut bindings::vfsmount,
        d: *mut bindings::dentry,
        sa: *const SetAttr,
    ) -> c_int;
    fn zcnfsd_access(mnt: *mut bindings::vfsmount, d: *mut bindings::dentry, want: u32) -> u32;
    fn zcnfsd_permission(
        mnt: *mut bindings::vfsmount,
        d: *mut bindings::dentry,
        acc: c_int,
    ) -> c_int;
    fn zcnfsd_create(
        mnt: *mut bindings::vfsmount,
        dir: *mut bindings::dentry,
        name: *const u8,
        len: u32,
        mode: u32,
        existed: *mut bool,
    ) -> *mut bindings::dentry;
    fn zcnfsd_mkdir(
        mnt: *mut bindings::vfsmount,
        dir: *mut bindings::dentry,
        name: *const u8,
        len: u32,
        mode: u32,
    ) -> *mut bindings::dentry;
    fn zcnfsd_remove(
        mnt: *mut bindings::vfsmount,
        dir: *mut bindings::dentry,
        name: *const u8,
        len: u32,
        rmdir: bool,
    ) -> c_int;
    fn zcnfsd_rename(
        mnt: *mut bindings::vfsmount,
        fdir: *mut bindings::dentry,
        fname: *const u8,
        flen: u32,
        tdir: *mut bindings::dentry,
        tname: *const u8,
        tlen: u32,
    ) -> c_int;
    fn zcnfsd_may_open(
        mnt: *mut bindings::vfsmount,
        d: *mut bindings::dentry,
        write: c_int,
        flags: *mut c_int,
    ) -> c_int;
    fn zcnfsd_open(
        mnt: *mut bindings::vfsmount,
        d: *mut bindings::dentry,
        write: c_int,
    ) -> *mut bindings::file;
    fn zcnfsd_statfs(
        mnt: *mut bindings::vfsmount,
        d: *mut bindings::dentry,
        out: *mut StatFs,
    ) -> c_int;
}

/// `MAY_EXEC`: search permission on a directory.
pub(crate) const MAY_EXEC: i32 = bindings::MAY_EXEC as i32;

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

impl ExportPath {
    /// Looks up the `export_path` parameter (a directory).
    pub(crate) fn open() -> Result<ExportPath> {
        let mut path = bindings::path {
            mnt: core::ptr::null_mut(),
            dentry: core::ptr::null_mut(),
        };
        // SAFETY: `path` is writable; on success it holds references.
        to_result(unsafe { zcnfsd_export_open(&mut path) })?;
        // INVARIANT: kern_path succeeded.
        Ok(ExportPath { path })
    }

    fn mnt(&self) -> *mut bindings::vfsmount {
        self.path.mnt
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
        // holds `words` words; the helper returns a new reference or an
        // error.
        unsafe {
            Dentry::from_result(zcnfsd_decode_fid(
                self.mnt(),
                self.path.dentry,
                raw.as_mut_ptr(),
                words,
                c_int::from(fid.fid_type),
            ))
        }
    }

    /// The ACCESS3_* bits of `want` that the permission checks grant the
    /// current credentials (`nfsd_access`).
    pub(crate) fn access(&self, d: &Dentry, want: u32) -> u32 {
        // SAFETY: the path holds a reference on its mount; `d` is a live,
        // positive dentry (its type invariant).
        unsafe { zcnfsd_access(self.mnt(), d.as_ptr(), want) }
    }

    /// Whether the current credentials have the access `acc` (`MAY_*`) to
    /// `d`, as `nfsd_permission` decides it: `EACCES`, `EPERM`, `EROFS`.
    pub(crate) fn permission(&self, d: &Dentry, acc: i32) -> Result {
        // SAFETY: the path holds a reference on its mount; `d` is a live,
        // positive dentry.
        to_result(unsafe { zcnfsd_permission(self.mnt(), d.as_ptr(), acc) })
    }

    /// `vfs_getattr` of `d` (on this export's mount).
    pub(crate) fn getattr(&self, d: &Dentry) -> Result<Attr> {
        let mut a = Attr::default();
        // SAFETY: both referenced; `a` is writable.
        to_result(unsafe { zcnfsd_getattr(self.mnt(), d.as_ptr(), &mut a) })?;
        Ok(a)
    }

    /// `notify_change` of `d`.
    pub(crate) fn setattr(&self, d: &Dentry, sa: &SetAttr) -> Result {
        // SAFETY: both referenced; `sa` is readable.
        to_result(unsafe { zcnfsd_setattr(self.mnt(), d.as_ptr(), sa) })
    }

    /// Creates regular file `name` in `dir`, or finds the existing object:
    /// returns it and whether it existed.
    pub(crate) fn create(&self, dir: &Dir, name: &[u8], mode: u32) -> Result<(ARef<Dentry>, bool)> {
        let len = name_len(name)?;
        let mut existed = false;
        // SAFETY: references held; `name` valid for `len` bytes; the helper
        // returns a new reference or an error.
        let d = unsafe {
            Dentry::from_result(zcnfsd_create(
                self.mnt(),
                dir.as_ptr(),
                name.as_ptr(),
                len,
                mode,
                &mut existed,
            ))
        }?;
        Ok((d, existed))
    }

    /// Creates directory `name` in `dir`.
    pub(crate) fn mkdir(&self, dir: &Dir, name: &[u8], mode: u32) -> Result<ARef<Dentry>> {
        let len = name_len(name)?;
        // SAFETY: references held; `name` valid for `len` bytes; the helper
        // returns a new reference or an error.
        unsafe {
            Dentry::from_result(zcnfsd_mkdir(
                self.mnt(),
                dir.as_ptr(),
                name.as_ptr(),
                len,
                mode,
            ))
        }
    }

    /// Removes `name` from `dir` (a directory if `rmdir`, else anything
    /// but).
    pub(crate) fn remove(&self, dir: &Dir, name: &[u8], rmdir: bool) -> Result {
        let len = name_len(name)?;
        // SAFETY: references held; `name` valid for `len` bytes.
        to_result(unsafe { zcnfsd_remove(self.mnt(), dir.as_ptr(), name.as_ptr(), len, rmdir) })
    }

    /// Renames `fname` in `fdir` to `tname` in `tdir` (over an existing
    /// target).
    pub(crate) fn rename(&self, fdir: &Dir, fname: &[u8], tdir: &Dir, tname: &[u8]) -> Result {
        let (flen, tlen) = (name_len(fname)?, name_len(tname)?);
        // SAFETY: references held; the names are valid for their lengths.
        to_result(unsafe {
            zcnfsd_rename(
                self.mnt(),
                fdir.as_ptr(),
                fname.as_ptr(),
                flen,
                tdir.as_ptr(),
                tname.as_ptr(),
                tlen,
            )
        })
    }

    /// Whether the current credentials may open `d` (read-write if
    /// `write`), by the checks [`ExportPath::open_file`] makes: a file
    /// opened for other credentials is reused only after these.
    pub(crate) fn may_open(&self, d: &Dentry, write: bool) -> Result {
        let mut flags: c_int = 0;
        // SAFETY: references held; `flags` is writable.
        to_result(unsafe {
            zcnfsd_may_open(self.mnt(), d.as_ptr(), c_int::from(write), &mut flags)
        })
    }

    /// Opens `d` (read-write if `write`).
    pub(crate) fn open_file(&self, d: &Dentry, write: bool) -> Result<ARef<File>> {
        // SAFETY: references held.
        let f = from_err_ptr(unsafe { zcnfsd_open(self.mnt(), d.as_ptr(), c_int::from(write)) })?;
        let f = NonNull::new(f.cast::<File>()).ok_or(EINVAL)?;
        // SAFETY: dentry_open returned a new reference on a file that is in
        // no file table, so no `fdget_pos` is active on it (File's
        // invariant); `File` is a transparent wrapper of `struct file`.
        Ok(unsafe { ARef::from_raw(f) })
    }

    /// `vfs_statfs` of the file system holding `d`.
    pub(crate) fn statfs(&self, d: &Dentry) -> Result<StatFs> {
        let mut s = StatFs::default();
        // SAFETY: references held; `s` is writable.
        to_result(unsafe { zcnfsd_statfs(self.mnt(), d.as_ptr(), &mut s) })?;
        Ok(s)
    }
}

impl Drop for ExportPath {
    fn drop(&mut self) {
        // SAFETY: by the type invariant the path holds references.
        unsafe { bindings::path_put(&self.path) }
    }
}
