// SPDX-License-Identifier: GPL-2.0

//! The attribute structures the C helpers fill or read (`zcnfsd_vfs.h`):
//! plain data, `#[repr(C)]`, no code.

#![deny(unsafe_code)]

/// `struct zcnfsd_attr`: what `vfs_getattr` says about an inode.
#[repr(C)]
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
    pub(crate) generation: u32,
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

/// `struct zcnfsd_sattr`: attributes to change.
#[repr(C)]
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

/// `struct zcnfsd_statfs`.
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
