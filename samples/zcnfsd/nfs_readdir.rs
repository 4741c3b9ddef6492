// SPDX-License-Identifier: GPL-2.0

//! READDIR and READDIRPLUS.
//!
//! The directory is opened and listed with `iterate_dir`, whose actor
//! calls a Rust closure per entry ([`crate::vfs::file::iterate_dir`]).
//! READDIR encodes each entry to XDR in that closure, while they fit the
//! client's counts. READDIRPLUS looks every name up, which cannot be done
//! under the directory's lock that `iterate_dir` holds: its closure takes
//! the entries in batches (names copied to the connection's scratch
//! buffer), which are encoded after each `iterate_dir`, as NFSD's
//! `nfsd_buffered_readdir()` does.
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
use crate::vfs::file::{self, DirEntry};
use kernel::error::Error;
use kernel::fs::File;
use kernel::prelude::*;
use kernel::sync::aref::ARef;

/// One directory entry.
struct Record<'a> {
    ino: u64,
    name: &'a [u8],
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

/// Which entries of a walk are emitted: those after the entry whose cookie
/// is `cookie` (all for 0, or if there is no such entry any more).
struct Resume {
    cookie: u64,
    skipping: bool,
    restarted: bool,
}

impl Resume {
    fn new(cookie: u64) -> Resume {
        Resume {
            cookie,
            skipping: cookie != 0,
            restarted: false,
        }
    }

    /// Whether the entry with cookie `c` is skipped.
    fn skip(&mut self, c: u64) -> bool {
        if self.skipping {
            self.skipping = c != self.cookie;
            return true;
        }
        false
    }

    /// At the directory's end: whether to walk again from the start (the
    /// entry to resume after is gone; done once).
    fn restart(&mut self) -> bool {
        if self.skipping && !self.restarted {
            (self.skipping, self.restarted) = (false, true);
            return true;
        }
        false
    }
}

/// Walks directory `file` from after the entry whose cookie is `cookie`,
/// calling `emit` with each entry and its cookie from the `iterate_dir`
/// actor itself (READDIR: the entry is encoded as the directory is read)
/// until it returns `false` (the reply is full). Returns whether the
/// directory's end was reached with every entry emitted.
fn walk(
    file: &File,
    cookie: u64,
    mut emit: impl FnMut(&Record<'_>, u64) -> XdrResult<bool>,
) -> core::result::Result<bool, WalkError> {
    let mut resume = Resume::new(cookie);
    loop {
        let mut stop = None;
        let at = file::iterate_dir(file, 0, &mut |e: &DirEntry<'_>| {
            let r = Record {
                ino: e.ino,
                name: e.name,
            };
            let c = r.cookie();
            if resume.skip(c) {
                return true;
            }
            match emit(&r, c) {
                Ok(true) => true,
                other => {
                    stop = Some(other);
                    false
                }
            }
        })
        .map_err(WalkError::Vfs)?;
        match stop {
            Some(Ok(_)) => return Ok(false),
            Some(Err(e)) => return Err(WalkError::Xdr(e)),
            None if !at.eof => return Err(WalkError::Vfs(EIO)),
            None if resume.restart() => continue,
            None => return Ok(true),
        }
    }
}

/// [`walk`] for an `emit` that looks names up (READDIRPLUS), which cannot
/// run under the directory's lock: entries are taken in batches (names in
/// `scratch`, as NFSD's `nfsd_buffered_readdir()` does) and emitted after
/// each `iterate_dir`.
fn walk_batched(
    file: &File,
    cookie: u64,
    scratch: &mut [u8],
    mut emit: impl FnMut(&Record<'_>, u64) -> XdrResult<bool>,
) -> core::result::Result<bool, WalkError> {
    // (inode number, name offset in `scratch`, name length)
    let mut batch: KVec<(u64, usize, usize)> = KVec::new();
    // At most as many entries as 32 bytes of scratch space each.
    let cap = (scratch.len() / 32).max(1);
    batch
        .reserve(cap, GFP_KERNEL)
        .map_err(|_| WalkError::Vfs(ENOMEM))?;
    let mut resume = Resume::new(cookie);
    let mut pos = 0i64;
    loop {
        batch.clear();
        let mut used = 0usize;
        let at = file::iterate_dir(file, pos, &mut |e: &DirEntry<'_>| {
            let end = used.saturating_add(e.name.len());
            let Some(dst) = scratch.get_mut(used..end) else {
                return false;
            };
            // Reserved: never allocates.
            if batch.len() >= cap || batch.push((e.ino, used, e.name.len()), GFP_KERNEL).is_err() {
                return false;
            }
            dst.copy_from_slice(e.name);
            used = end;
            true
        })
        .map_err(WalkError::Vfs)?;
        for &(ino, start, len) in batch.iter() {
            let r = Record {
                ino,
                name: scratch.get(start..start.saturating_add(len)).unwrap_or(&[]),
            };
            let c = r.cookie();
            if resume.skip(c) {
                continue;
            }
            if !emit(&r, c).map_err(WalkError::Xdr)? {
                return Ok(false);
            }
        }
        if at.eof {
            if resume.restart() {
                pos = 0;
                continue;
            }
            return Ok(true);
        }
        if batch.is_empty() {
            // Not even one entry fits the scratch buffer.
            return Err(WalkError::Vfs(EOVERFLOW));
        }
        pos = at.next;
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
) -> core::result::Result<XdrResult<()>, Nfsstat3> {
    let dir = resolve_dir(ctx, &a.dir)?;
    Ok(list(
        ctx,
        &dir,
        a.cookie,
        enc,
        None,
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
        Some(scratch_for(scratch, a.dircount)),
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
    scratch: Option<&mut [u8]>,
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
    let emit = |r: &Record<'_>, c| match push(&mut out, r, c) {
        // A name too long for NFSv3: leave it out.
        Err(XdrError::TooLong) => Ok(true),
        other => other,
    };
    let r = match scratch {
        None => walk(&file, cookie, emit),
        Some(scratch) => walk_batched(&file, cookie, scratch, emit),
    };
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
