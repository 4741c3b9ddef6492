// SPDX-License-Identifier: GPL-2.0

//! READDIR and READDIRPLUS.
//!
//! The directory is opened and listed with `iterate_dir` into a scratch
//! buffer (`vfs::file::readdir`), batch by batch, and the entries are encoded
//! while they fit the client's counts.
//!
//! Cookies do not depend on the file system's directory positions: those
//! of `dcache_readdir` (zcfs, ramfs) count entries, so they shift when an
//! entry is removed, and a client that removes what it listed (`rm -r`)
//! would skip entries. A cookie here is a 62-bit hash of the entry's inode
//! number and name; a listing resumes after the entry with that cookie,
//! found by walking the directory from its start. If that entry is gone,
//! the listing starts again from the beginning: a client may see names
//! twice (never miss one). The cookie verifier is always zero and not
//! checked.
//!
//! READDIRPLUS looks every name up, returns its attributes and a handle
//! (recorded in the file handle table); `.` and `..` carry neither.

#![deny(unsafe_code)]

use crate::attrs::{fattr, nfsstat};
use crate::ctx::ServerCtx;
use crate::nfsfh::{post_attr, resolve_dir};
use crate::proto::nfs3::{
    DirListEncoder, DirListKind, Entry3, EntryPlus3, Fh3, Nfsstat3, PostOpAttr, ReaddirArgs,
    ReaddirEncoder, ReaddirplusArgs, ReaddirplusEncoder, COOKIEVERFSIZE,
};
use crate::proto::xdr::{Encode, Encoder, XdrError, XdrResult};
use crate::vfs::dentry::{Dentry, Dir};
use crate::vfs::file::{self, DIRENT_HEADER};
use kernel::error::Error;
use kernel::fs::File;
use kernel::prelude::*;
use kernel::sync::aref::ARef;

/// One collected directory entry.
struct Record<'a> {
    ino: u64,
    name: &'a [u8],
}

/// Iterates over the records `vfs::file::readdir` wrote.
struct Records<'a> {
    buf: &'a [u8],
}

impl<'a> Iterator for Records<'a> {
    type Item = Record<'a>;

    fn next(&mut self) -> Option<Record<'a>> {
        let head = self.buf.get(..DIRENT_HEADER)?;
        let u64_at = |at: usize| {
            head.get(at..at + 8)
                .and_then(|b| <[u8; 8]>::try_from(b).ok())
                .map(u64::from_ne_bytes)
        };
        let ino = u64_at(0)?;
        let namelen = head
            .get(16..20)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(u32::from_ne_bytes)? as usize;
        let name = self
            .buf
            .get(DIRENT_HEADER..DIRENT_HEADER.checked_add(namelen)?)?;
        let reclen = (DIRENT_HEADER + namelen).next_multiple_of(8);
        self.buf = self.buf.get(reclen..).unwrap_or(&[]);
        Some(Record { ino, name })
    }
}

