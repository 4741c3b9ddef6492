// SPDX-License-Identifier: GPL-2.0

//! Permission: the checks NFSD adds to the VFS's own (`nfsd_permission()`,
//! `nfsd_access()` and the open-time checks of `nfsd_open()`, in
//! `fs/nfsd/vfs.c`), for the current credentials ([`super::cred`]), as
//! [`ExportPath`] methods (they need the export's mount).

use super::dentry::{inode_has_flag, nop_idmap, Dentry};
use super::helpers::zcnfsd_current_fsuid;
use super::path::ExportPath;
use kernel::bindings;
use kernel::error::to_result;
use kernel::ffi::c_int;
use kernel::prelude::*;

/// `MAY_READ`.
const MAY_READ: i32 = bindings::MAY_READ as i32;
/// `MAY_WRITE`.
const MAY_WRITE: i32 = bindings::MAY_WRITE as i32;
/// `MAY_EXEC`: search permission on a directory.
pub(crate) const MAY_EXEC: i32 = bindings::MAY_EXEC as i32;
/// `NFSD_MAY_SATTR` (`fs/nfsd/vfs.h`): setting attributes.
pub(super) const MAY_SATTR: i32 = 0x100;
/// `NFSD_MAY_TRUNC`: truncation.
pub(super) const MAY_TRUNC: i32 = 0x200;
/// `NFSD_MAY_OWNER_OVERRIDE`: the owner passes the open-time checks.
pub(super) const MAY_OWNER_OVERRIDE: i32 = 0x400;
/// `NFSD_MAY_LOCAL_ACCESS`: no read-only or immutable check.
const MAY_LOCAL_ACCESS: i32 = 0x800;

/// One line of NFSD's ACCESS tables: an ACCESS3_* bit and the access
/// ([`ExportPath::permission`]'s `acc`) that grants it.
type AccessMap = [(u32, i32)];

/// ACCESS for a regular file.
const ACCESS_REG: &AccessMap = &[
    (0x01, MAY_READ),              // READ
    (0x20, MAY_EXEC),              // EXECUTE
    (0x04, MAY_WRITE | MAY_TRUNC), // MODIFY
    (0x08, MAY_WRITE),             // EXTEND
];

/// ACCESS for a directory.
const ACCESS_DIR: &AccessMap = &[
    (0x01, MAY_READ),                         // READ
    (0x02, MAY_EXEC),                         // LOOKUP
    (0x04, MAY_EXEC | MAY_WRITE | MAY_TRUNC), // MODIFY
    (0x08, MAY_EXEC | MAY_WRITE),             // EXTEND
    (0x10, MAY_EXEC | MAY_WRITE | MAY_TRUNC), // DELETE
];

/// ACCESS for any other object.
const ACCESS_ANY: &AccessMap = &[
    (0x01, MAY_READ),                     // READ
    (0x20, MAY_EXEC),                     // EXECUTE
    (0x04, MAY_WRITE | MAY_LOCAL_ACCESS), // MODIFY
    (0x08, MAY_WRITE | MAY_LOCAL_ACCESS), // EXTEND
];

impl ExportPath {
    /// Whether the current credentials have the access `acc` (`MAY_*` and
    /// the `NFSD_MAY_*` above) to `d`, as `nfsd_permission()` decides it:
    /// write-like access on a read-only mount is `EROFS` (unless
    /// `MAY_LOCAL_ACCESS`), on an immutable file `EPERM`, truncation of an
    /// append-only file `EPERM`; the owner passes the open-time checks
    /// (`MAY_OWNER_OVERRIDE`: a client may write to a file it created with
    /// mode 0444); then `inode_permission()`, and reading a regular file
    /// the caller may only execute is allowed, as in NFSD. `EACCES`.
    pub(crate) fn permission(&self, d: &Dentry, acc: i32) -> Result {
        let inode = d.inode();
        let may = acc & (MAY_READ | MAY_WRITE | MAY_EXEC);
        if acc & MAY_LOCAL_ACCESS == 0 && acc & (MAY_WRITE | MAY_SATTR | MAY_TRUNC) != 0 {
            // SAFETY: the path holds a reference on its mount.
            if unsafe { bindings::__mnt_is_readonly(self.mnt()) } {
                return Err(EROFS);
            }
            // SAFETY: the inode of a live positive dentry is alive.
            if unsafe { inode_has_flag(inode, bindings::S_IMMUTABLE) } {
                return Err(EPERM);
            }
        }
        if acc & MAY_TRUNC != 0 {
            // SAFETY: as above.
            if unsafe { inode_has_flag(inode, bindings::S_APPEND) } {
                return Err(EPERM);
            }
        }
        if may == 0 {
            return Ok(());
        }
        if acc & MAY_OWNER_OVERRIDE != 0 {
            // SAFETY: the inode is alive; its owner is read as the VFS
            // reads it.
            if unsafe { bindings::uid_eq((*inode).i_uid, zcnfsd_current_fsuid()) } {
                return Ok(());
            }
        }
        // SAFETY: the inode is alive; the export's mounts are not idmapped.
        let mut err = unsafe { bindings::inode_permission(nop_idmap(), inode, may) };
        if err == EACCES.to_errno()
            && d.mode() & bindings::S_IFMT == bindings::S_IFREG
            && may == MAY_READ
            && acc & MAY_OWNER_OVERRIDE != 0
        {
            // SAFETY: as above.
            err = unsafe { bindings::inode_permission(nop_idmap(), inode, MAY_EXEC) };
        }
        to_result(err)
    }

    /// The ACCESS3_* bits of `want` that [`ExportPath::permission`] grants
    /// the current credentials (`nfsd_access()`, with NFSD's tables for
    /// regular files, directories and other objects).
    pub(crate) fn access(&self, d: &Dentry, want: u32) -> u32 {
        let map = if d.is_reg() {
            ACCESS_REG
        } else if d.is_dir() {
            ACCESS_DIR
        } else {
            ACCESS_ANY
        };
        map.iter()
            .filter(|&&(bit, acc)| want & bit != 0 && self.permission(d, acc).is_ok())
            .fold(0, |granted, &(bit, _)| granted | bit)
    }

    /// The open flags for `d` (read-write if `write`), after the permission
    /// checks of `nfsd_open()` / `nfsd_file_acquire()` for the current
    /// credentials (`dentry_open()` checks none; open(2) does, in
    /// `may_open()`): `EISDIR` to write a directory, `EINVAL` for neither a
    /// directory nor a regular file.
    pub(super) fn open_flags(&self, d: &Dentry, write: bool) -> Result<c_int> {
        let mut flags = bindings::O_LARGEFILE;
        let acc = if d.is_dir() {
            if write {
                return Err(EISDIR);
            }
            flags |= bindings::O_RDONLY | bindings::O_DIRECTORY;
            MAY_READ
        } else if !d.is_reg() {
            return Err(EINVAL);
        } else if write {
            flags |= bindings::O_RDWR;
            MAY_WRITE | MAY_OWNER_OVERRIDE
        } else {
            flags |= bindings::O_RDONLY;
            MAY_READ | MAY_OWNER_OVERRIDE
        };
        self.permission(d, acc)?;
        c_int::try_from(flags).map_err(|_| EINVAL)
    }

    /// Whether the current credentials may open `d` (read-write if
    /// `write`), by the checks [`ExportPath::open_file`] makes: a file
    /// opened for other credentials is reused only after these.
    pub(crate) fn may_open(&self, d: &Dentry, write: bool) -> Result {
        self.open_flags(d, write).map(|_| ())
    }
}
