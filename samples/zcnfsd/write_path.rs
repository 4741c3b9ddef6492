// SPDX-License-Identifier: GPL-2.0

//! WRITE, as the seed's `rfs4_op_write`: a write loan
//! (`VOP_REQZCBUF(UIO_WRITE)`, [`WriteLoan`]) is requested as soon as the
//! WRITE arguments up to the data length are known, the payload is
//! received from the socket straight into the loaned pages, and
//! `VOP_WRITE` with the xuio donates the pages to the page cache; the loan
//! is consumed (returned) by the write. Unlike the seed, whose loan is
//! anonymous (offset -1, set before the write), the loan is asked for at
//! the WRITE's offset, which the arguments already gave: the provider then
//! lays its buffers out along the file's pages (zcfs: folios aligned in
//! the file, so that every whole one can be donated, at any offset). `ENOTSUP`,
//! `EINVAL` and `zerocopy=0` take the ordinary path: the payload is
//! received into the connection's buffer and written from there.
//!
//! UNSTABLE writes are answered UNSTABLE (COMMIT does the `fsync`);
//! DATA_SYNC and FILE_SYNC writes are synced before the answer and
//! answered FILE_SYNC. The write verifier is fixed at module load.

#![deny(unsafe_code)]

use crate::attrs::nfsstat;
use crate::ctx::ServerCtx;
use crate::nfsfh::{pre_attr, resolve_file, wcc};
use crate::proto::nfs3::{
    Nfs3Proc, Nfsstat3, PreOpAttr, StableHow, WriteArgs, WriteHeader, WriteOk, WriteRes, FHSIZE3,
};
use crate::proto::xdr::{pad_len, Decoder, Encode, Encoder, XdrResult};
use crate::record::{CallPrefix, RecordRest};
use crate::stats::{self, LoanHeld, STATS};
use crate::vfs::dentry::Dentry;
use crate::vfs::file::fsync;
use crate::zcvfs_api::consumer::WriteLoan;
use crate::zcvfs_api::fop;
use crate::MAX_IO;
use kernel::fs::File;
use kernel::prelude::*;
use kernel::sync::aref::ARef;

/// The file a WRITE goes to, open for writing, with its attributes before.
struct Target {
    d: ARef<Dentry>,
    file: ARef<File>,
    pre: PreOpAttr,
}

/// Resolves and opens the WRITE's file, or the status to answer.
fn target(ctx: &ServerCtx, h: &WriteHeader<'_>) -> core::result::Result<Target, Nfsstat3> {
    // A regular file: NFS3ERR_ISDIR for a directory, else NFS3ERR_INVAL.
    let d = resolve_file(ctx, &h.file)?;
    if usize::try_from(h.count).map_or(true, |c| c > MAX_IO) {
        return Err(Nfsstat3::Inval);
    }
    // As NFSD: a WRITE ending past OFFSET_MAX is NFS3ERR_FBIG.
    if i64::try_from(h.offset.saturating_add(u64::from(h.count))).is_err() {
        return Err(Nfsstat3::Fbig);
    }
    let pre = pre_attr(ctx, &d);
    let file = ctx.export.path.open_file(&d, true).map_err(nfsstat)?;
    Ok(Target { d, file, pre })
}

/// Reads WRITE's arguments up to the payload after the RPC call header:
/// the file handle's length, the handle, offset, count, stable, data
/// length ([`crate::nfs3proc::Streamed::read_head`]).
pub(crate) fn read_head(p: &mut CallPrefix<'_>) -> Result<bool> {
    if !p.fill(4)? {
        return Ok(false);
    }
    let fh = p.last_word();
    if fh > FHSIZE3 {
        return Ok(false);
    }
    p.fill(fh + pad_len(fh) + 20)
}

/// Whether the head at `dec` decodes and its payload fits the `left`
/// bytes of the record ([`crate::nfs3proc::Streamed::check`]).
pub(crate) fn check_head(mut dec: Decoder<'_>, left: usize) -> bool {
    WriteHeader::decode(&mut dec)
        .ok()
        .and_then(|h| h.payload_wire_len())
        .is_some_and(|wire| wire <= left)
}

