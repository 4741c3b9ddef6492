// SPDX-License-Identifier: GPL-2.0

//! Attributes: what `vfs_getattr` says about an inode ([`Attr`]), the
//! changes SETATTR, CREATE and MKDIR ask for ([`SetAttr`]), file system
//! statistics ([`StatFs`]), and the [`ExportPath`] methods that get or set
//! them (`getattr`, `setattr` as `nfsd_setattr()`, `statfs`).

use super::cred::{kgid, kuid};
use super::dentry::{nop_idmap, Dentry};
use super::helpers::{
    zcnfsd_dev_major, zcnfsd_dev_minor, zcnfsd_from_kgid_munged, zcnfsd_from_kuid_munged,
    zcnfsd_get_write_access, zcnfsd_inode_lock, zcnfsd_inode_unlock, zcnfsd_new_encode_dev,
    zcnfsd_put_write_access, zcnfsd_statfs,
};
use super::path::ExportPath;
use super::permission::{MAY_OWNER_OVERRIDE, MAY_SATTR};
use kernel::bindings;
use kernel::error::to_result;
use kernel::ffi::c_long;
use kernel::prelude::*;

/// What `vfs_getattr` says about an inode, as NFSv3's fattr3 needs it.
#[derive(Clone, Copy, Default, Debug)]
pub(crate) struct Attr {
    pub(crate) ino: u64,
    pub(crate) size: u64,
    pub(crate) used: u64,
    pub(crate) fsid: u64,
    pub(crate) atime_sec: i64,
    pub(crate) mtime_sec: i64,
    pub(crate) ctime_sec: i64,
    pub(crate) atime_nsec: u32,
    pub(crate) mtime_nsec: u32,
    pub(crate) ctime_nsec: u32,
    pub(crate) mode: u32,
    pub(crate) nlink: u32,
    pub(crate) uid: u32,
    pub(crate) gid: u32,
    pub(crate) rdev_major: u32,
    pub(crate) rdev_minor: u32,
}

/// `ZCNFSD_SET_*`: which fields of a [`SetAttr`] apply.
pub(crate) mod set {
    pub(crate) const MODE: u32 = 0x01;
    pub(crate) const UID: u32 = 0x02;
    pub(crate) const GID: u32 = 0x04;
    pub(crate) const SIZE: u32 = 0x08;
    pub(crate) const ATIME: u32 = 0x10;
    pub(crate) const ATIME_NOW: u32 = 0x20;
    pub(crate) const MTIME: u32 = 0x40;
    pub(crate) const MTIME_NOW: u32 = 0x80;
}

/// Attributes to change (`set::*` in `valid`).
#[derive(Clone, Copy, Default, Debug)]
pub(crate) struct SetAttr {
    pub(crate) size: u64,
    pub(crate) atime_sec: i64,
    pub(crate) mtime_sec: i64,
    pub(crate) atime_nsec: u32,
    pub(crate) mtime_nsec: u32,
    pub(crate) valid: u32,
    pub(crate) mode: u32,
    pub(crate) uid: u32,
    pub(crate) gid: u32,
}

/// File system statistics: `struct zcnfsd_statfs`, which `zcnfsd_statfs`
/// (`zcnfsd_vfs.c`) fills from `vfs_statfs` but for `maxbytes`, the
/// super block's `s_maxbytes`, which [`ExportPath::statfs`] reads.
#[repr(C)]
#[derive(Clone, Copy, Default, Debug)]
pub(crate) struct StatFs {
    pub(crate) bsize: u64,
    pub(crate) blocks: u64,
    pub(crate) bfree: u64,
    pub(crate) bavail: u64,
    pub(crate) files: u64,
    pub(crate) ffree: u64,
    pub(crate) maxbytes: u64,
    pub(crate) namelen: u64,
}

/// `MAY_WRITE`.
const MAY_WRITE: i32 = bindings::MAY_WRITE as i32;

/// A time as the VFS holds it.
fn timespec(sec: i64, nsec: u32) -> bindings::timespec64 {
    bindings::timespec64 {
        tv_sec: sec,
        tv_nsec: nsec as c_long,
    }
}

/// Whether `mode` (of an inode) is of the type `fmt` (`S_IF*`).
fn is_type(mode: u32, fmt: u32) -> bool {
    mode & bindings::S_IFMT == fmt
}

