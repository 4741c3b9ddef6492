// SPDX-License-Identifier: GPL-2.0

//! Conversions between the VFS's view (attributes, errnos) and NFSv3's
//! (`fattr3`, `wcc_attr`, `sattr3`, `nfsstat3`).

#![deny(unsafe_code)]

use crate::proto::nfs3::{Fattr3, Ftype3, NfsTime3, Nfsstat3, Sattr3, SetTime, SpecData3, WccAttr};
use crate::vfs::attr::{set, Attr, SetAttr};
use kernel::bindings;
use kernel::prelude::*;

const S_IFMT: u32 = 0o170000;
const S_IFSOCK: u32 = 0o140000;
const S_IFLNK: u32 = 0o120000;
const S_IFREG: u32 = 0o100000;
const S_IFBLK: u32 = 0o060000;
const S_IFDIR: u32 = 0o040000;
const S_IFCHR: u32 = 0o020000;

/// Permission bits of a mode (`S_IALLUGO`).
pub(crate) const MODE_BITS: u32 = 0o7777;

/// Whether a mode is a regular file's.
pub(crate) fn is_reg(mode: u32) -> bool {
    mode & S_IFMT == S_IFREG
}

fn ftype(mode: u32) -> Ftype3 {
    match mode & S_IFMT {
        S_IFREG => Ftype3::Reg,
        S_IFDIR => Ftype3::Dir,
        S_IFBLK => Ftype3::Blk,
        S_IFCHR => Ftype3::Chr,
        S_IFLNK => Ftype3::Lnk,
        S_IFSOCK => Ftype3::Sock,
        _ => Ftype3::Fifo,
    }
}

/// NFSv3 times are unsigned 32-bit seconds: clamp what does not fit.
fn time(sec: i64, nsec: u32) -> NfsTime3 {
    NfsTime3 {
        seconds: u32::try_from(sec.max(0)).unwrap_or(u32::MAX),
        nseconds: nsec,
    }
}

/// `fattr3` from the VFS attributes.
pub(crate) fn fattr(a: &Attr) -> Fattr3 {
    Fattr3 {
        ftype: ftype(a.mode),
        mode: a.mode & MODE_BITS,
        nlink: a.nlink,
        uid: a.uid,
        gid: a.gid,
        size: a.size,
        used: a.used,
        rdev: SpecData3 {
            specdata1: a.rdev_major,
            specdata2: a.rdev_minor,
        },
        fsid: a.fsid,
        fileid: a.ino,
        atime: time(a.atime_sec, a.atime_nsec),
        mtime: time(a.mtime_sec, a.mtime_nsec),
        ctime: time(a.ctime_sec, a.ctime_nsec),
    }
}

/// `wcc_attr` (pre-operation attributes) from the VFS attributes.
pub(crate) fn wcc_attr(a: &Attr) -> WccAttr {
    WccAttr {
        size: a.size,
        mtime: time(a.mtime_sec, a.mtime_nsec),
        ctime: time(a.ctime_sec, a.ctime_nsec),
    }
}

/// Nanoseconds in a second: an `nfstime3` has fewer.
const NSEC_PER_SEC: u32 = 1_000_000_000;

/// The VFS change a `sattr3` asks for: NFS3ERR_INVAL for a time whose
/// `nseconds` is not below 10^9 (which no inode can hold), checked before
/// anything changes. (`ExportPath::setattr` refuses, likewise before any
/// change, seconds the file system cannot store.)
pub(crate) fn set_attr(s: &Sattr3) -> core::result::Result<SetAttr, Nfsstat3> {
    let mut sa = SetAttr::default();
    if let Some(mode) = s.mode {
        sa.valid |= set::MODE;
        sa.mode = mode & MODE_BITS;
    }
    if let Some(uid) = s.uid {
        sa.valid |= set::UID;
        sa.uid = uid;
    }
    if let Some(gid) = s.gid {
        sa.valid |= set::GID;
        sa.gid = gid;
    }
    if let Some(size) = s.size {
        sa.valid |= set::SIZE;
        sa.size = size;
    }
    let (bits, sec, nsec) = set_time(s.atime, set::ATIME_NOW, set::ATIME)?;
    sa.valid |= bits;
    (sa.atime_sec, sa.atime_nsec) = (sec, nsec);
    let (bits, sec, nsec) = set_time(s.mtime, set::MTIME_NOW, set::MTIME)?;
    sa.valid |= bits;
    (sa.mtime_sec, sa.mtime_nsec) = (sec, nsec);
    Ok(sa)
}

/// What one time of a `sattr3` adds to a [`SetAttr`]: the `valid` bits
/// (none to leave it, `now` for the server's time, `exact` for the
/// client's) and the client's seconds and nanoseconds (else zero);
/// NFS3ERR_INVAL for `nseconds` not below 10^9.
fn set_time(t: SetTime, now: u32, exact: u32) -> core::result::Result<(u32, i64, u32), Nfsstat3> {
    match t {
        SetTime::DontChange => Ok((0, 0, 0)),
        SetTime::ServerTime => Ok((now, 0, 0)),
        SetTime::ClientTime(t) if t.nseconds >= NSEC_PER_SEC => Err(Nfsstat3::Inval),
        SetTime::ClientTime(t) => Ok((exact, i64::from(t.seconds), t.nseconds)),
    }
}

/// The `nfsstat3` for a VFS error, as NFSD's `nfserrno()` maps them.
pub(crate) fn nfsstat(e: Error) -> Nfsstat3 {
    let errno = u32::try_from(-e.to_errno()).unwrap_or(0);
    match errno {
        bindings::EPERM => Nfsstat3::Perm,
        bindings::ENOENT => Nfsstat3::Noent,
        bindings::EIO => Nfsstat3::Io,
        bindings::ENXIO => Nfsstat3::Nxio,
        bindings::EACCES => Nfsstat3::Acces,
        bindings::EEXIST => Nfsstat3::Exist,
        bindings::EXDEV => Nfsstat3::Xdev,
        bindings::ENODEV => Nfsstat3::Nodev,
        bindings::ENOTDIR => Nfsstat3::Notdir,
        bindings::EISDIR => Nfsstat3::Isdir,
        bindings::EINVAL => Nfsstat3::Inval,
        bindings::EFBIG => Nfsstat3::Fbig,
        bindings::ENOSPC => Nfsstat3::Nospc,
        bindings::EROFS => Nfsstat3::Rofs,
        bindings::EMLINK => Nfsstat3::Mlink,
        bindings::ENAMETOOLONG => Nfsstat3::Nametoolong,
        bindings::ENOTEMPTY => Nfsstat3::Notempty,
        bindings::EDQUOT => Nfsstat3::Dquot,
        bindings::ESTALE => Nfsstat3::Stale,
        bindings::EOPNOTSUPP | bindings::ENOTSUPP => Nfsstat3::Notsupp,
        bindings::ETOOSMALL => Nfsstat3::Toosmall,
        bindings::EBADCOOKIE => Nfsstat3::BadCookie,
        bindings::EAGAIN | bindings::ENOMEM => Nfsstat3::Jukebox,
        bindings::ETXTBSY => Nfsstat3::Acces,
        _ => Nfsstat3::Io,
    }
}