impl Record<'_> {
    /// The entry's cookie: FNV-1a of the inode number and the name, in 62
    /// bits (positive as a file position), never 0 (the start).
    fn cookie(&self) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for part in [&self.ino.to_le_bytes()[..], self.name] {
            for b in part {
                h = (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
        match h & ((1 << 62) - 1) {
            0 => 1,
            c => c,
        }
    }
}

/// Why a listing stopped early.
enum WalkError {
    /// The directory could not be read.
    Vfs(Error),
    /// The reply could not be encoded.
    Xdr(XdrError),
}

/// Walks directory `file` from after the entry whose cookie is `cookie`
/// (from the start for 0, or if there is no such entry any more), calling
/// `emit` with each entry and its cookie until it returns `false` (the
/// reply is full). Returns whether the directory's end was reached with
/// every entry emitted.
fn walk(
    file: &File,
    cookie: u64,
    scratch: &mut [u8],
    mut emit: impl FnMut(&Record<'_>, u64) -> XdrResult<bool>,
) -> core::result::Result<bool, WalkError> {
    let mut skipping = cookie != 0;
    let mut restarted = false;
    let mut pos = 0i64;
    loop {
        let res = file::readdir(file, pos, scratch).map_err(WalkError::Vfs)?;
        let used = usize::try_from(res.used).unwrap_or(0).min(scratch.len());
        let mut seen = 0usize;
        for r in (Records {
            buf: scratch.get(..used).unwrap_or(&[]),
        }) {
            seen += 1;
            let c = r.cookie();
            if skipping {
                skipping = c != cookie;
                continue;
            }
            if !emit(&r, c).map_err(WalkError::Xdr)? {
                return Ok(false);
            }
        }
        if res.eof != 0 {
            if skipping && !restarted {
                // The entry to resume after is gone: start again.
                (skipping, restarted, pos) = (false, true, 0);
                continue;
            }
            return Ok(true);
        }
        if seen == 0 {
            // Not even one entry fits the scratch buffer.
            return Err(WalkError::Vfs(EOVERFLOW));
        }
        pos = res.next_pos;
    }
}

/// The directory `dir`, open for listing.
fn open_dir(ctx: &ServerCtx, dir: &Dir) -> core::result::Result<ARef<File>, Nfsstat3> {
    ctx.export.path.open_file(dir, false).map_err(nfsstat)
}

/// Scratch space for listing: about what `count` reply bytes can hold.
fn scratch_for(scratch: &mut [u8], count: u32) -> &mut [u8] {
    let want = usize::try_from(count)
        .unwrap_or(usize::MAX)
        .saturating_add(4096);
    let n = want.min(scratch.len());
    scratch.get_mut(..n).unwrap_or(&mut [])
}

/// Serves READDIR.
pub(crate) fn readdir(
    ctx: &ServerCtx,
    a: &ReaddirArgs<'_>,
    enc: &mut Encoder<'_>,
    scratch: &mut [u8],
) -> core::result::Result<XdrResult<()>, Nfsstat3> {
    let dir = resolve_dir(ctx, &a.dir)?;
    Ok(list(
        ctx,
        &dir,
        a.cookie,
        enc,
        scratch_for(scratch, a.count),
        |enc, dir_attributes| {
            ReaddirEncoder::new(enc, dir_attributes, [0; COOKIEVERFSIZE], a.count)
        },
        |out, r, cookie| {
            out.push(&Entry3 {
                fileid: r.ino,
                name: r.name,
                cookie,
            })
        },
    ))
}

/// Serves READDIRPLUS.
pub(crate) fn readdirplus(
    ctx: &ServerCtx,
    a: &ReaddirplusArgs<'_>,
    enc: &mut Encoder<'_>,
    scratch: &mut [u8],
) -> core::result::Result<XdrResult<()>, Nfsstat3> {
    let dir = resolve_dir(ctx, &a.dir)?;
    Ok(list(
        ctx,
        &dir,
        a.cookie,
        enc,
        scratch_for(scratch, a.dircount),
        |enc, dir_attributes| {
            ReaddirplusEncoder::new(
                enc,
                dir_attributes,
                [0; COOKIEVERFSIZE],
                a.dircount,
                a.maxcount,
            )
        },
        |out, r, cookie| {
            // The entry's handle and attributes, when it can be looked up.
            let child = if r.name == b"." || r.name == b".." {
                None
            } else {
                dir.lookup(r.name).ok().and_then(|c| {
                    let attr = ctx.export.path.getattr(&c).ok()?;
                    let fh = ctx.export.handle_for(&c).ok()?;
                    Some((attr, fh))
                })
            };
            let name_handle = match &child {
                Some((_, fh)) => Fh3::new(fh.as_bytes()).ok(),
                None => None,
            };
            out.push(&EntryPlus3 {
                fileid: r.ino,
                name: r.name,
                cookie,
                name_attributes: child.as_ref().map(|(attr, _)| fattr(attr)),
                name_handle,
            })
        },
    ))
}

/// Lists directory `dir` from after the entry whose cookie is `cookie`:
/// `begin` starts the successful result, `push` appends one entry (a name
/// too long for NFSv3 is left out), and the listing ends at the
/// directory's end or when the reply is full. A directory that cannot be
/// listed, or a reply that cannot hold the head or a single entry, gets the
/// resfail arm.
fn list<'b, K, B, P>(
    ctx: &ServerCtx,
    dir: &Dir,
    cookie: u64,
    enc: &mut Encoder<'b>,
    scratch: &mut [u8],
    begin: B,
    mut push: P,
) -> XdrResult<()>
where
    K: DirListKind,
    B: for<'e> FnOnce(&'e mut Encoder<'b>, &PostOpAttr) -> XdrResult<DirListEncoder<'e, 'b, K>>,
    P: FnMut(&mut DirListEncoder<'_, 'b, K>, &Record<'_>, u64) -> XdrResult<bool>,
{
    let file = match open_dir(ctx, dir) {
        Ok(f) => f,
        Err(st) => return fail(st, ctx, dir, enc),
    };
    let dir_attributes = post_attr(ctx, dir);
    let mut out = match begin(enc, &dir_attributes) {
        Ok(o) => o,
        Err(XdrError::NoSpace) => return fail(Nfsstat3::Toosmall, ctx, dir, enc),
        Err(e) => return Err(e),
    };
    let r = walk(&file, cookie, scratch, |r, c| match push(&mut out, r, c) {
        // A name too long for NFSv3: leave it out.
        Err(XdrError::TooLong) => Ok(true),
        other => other,
    });
    let eof = match r {
        Ok(eof) => eof,
        Err(e) => {
            out.abandon();
            return walk_failed(e, ctx, dir, enc);
        }
    };
    if !eof && out.entries() == 0 {
        out.abandon();
        return fail(Nfsstat3::Toosmall, ctx, dir, enc);
    }
    out.finish(eof).map(|_| ())
}

/// The result of a listing that failed.
fn walk_failed(
    e: WalkError,
    ctx: &ServerCtx,
    dir: &Dentry,
    enc: &mut Encoder<'_>,
) -> XdrResult<()> {
    match e {
        WalkError::Vfs(e) => fail(nfsstat(e), ctx, dir, enc),
        WalkError::Xdr(e) => Err(e),
    }
}

/// The resfail arm of READDIR/READDIRPLUS: status and the directory's
/// attributes.
fn fail(st: Nfsstat3, ctx: &ServerCtx, dir: &Dentry, enc: &mut Encoder<'_>) -> XdrResult<()> {
    st.encode(enc)?;
    post_attr(ctx, dir).encode(enc)
}