impl ExportPath {
    /// `vfs_getattr` of `d` (on this export's mount).
    pub(crate) fn getattr(&self, d: &Dentry) -> Result<Attr> {
        let p = self.path_of(d);
        let mut st = bindings::kstat::default();
        // SAFETY: `p` names a referenced mount and dentry; `st` is writable.
        to_result(unsafe {
            bindings::vfs_getattr(
                &p,
                &mut st,
                bindings::STATX_BASIC_STATS,
                bindings::AT_STATX_SYNC_AS_STAT,
            )
        })?;
        // SAFETY: conversions of plain values.
        let (fsid, uid, gid, rdev_major, rdev_minor) = unsafe {
            (
                zcnfsd_new_encode_dev(st.dev),
                zcnfsd_from_kuid_munged(st.uid),
                zcnfsd_from_kgid_munged(st.gid),
                zcnfsd_dev_major(st.rdev),
                zcnfsd_dev_minor(st.rdev),
            )
        };
        Ok(Attr {
            ino: st.ino,
            size: st.size as u64,
            used: st.blocks << 9,
            fsid: u64::from(fsid),
            atime_sec: st.atime.tv_sec,
            atime_nsec: st.atime.tv_nsec as u32,
            mtime_sec: st.mtime.tv_sec,
            mtime_nsec: st.mtime.tv_nsec as u32,
            ctime_sec: st.ctime.tv_sec,
            ctime_nsec: st.ctime.tv_nsec as u32,
            mode: u32::from(st.mode),
            nlink: st.nlink,
            uid,
            gid,
            rdev_major,
            rdev_minor,
        })
    }

