// SPDX-License-Identifier: GPL-2.0

//! From a file handle to the object it names, checked for the type the
//! procedure uses it as (NFSD's `fh_verify()`), and the attributes the
//! replies carry about it (`fh_getattr`, pre/post-operation attributes).

#![deny(unsafe_code)]

use crate::attrs::{fattr, wcc_attr};
use crate::ctx::ServerCtx;
use crate::proto::nfs3::{Fh3, Nfsstat3, PostOpAttr, PreOpAttr, WccData};
use crate::vfs::dentry::{Dentry, Dir, ObjType};
use kernel::sync::aref::ARef;

/// The live object a handle names, of any type (GETATTR, SETATTR without
/// a size, ACCESS, FSSTAT, FSINFO, PATHCONF).
pub(crate) fn resolve(
    ctx: &ServerCtx,
    fh: &Fh3<'_>,
) -> core::result::Result<ARef<Dentry>, Nfsstat3> {
    ctx.export.resolve(fh.as_bytes(), None)
}

/// The regular file a handle names (READ, WRITE, COMMIT, SETATTR of the
/// size): NFS3ERR_ISDIR for a directory, NFS3ERR_INVAL for another type.
pub(crate) fn resolve_file(
    ctx: &ServerCtx,
    fh: &Fh3<'_>,
) -> core::result::Result<ARef<Dentry>, Nfsstat3> {
    ctx.export.resolve(fh.as_bytes(), Some(ObjType::Reg))
}

/// The directory a handle names (LOOKUP, CREATE, MKDIR, REMOVE, RMDIR,
/// both of RENAME's, READDIR, READDIRPLUS): NFS3ERR_NOTDIR for anything
/// else.
pub(crate) fn resolve_dir(ctx: &ServerCtx, fh: &Fh3<'_>) -> core::result::Result<Dir, Nfsstat3> {
    ctx.export.resolve_dir(fh.as_bytes())
}

/// Post-operation attributes of `d`, if they can be had.
pub(crate) fn post_attr(ctx: &ServerCtx, d: &Dentry) -> PostOpAttr {
    ctx.export.path.getattr(d).ok().map(|a| fattr(&a))
}

/// Pre-operation attributes of `d`, if they can be had.
pub(crate) fn pre_attr(ctx: &ServerCtx, d: &Dentry) -> PreOpAttr {
    ctx.export.path.getattr(d).ok().map(|a| wcc_attr(&a))
}

/// `wcc_data` of `d` from `before` and now.
pub(crate) fn wcc(ctx: &ServerCtx, d: &Dentry, before: PreOpAttr) -> WccData {
    WccData {
        before,
        after: post_attr(ctx, d),
    }
}