/// Serves a WRITE whose arguments up to the data length are at `dec`
/// (checked by [`check_head`]) and whose payload (`count` bytes and
/// padding, then whatever else the record holds) is still in `rest`
/// ([`crate::nfs3proc::Streamed::func`]). An error is a broken connection.
pub(crate) fn write_streamed(
    ctx: &ServerCtx,
    dec: &mut Decoder<'_>,
    rest: &mut RecordRest<'_>,
    enc: &mut Encoder<'_>,
    buf: &mut [u8],
) -> Result<XdrResult<()>> {
    let h = WriteHeader::decode(dec).map_err(|_| EINVAL)?;
    stats::inc(&STATS.write_calls);
    let count = h.count as usize;
    let t = match target(ctx, &h) {
        Ok(t) => t,
        Err(st) => {
            rest.discard_all()?;
            stats::add_bytes(&STATS.write_bytes, count);
            return Ok(Nfs3Proc::Write.encode_error(st, enc));
        }
    };
    let offset = h.offset;
    let mut r = None;
    if ctx.zerocopy && count > 0 {
        match WriteLoan::request(&t.file, Some(offset), count, None) {
            Ok(mut loan) => {
                let _held = LoanHeld::new();
                // One copy, by TCP, from socket buffers into the loaned pages.
                rest.recv_into_segments(loan.segments_mut()?, count)?;
                rest.discard_all()?;
                stats::add_bytes(&STATS.write_bytes, count);
                stats::add_bytes(&STATS.write_zc_bytes, count);
                stats::add_bytes(&STATS.write_copy_bytes, count);
                r = Some(loan.write());
            }
            Err(e) if e == EOPNOTSUPP || e == EINVAL => stats::inc(&STATS.write_fallbacks),
            Err(e) => {
                rest.discard_all()?;
                stats::add_bytes(&STATS.write_bytes, count);
                r = Some(Err(e));
            }
        }
    }
    let r = match r {
        Some(r) => r,
        None => {
            let data = buf.get_mut(..count).ok_or(EINVAL)?;
            rest.recv_exact(data)?;
            rest.discard_all()?;
            stats::add_bytes(&STATS.write_bytes, count);
            write_copied(&t.file, offset, data)
        }
    };
    Ok(answer(ctx, &t, offset, h.stable, r, enc))
}

/// Serves a WRITE whose payload is in the record buffer (a record of
/// several fragments): the copy path.
pub(crate) fn write_buffered(
    ctx: &ServerCtx,
    a: &WriteArgs<'_>,
    enc: &mut Encoder<'_>,
) -> XdrResult<()> {
    stats::inc(&STATS.write_calls);
    stats::add_bytes(&STATS.write_bytes, a.data.len());
    let h = WriteHeader {
        file: a.file,
        offset: a.offset,
        count: a.count,
        stable: a.stable,
    };
    let t = match target(ctx, &h) {
        Ok(t) => t,
        Err(st) => return Nfs3Proc::Write.encode_error(st, enc),
    };
    // The socket-to-buffer copy of this payload was the record's.
    let r = write_copied(&t.file, a.offset, a.data);
    answer(ctx, &t, a.offset, a.stable, r, enc)
}

/// `VOP_WRITE` of a buffer (the copy path).
fn write_copied(file: &File, offset: u64, data: &[u8]) -> Result<usize> {
    // Socket to buffer (done by the caller), buffer to page cache.
    stats::add_bytes(&STATS.write_copy_bytes, data.len().saturating_mul(2));
    let offset = i64::try_from(offset).map_err(|_| EFBIG)?;
    fop::write_plain(file, offset, data, None)
}

/// Commits a stable write and encodes the result.
fn answer(
    ctx: &ServerCtx,
    t: &Target,
    offset: u64,
    stable: StableHow,
    r: Result<usize>,
    enc: &mut Encoder<'_>,
) -> XdrResult<()> {
    let r = r.and_then(|n| {
        if stable == StableHow::Unstable {
            return Ok((n, StableHow::Unstable));
        }
        if n == 0 {
            return Ok((n, StableHow::FileSync));
        }
        let start = i64::try_from(offset).map_err(|_| EFBIG)?;
        let end = start.saturating_add(i64::try_from(n).map_err(|_| EFBIG)? - 1);
        fsync(&t.file, start, end)?;
        Ok((n, StableHow::FileSync))
    });
    let file_wcc = wcc(ctx, &t.d, t.pre);
    match r {
        Ok((n, committed)) => WriteRes::Ok(WriteOk {
            file_wcc,
            count: u32::try_from(n).unwrap_or(u32::MAX),
            committed,
            verf: ctx.verifier,
        })
        .encode(enc),
        Err(e) => WriteRes::Fail(nfsstat(e), file_wcc).encode(enc),
    }
}