    /// SETATTR, as `nfsd_setattr()`: `notify_change()` under the inode
    /// lock. Every argument is checked before anything changes: `EINVAL`
    /// (nothing changed) for a time the inode cannot hold or an unmappable
    /// uid or gid.
    pub(crate) fn setattr(&self, d: &Dentry, sa: &SetAttr) -> Result {
        let inode = d.inode();
        // SAFETY: the inode of a live positive dentry is alive, and its
        // super block as long as it; the fields are read as the VFS reads
        // them.
        let (imode, time_min, time_max) = unsafe {
            let sb = (*inode).i_sb;
            (
                u32::from((*inode).i_mode),
                (*sb).s_time_min,
                (*sb).s_time_max,
            )
        };
        // A time the inode can hold as given: nanoseconds below a second,
        // seconds within what the file system stores (timestamp_truncate()
        // would clamp the others silently).
        let time_ok = |sec: i64, nsec: u32| {
            nsec < bindings::NSEC_PER_SEC && (time_min..=time_max).contains(&sec)
        };
        if sa.valid & set::ATIME != 0 && !time_ok(sa.atime_sec, sa.atime_nsec) {
            return Err(EINVAL);
        }
        if sa.valid & set::MTIME != 0 && !time_ok(sa.mtime_sec, sa.mtime_nsec) {
            return Err(EINVAL);
        }

        let mut ia = bindings::iattr::default();
        let mut valid = 0;
        let mut mode = 0;
        if sa.valid & set::MODE != 0 {
            valid |= bindings::ATTR_MODE;
            mode = (sa.mode & bindings::S_IALLUGO) | (imode & bindings::S_IFMT);
        }
        if sa.valid & set::UID != 0 {
            let uid = kuid(sa.uid).ok_or(EINVAL)?;
            valid |= bindings::ATTR_UID;
            // VFSUIDT_INIT(uid).
            ia.__bindgen_anon_1.ia_vfsuid = bindings::vfsuid_t { val: uid.val };
        }
        if sa.valid & set::GID != 0 {
            let gid = kgid(sa.gid).ok_or(EINVAL)?;
            valid |= bindings::ATTR_GID;
            // VFSGIDT_INIT(gid).
            ia.__bindgen_anon_2.ia_vfsgid = bindings::vfsgid_t { val: gid.val };
        }
        if sa.valid & set::SIZE != 0 {
            if is_type(imode, bindings::S_IFDIR) {
                return Err(EISDIR);
            }
            if !is_type(imode, bindings::S_IFREG) {
                return Err(EINVAL);
            }
            valid |= bindings::ATTR_SIZE | bindings::ATTR_MTIME;
            ia.ia_size = sa.size as i64;
        }
        if sa.valid & set::ATIME != 0 {
            valid |= bindings::ATTR_ATIME | bindings::ATTR_ATIME_SET;
            ia.ia_atime = timespec(sa.atime_sec, sa.atime_nsec);
        } else if sa.valid & set::ATIME_NOW != 0 {
            valid |= bindings::ATTR_ATIME;
        }
        if sa.valid & set::MTIME != 0 {
            valid |= bindings::ATTR_MTIME | bindings::ATTR_MTIME_SET;
            ia.ia_mtime = timespec(sa.mtime_sec, sa.mtime_nsec);
        } else if sa.valid & set::MTIME_NOW != 0 {
            valid |= bindings::ATTR_MTIME;
        }
        if valid == 0 {
            return Ok(());
        }
        valid |= bindings::ATTR_CTIME;

        // As nfsd_setattr(): changing the size needs write permission (the
        // owner's is implied), setting the times to "now" too unless the
        // caller owns the file; the rest (mode, owner, explicit times) is
        // setattr_prepare()'s business in the file system's ->setattr.
        let mut acc = MAY_SATTR;
        if valid & bindings::ATTR_SIZE != 0 {
            acc |= MAY_WRITE | MAY_OWNER_OVERRIDE;
        }
        if valid & (bindings::ATTR_ATIME | bindings::ATTR_MTIME) != 0 {
            acc |= MAY_OWNER_OVERRIDE;
            if valid & (bindings::ATTR_ATIME_SET | bindings::ATTR_MTIME_SET) == 0 {
                acc |= MAY_WRITE;
            }
        }
        self.permission(d, acc)?;
        // As nfsd_sanitize_attrs(): a change of owner or group clears the
        // set-user-ID and set-group-ID bits of a non-directory (and any
        // security capability).
        if !is_type(imode, bindings::S_IFDIR)
            && valid & (bindings::ATTR_UID | bindings::ATTR_GID) != 0
        {
            valid |= bindings::ATTR_KILL_PRIV;
            if valid & bindings::ATTR_MODE != 0 {
                mode &= !bindings::S_ISUID;
                if mode & bindings::S_IXGRP != 0 {
                    mode &= !bindings::S_ISGID;
                }
            } else {
                valid |= bindings::ATTR_KILL_SUID | bindings::ATTR_KILL_SGID;
            }
        }
        ia.ia_valid = valid;
        ia.ia_mode = mode as bindings::umode_t;

        self.with_write(|| {
            let size = valid & bindings::ATTR_SIZE != 0;
            if size {
                // As do_truncate(): no size change under a running binary.
                // SAFETY: the inode is alive.
                to_result(unsafe { zcnfsd_get_write_access(inode) })?;
            }
            // SAFETY: the inode is alive and `d` a live dentry of it;
            // `notify_change` runs under the inode lock, as it requires;
            // the write access taken above is given back.
            let err = unsafe {
                zcnfsd_inode_lock(inode);
                let err = bindings::notify_change(
                    nop_idmap(),
                    d.as_ptr(),
                    &mut ia,
                    core::ptr::null_mut(),
                );
                zcnfsd_inode_unlock(inode);
                if size {
                    zcnfsd_put_write_access(inode);
                }
                err
            };
            to_result(err)
        })
    }

    /// `vfs_statfs` of the file system holding `d`.
    pub(crate) fn statfs(&self, d: &Dentry) -> Result<StatFs> {
        let mut s = StatFs::default();
        let p = bindings::path {
            mnt: self.mnt(),
            dentry: d.as_ptr(),
        };
        // SAFETY: the path holds a reference on its mount, `d` is a live
        // dentry, so `p` is a valid path for the call; `s` is writable.
        to_result(unsafe { zcnfsd_statfs(&p, &mut s) })?;
        // SAFETY: a live dentry's super block is alive and `s_maxbytes` is
        // set when it is set up, before any dentry of it exists.
        s.maxbytes = unsafe { (*(*d.as_ptr()).d_sb).s_maxbytes } as u64;
        Ok(s)
    }
}
