// SPDX-License-Identifier: GPL-2.0

//! The NFSv3 procedures other than READ, WRITE (`read_path`,
//! `write_path`) and READDIR/READDIRPLUS (`nfs_readdir`): attributes,
//! names, and file system information. Each writes its result (status and
//! resok or resfail arm) after the RPC reply header; the table that calls
//! them is [`crate::nfs3proc`].
//!
//! Every procedure takes the objects its file handles name from
//! [`resolve`], [`resolve_file`] or [`resolve_dir`], by the type it uses
//! them as (as NFSD's `fh_verify(type)`): a directory handle that names
//! anything else is NFS3ERR_NOTDIR, a file handle of READ, WRITE, COMMIT
//! or a size-changing SETATTR that names a directory NFS3ERR_ISDIR, and
//! one that names another non-regular file NFS3ERR_INVAL. The operations
//! on names only take a [`Dir`], which only that check makes.

#![deny(unsafe_code)]

use crate::attrs::{self, fattr, nfsstat, wcc_attr};
use crate::ctx::ServerCtx;
use crate::nfsfh::{post_attr, pre_attr, resolve, resolve_dir, resolve_file, wcc};
use crate::proto::nfs3::{
    AccessArgs, AccessOk, AccessRes, CommitArgs, CommitOk, CommitRes, CreateArgs, CreateHow3,
    CreateOk, CreateRes, DirOpArgs3, Fh3, FsinfoOk, FsinfoRes, FsstatOk, FsstatRes, GetattrRes,
    LookupOk, LookupRes, MkdirArgs, Nfs3Res, NfsTime3, Nfsstat3, PathconfOk, PathconfRes,
    PreOpAttr, RenameArgs, RenameRes, RenameWcc, SetattrArgs, SetattrRes, WccData, FSF3_CANSETTIME,
    FSF3_HOMOGENEOUS,
};
use crate::proto::xdr::{Encode, Encoder, XdrResult};
use crate::vfs::attr::{set, Attr, SetAttr};
use crate::vfs::dentry::{Dentry, Dir};
use crate::vfs::file::fsync;
use crate::vfs::permission::MAY_EXEC;
use crate::MAX_IO;
use kernel::prelude::*;
use kernel::sync::aref::ARef;

/// Preferred READDIR size advertised by FSINFO.
const DTPREF: u32 = 64 * 1024;

/// A procedure's outcome: its encoded result, or a status to encode as a
/// failure without attributes.
pub(crate) type Outcome = core::result::Result<XdrResult<()>, Nfsstat3>;

/// `.` and `..`.
fn is_dot_or_dotdot(name: &[u8]) -> bool {
    name == b"." || name == b".."
}

/// Serves GETATTR.
pub(crate) fn getattr(ctx: &ServerCtx, fh: Fh3<'_>, enc: &mut Encoder<'_>) -> Outcome {
    let d = resolve(ctx, &fh)?;
    let a = ctx.export.path.getattr(&d).map_err(nfsstat)?;
    Ok(GetattrRes::Ok(fattr(&a)).encode(enc))
}

/// Serves SETATTR.
pub(crate) fn setattr(ctx: &ServerCtx, a: &SetattrArgs<'_>, enc: &mut Encoder<'_>) -> Outcome {
    // As NFSD: only a regular file's size can be set.
    let d = if a.new_attributes.size.is_some() {
        resolve_file(ctx, &a.object)?
    } else {
        resolve(ctx, &a.object)?
    };
    let before = ctx.export.path.getattr(&d).map_err(nfsstat)?;
    let pre = Some(wcc_attr(&before));
    let fail = |st: Nfsstat3, enc: &mut Encoder<'_>| {
        Ok(SetattrRes::Fail(st, wcc(ctx, &d, pre)).encode(enc))
    };
    // Nothing changes unless every attribute can be set.
    let sa = match attrs::set_attr(&a.new_attributes) {
        Ok(sa) => sa,
        Err(st) => return fail(st, enc),
    };
    if let Some(guard) = a.guard {
        if guard != wcc_attr(&before).ctime {
            return fail(Nfsstat3::NotSync, enc);
        }
    }
    let r = ctx.export.path.setattr(&d, &sa);
    if a.new_attributes.size.is_some() {
        // A cached open file of a truncated file is closed.
        ctx.files.forget(d.inode_key());
    }
    let w = wcc(ctx, &d, pre);
    Ok(match r {
        Ok(()) => SetattrRes::Ok(w),
        Err(e) => SetattrRes::Fail(nfsstat(e), w),
    }
    .encode(enc))
}

