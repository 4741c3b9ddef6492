// SPDX-License-Identifier: GPL-2.0

//! The operations on names (CREATE, MKDIR, REMOVE, RMDIR, RENAME), as
//! [`ExportPath`] methods on checked directories ([`Dir`]), each as
//! `fs/nfsd/vfs.c` does it in this kernel version, with write access to the
//! export's mount: `start_creating()`/`end_creating()` around
//! `vfs_create()` and `vfs_mkdir()`, `start_removing()` around
//! `vfs_unlink()`/`vfs_rmdir()`, `start_renaming()` and
//! `struct renamedata` for `vfs_rename()`.

use super::dentry::{d_inode, nop_idmap, qstr, Dentry, Dir};
use super::helpers::{
    end_renaming, start_creating, start_removing, start_renaming, zcnfsd_d_is_dir,
    zcnfsd_d_is_negative, zcnfsd_end_creating, zcnfsd_end_creating_keep, zcnfsd_end_removing,
};
use super::path::ExportPath;
use kernel::bindings;
use kernel::error::{from_err_ptr, to_result};
use kernel::prelude::*;
use kernel::sync::aref::ARef;

impl ExportPath {
    /// Creates regular file `name` in `dir`, or finds the existing object
    /// of that name: returns it (positive, referenced) and whether it
    /// existed; the caller decides what UNCHECKED, GUARDED and EXCLUSIVE
    /// make of it.
    pub(crate) fn create(&self, dir: &Dir, name: &[u8], mode: u32) -> Result<(ARef<Dentry>, bool)> {
        let mut q = qstr(name)?;
        self.with_write(|| {
            // SAFETY: `dir` is a live directory; `q` points to `name`.
            let child = from_err_ptr(unsafe { start_creating(nop_idmap(), dir.as_ptr(), &mut q) })?;
            // SAFETY: `child` is the locked dentry `start_creating` returned;
            // `d_really_is_positive()` is this test of its inode.
            let existed = unsafe { !d_inode(child).is_null() };
            if !existed {
                let mode = (mode & bindings::S_IALLUGO) | bindings::S_IFREG;
                // SAFETY: `child` is negative and locked for creating.
                let err = unsafe {
                    bindings::vfs_create(
                        nop_idmap(),
                        child,
                        mode as bindings::umode_t,
                        core::ptr::null_mut(),
                    )
                };
                if err != 0 {
                    // SAFETY: ends what `start_creating` began.
                    unsafe { zcnfsd_end_creating(child) };
                    return Err(Error::from_errno(err));
                }
            }
            // SAFETY: ends what `start_creating` began, keeping a reference
            // on the (now positive) dentry, which we take over.
            let d = unsafe { Dentry::from_result(zcnfsd_end_creating_keep(child)) }?;
            Ok((d, existed))
        })
    }

    /// Creates directory `name` in `dir`: `EEXIST` if the name exists.
    pub(crate) fn mkdir(&self, dir: &Dir, name: &[u8], mode: u32) -> Result<ARef<Dentry>> {
        let mut q = qstr(name)?;
        self.with_write(|| {
            // SAFETY: `dir` is a live directory; `q` points to `name`.
            let child = from_err_ptr(unsafe { start_creating(nop_idmap(), dir.as_ptr(), &mut q) })?;
            // SAFETY: `child` is the locked dentry `start_creating` returned;
            // `d_really_is_positive()` is this test of its inode.
            if unsafe { !d_inode(child).is_null() } {
                // SAFETY: ends what `start_creating` began.
                unsafe { zcnfsd_end_creating(child) };
                return Err(EEXIST);
            }
            let mode = mode & (bindings::S_IRWXUGO | bindings::S_ISVTX);
            // SAFETY: `child` is negative and locked for creating in `dir`;
            // on failure `vfs_mkdir` ends the creation itself.
            let child = from_err_ptr(unsafe {
                bindings::vfs_mkdir(
                    nop_idmap(),
                    dir.inode(),
                    child,
                    mode as bindings::umode_t,
                    core::ptr::null_mut(),
                )
            })?;
            // SAFETY: ends what `start_creating` began, with the dentry
            // `vfs_mkdir` returned, keeping a reference.
            let child = unsafe { zcnfsd_end_creating_keep(child) };
            // SAFETY: `child` is referenced.
            if unsafe { zcnfsd_d_is_negative(child) } {
                // The filesystem did not instantiate it: look it up.
                // SAFETY: we drop the reference `end_creating_keep` gave.
                unsafe { bindings::dput(child) };
                return dir.lookup(name);
            }
            // SAFETY: a positive dentry on which we hold a reference.
            unsafe { Dentry::from_result(child) }
        })
    }

    /// Removes `name` from `dir`: a directory if `rmdir` (`ENOTDIR` for
    /// anything else), else anything but one (`EISDIR`).
    pub(crate) fn remove(&self, dir: &Dir, name: &[u8], rmdir: bool) -> Result {
        let mut q = qstr(name)?;
        self.with_write(|| {
            // SAFETY: `dir` is a live directory; `q` points to `name`.
            let victim =
                from_err_ptr(unsafe { start_removing(nop_idmap(), dir.as_ptr(), &mut q) })?;
            // SAFETY: `victim` is the positive locked dentry `start_removing`
            // returned, `dir` its parent; as nfsd_unlink(), the inode is held
            // so that the final iput comes only after the locks are gone.
            let err = unsafe {
                let inode = d_inode(victim);
                bindings::ihold(inode);
                let is_dir = zcnfsd_d_is_dir(victim);
                let dir_inode = dir.inode();
                let err = match (rmdir, is_dir) {
                    (true, true) => {
                        bindings::vfs_rmdir(nop_idmap(), dir_inode, victim, core::ptr::null_mut())
                    }
                    (true, false) => ENOTDIR.to_errno(),
                    (false, true) => EISDIR.to_errno(),
                    (false, false) => {
                        bindings::vfs_unlink(nop_idmap(), dir_inode, victim, core::ptr::null_mut())
                    }
                };
                zcnfsd_end_removing(victim);
                bindings::iput(inode);
                err
            };
            to_result(err)
        })
    }

    /// Renames `fname` in `fdir` to `tname` in `tdir` (over an existing
    /// target, which is then unlinked).
    pub(crate) fn rename(&self, fdir: &Dir, fname: &[u8], tdir: &Dir, tname: &[u8]) -> Result {
        let (mut fq, mut tq) = (qstr(fname)?, qstr(tname)?);
        let mut rd = bindings::renamedata {
            mnt_idmap: nop_idmap(),
            old_parent: fdir.as_ptr(),
            new_parent: tdir.as_ptr(),
            ..Default::default()
        };
        self.with_write(|| {
            // SAFETY: both directories are alive; `fq` and `tq` point to the
            // names; on success `rd` holds the locks and dentries.
            to_result(unsafe { start_renaming(&mut rd, 0, &mut fq, &mut tq) })?;
            // SAFETY: `rd` is as `start_renaming` left it; `end_renaming`
            // ends what it began.
            let err = unsafe {
                let err = bindings::vfs_rename(&mut rd);
                end_renaming(&mut rd);
                err
            };
            to_result(err)
        })
    }
}