/// Looks `name` up in `dir`, `.` and `..` included (`..` of the export
/// root is the root: the client may not leave the export). The caller
/// needs search permission on `dir` for every name (the VFS's lookup
/// checks it for the others).
fn lookup_name(ctx: &ServerCtx, dir: &Dir, name: &[u8]) -> Result<ARef<Dentry>> {
    if name == b"." || name == b".." {
        ctx.export.path.permission(dir, MAY_EXEC)?;
    }
    match name {
        b"." => Ok(ARef::clone(dir)),
        b".." if ctx.export.is_root(dir) => Ok(ARef::clone(dir)),
        b".." => Ok(dir.parent()),
        _ => dir.lookup(name),
    }
}

/// Serves LOOKUP.
pub(crate) fn lookup(ctx: &ServerCtx, a: &DirOpArgs3<'_>, enc: &mut Encoder<'_>) -> Outcome {
    let dir = resolve_dir(ctx, &a.dir)?;
    let found = (|| -> core::result::Result<(ARef<Dentry>, Attr), Nfsstat3> {
        if !crate::proto::nfs3::is_valid_name(a.name) {
            return Err(Nfsstat3::Noent);
        }
        let child = lookup_name(ctx, &dir, a.name).map_err(nfsstat)?;
        let attr = ctx.export.path.getattr(&child).map_err(nfsstat)?;
        Ok((child, attr))
    })();
    let dir_attributes = post_attr(ctx, &dir);
    let (child, attr) = match found {
        Ok(f) => f,
        Err(st) => return Ok(LookupRes::Fail(st, dir_attributes).encode(enc)),
    };
    let fh = ctx
        .export
        .handle_for(&child)
        .map_err(|_| Nfsstat3::Serverfault)?;
    let object = Fh3::new(fh.as_bytes()).map_err(|_| Nfsstat3::Serverfault)?;
    Ok(LookupRes::Ok(LookupOk {
        object,
        obj_attributes: Some(fattr(&attr)),
        dir_attributes,
    })
    .encode(enc))
}

/// Serves ACCESS.
pub(crate) fn access(ctx: &ServerCtx, a: &AccessArgs<'_>, enc: &mut Encoder<'_>) -> Outcome {
    let d = resolve(ctx, &a.object)?;
    let access = ctx.export.path.access(&d, a.access);
    Ok(AccessRes::Ok(AccessOk {
        obj_attributes: post_attr(ctx, &d),
        access,
    })
    .encode(enc))
}

/// The EXCLUSIVE CREATE verifier as the times NFSD keeps it in.
fn exclusive_times(verf: &[u8; 8]) -> SetAttr {
    let word = |i: usize| u32::from_be_bytes([verf[i], verf[i + 1], verf[i + 2], verf[i + 3]]);
    SetAttr {
        valid: set::MTIME | set::ATIME,
        mtime_sec: i64::from(word(0) & 0x7fff_ffff),
        atime_sec: i64::from(word(4) & 0x7fff_ffff),
        ..SetAttr::default()
    }
}

/// The attributes of a new object, as `nfsd_create_setattr()` applies
/// them after the creation: size 0 of a new file changes nothing.
fn initial_attrs(mut sa: SetAttr) -> SetAttr {
    if sa.valid & set::SIZE != 0 && sa.size == 0 {
        sa.valid &= !set::SIZE;
    }
    sa
}

/// Result of CREATE or MKDIR for `child` in `dir`.
fn created(
    ctx: &ServerCtx,
    dir: &Dir,
    pre: PreOpAttr,
    child: &Dentry,
    enc: &mut Encoder<'_>,
) -> Outcome {
    let attr = ctx.export.path.getattr(child).map_err(nfsstat)?;
    let fh = ctx
        .export
        .handle_for(child)
        .map_err(|_| Nfsstat3::Serverfault)?;
    let obj = Fh3::new(fh.as_bytes()).map_err(|_| Nfsstat3::Serverfault)?;
    Ok(CreateRes::Ok(CreateOk {
        obj: Some(obj),
        obj_attributes: Some(fattr(&attr)),
        dir_wcc: wcc(ctx, dir, pre),
    })
    .encode(enc))
}

/// Serves CREATE.
pub(crate) fn create(ctx: &ServerCtx, a: &CreateArgs<'_>, enc: &mut Encoder<'_>) -> Outcome {
    let dir = resolve_dir(ctx, &a.where_.dir)?;
    let pre = pre_attr(ctx, &dir);
    let name = a.where_.name;
    let fail = |st: Nfsstat3, enc: &mut Encoder<'_>| {
        Ok(CreateRes::Fail(st, wcc(ctx, &dir, pre)).encode(enc))
    };
    if !crate::proto::nfs3::is_valid_name(name) {
        return fail(Nfsstat3::Acces, enc);
    }
    if is_dot_or_dotdot(name) {
        return fail(Nfsstat3::Exist, enc);
    }
    // The attributes asked for, checked before anything is created.
    let (mode, asked) = match a.how {
        CreateHow3::Unchecked(s) | CreateHow3::Guarded(s) => match attrs::set_attr(&s) {
            Ok(sa) => (s.mode.unwrap_or(0), sa),
            Err(st) => return fail(st, enc),
        },
        CreateHow3::Exclusive(_) => (0, SetAttr::default()),
    };
    let (child, existed) = match ctx.export.path.create(&dir, name, mode & attrs::MODE_BITS) {
        Ok(r) => r,
        Err(e) => return fail(nfsstat(e), enc),
    };
    let cattr = ctx.export.path.getattr(&child).map_err(nfsstat)?;
    let sa = match a.how {
        CreateHow3::Guarded(_) if existed => return fail(Nfsstat3::Exist, enc),
        CreateHow3::Unchecked(_) if existed && !attrs::is_reg(cattr.mode) => {
            return fail(Nfsstat3::Exist, enc)
        }
        // An existing file is truncated if asked to be, as open(O_TRUNC).
        CreateHow3::Unchecked(_) if existed => asked,
        CreateHow3::Unchecked(_) | CreateHow3::Guarded(_) => initial_attrs(asked),
        CreateHow3::Exclusive(verf) => {
            let times = exclusive_times(&verf);
            if existed {
                // A retransmission finds the file it created.
                let same = attrs::is_reg(cattr.mode)
                    && cattr.mtime_sec == times.mtime_sec
                    && cattr.atime_sec == times.atime_sec;
                if !same {
                    return fail(Nfsstat3::Exist, enc);
                }
                SetAttr::default()
            } else {
                times
            }
        }
    };
    if let Err(e) = ctx.export.path.setattr(&child, &sa) {
        return fail(nfsstat(e), enc);
    }
    created(ctx, &dir, pre, &child, enc)
}

/// Serves MKDIR.
pub(crate) fn mkdir(ctx: &ServerCtx, a: &MkdirArgs<'_>, enc: &mut Encoder<'_>) -> Outcome {
    let dir = resolve_dir(ctx, &a.where_.dir)?;
    let pre = pre_attr(ctx, &dir);
    let name = a.where_.name;
    // The attributes asked for, checked before anything is created.
    let asked = if !crate::proto::nfs3::is_valid_name(name) {
        Err(Nfsstat3::Acces)
    } else if is_dot_or_dotdot(name) {
        Err(Nfsstat3::Exist)
    } else {
        attrs::set_attr(&a.attributes)
    };
    let asked = match asked {
        Ok(sa) => sa,
        Err(st) => return Ok(CreateRes::Fail(st, wcc(ctx, &dir, pre)).encode(enc)),
    };
    let mode = a.attributes.mode.unwrap_or(0) & attrs::MODE_BITS;
    let r = ctx.export.path.mkdir(&dir, name, mode).and_then(|child| {
        ctx.export.path.setattr(&child, &initial_attrs(asked))?;
        Ok(child)
    });
    match r {
        Ok(child) => created(ctx, &dir, pre, &child, enc),
        Err(e) => Ok(CreateRes::Fail(nfsstat(e), wcc(ctx, &dir, pre)).encode(enc)),
    }
}

/// Serves REMOVE, or RMDIR if `rmdir`.
pub(crate) fn remove(
    ctx: &ServerCtx,
    a: &DirOpArgs3<'_>,
    rmdir: bool,
    enc: &mut Encoder<'_>,
) -> Outcome {
    let dir = resolve_dir(ctx, &a.dir)?;
    let pre = pre_attr(ctx, &dir);
    let r = if !crate::proto::nfs3::is_valid_name(a.name) {
        Err(Nfsstat3::Noent)
    } else if is_dot_or_dotdot(a.name) {
        Err(if rmdir {
            Nfsstat3::Inval
        } else {
            Nfsstat3::Acces
        })
    } else {
        // The object, held so that its key stays its own until the cache
        // forgets it (an open file would keep a removed file's space).
        let child = dir.lookup(a.name).ok();
        let r = ctx.export.path.remove(&dir, a.name, rmdir).map_err(nfsstat);
        if let Some(c) = child.filter(|_| r.is_ok()) {
            ctx.files.forget(c.inode_key());
        }
        r
    };
    let w = wcc(ctx, &dir, pre);
    Ok(match r {
        Ok(()) => Nfs3Res::<WccData, WccData>::Ok(w),
        Err(st) => Nfs3Res::Fail(st, w),
    }
    .encode(enc))
}

/// Serves RENAME.
pub(crate) fn rename(ctx: &ServerCtx, a: &RenameArgs<'_>, enc: &mut Encoder<'_>) -> Outcome {
    let from = resolve_dir(ctx, &a.from.dir)?;
    let to = resolve_dir(ctx, &a.to.dir)?;
    let (fpre, tpre) = (pre_attr(ctx, &from), pre_attr(ctx, &to));
    let names_ok = [a.from.name, a.to.name]
        .iter()
        .all(|n| crate::proto::nfs3::is_valid_name(n) && !is_dot_or_dotdot(n));
    let r = if names_ok {
        // The renamed object and the one it replaces leave the file cache
        // (as NFSD closes its cached files of both).
        let moved = from.lookup(a.from.name).ok();
        let replaced = to.lookup(a.to.name).ok();
        let r = ctx
            .export
            .path
            .rename(&from, a.from.name, &to, a.to.name)
            .map_err(nfsstat);
        if r.is_ok() {
            for d in [moved, replaced].iter().flatten() {
                ctx.files.forget(d.inode_key());
            }
        }
        r
    } else {
        Err(Nfsstat3::Inval)
    };
    let w = RenameWcc {
        fromdir_wcc: wcc(ctx, &from, fpre),
        todir_wcc: wcc(ctx, &to, tpre),
    };
    Ok(match r {
        Ok(()) => RenameRes::Ok(w),
        Err(st) => RenameRes::Fail(st, w),
    }
    .encode(enc))
}

/// Serves FSSTAT.
pub(crate) fn fsstat(ctx: &ServerCtx, fh: Fh3<'_>, enc: &mut Encoder<'_>) -> Outcome {
    let d = resolve(ctx, &fh)?;
    let s = ctx.export.path.statfs(&d).map_err(nfsstat)?;
    let bytes = |n: u64| n.saturating_mul(s.bsize);
    Ok(FsstatRes::Ok(FsstatOk {
        obj_attributes: post_attr(ctx, &d),
        tbytes: bytes(s.blocks),
        fbytes: bytes(s.bfree),
        abytes: bytes(s.bavail),
        tfiles: s.files,
        ffiles: s.ffree,
        afiles: s.ffree,
        invarsec: 0,
    })
    .encode(enc))
}

/// Serves FSINFO.
pub(crate) fn fsinfo(ctx: &ServerCtx, fh: Fh3<'_>, enc: &mut Encoder<'_>) -> Outcome {
    let d = resolve(ctx, &fh)?;
    let s = ctx.export.path.statfs(&d).map_err(nfsstat)?;
    let io = MAX_IO as u32;
    let page = kernel::page::PAGE_SIZE as u32;
    Ok(FsinfoRes::Ok(FsinfoOk {
        obj_attributes: post_attr(ctx, &d),
        rtmax: io,
        rtpref: io,
        rtmult: page,
        wtmax: io,
        wtpref: io,
        wtmult: page,
        dtpref: DTPREF,
        maxfilesize: s.maxbytes,
        time_delta: NfsTime3 {
            seconds: 0,
            nseconds: 1,
        },
        properties: FSF3_HOMOGENEOUS | FSF3_CANSETTIME,
    })
    .encode(enc))
}

/// Serves PATHCONF.
pub(crate) fn pathconf(ctx: &ServerCtx, fh: Fh3<'_>, enc: &mut Encoder<'_>) -> Outcome {
    let d = resolve(ctx, &fh)?;
    let s = ctx.export.path.statfs(&d).map_err(nfsstat)?;
    Ok(PathconfRes::Ok(PathconfOk {
        obj_attributes: post_attr(ctx, &d),
        linkmax: 1,
        name_max: u32::try_from(s.namelen).unwrap_or(255).min(255),
        no_trunc: true,
        chown_restricted: true,
        case_insensitive: false,
        case_preserving: true,
    })
    .encode(enc))
}

/// Serves COMMIT.
pub(crate) fn commit(ctx: &ServerCtx, a: &CommitArgs<'_>, enc: &mut Encoder<'_>) -> Outcome {
    let d = resolve_file(ctx, &a.file)?;
    let pre = pre_attr(ctx, &d);
    // Write permission, as NFSD's COMMIT (nfsd_commit) asks for.
    let r = ctx.export.path.open_file(&d, true).and_then(|file| {
        let start = i64::try_from(a.offset).map_err(|_| EINVAL)?;
        let end = match a.count {
            0 => i64::MAX,
            n => start.saturating_add(i64::from(n) - 1),
        };
        fsync(&file, start, end)
    });
    let w = wcc(ctx, &d, pre);
    Ok(match r {
        Ok(()) => CommitRes::Ok(CommitOk {
            file_wcc: w,
            verf: ctx.verifier,
        }),
        Err(e) => CommitRes::Fail(nfsstat(e), w),
    }
    .encode(enc))
}
