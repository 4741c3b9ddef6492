// SPDX-License-Identifier: GPL-2.0

//! READ, as the seed's `rfs4_op_read`: the file from the server's cache
//! of open files ([`crate::file_cache`]), `VOP_REQZCBUF(UIO_READ)` then
//! `VOP_READ` with the xuio, made as one call ([`ReadData::request`],
//! `fop_reqzcbuf_read`); the reply header is encoded
//! here and the loaned page-cache pages follow it to the socket by
//! reference ([`Tail::Loaned`]); the loan is returned by the socket
//! layer, by the connection's send mode: when the spliced send returns (a
//! local peer; the network's own page references keep the pages, and the
//! provider copies a page away before changing it while they do), or from
//! the zero-copy completion once the network stack has released the pages
//! (other routes). `ENOTSUP` (the file system has no zero-copy) or `EINVAL` (the
//! provider will not loan now) and `zerocopy=0` take the ordinary copy
//! path: `VOP_READ` into the connection's buffer, sent by a copying
//! `sendmsg` ([`Tail::Copied`]). The bytes on the wire are the same.

#![deny(unsafe_code)]

use crate::attrs::{fattr, nfsstat};
use crate::ctx::ServerCtx;
use crate::nfsfh::resolve_file;
use crate::proto::nfs3::{encode_read_ok_header, Nfs3Proc, Nfsstat3, ReadArgs, ReadRes};
use crate::proto::xdr::{Encode, Encoder, XdrResult};
use crate::record::Tail;
use crate::stats::{self, LoanHeld, STATS};
use crate::zcvfs_api::consumer::ReadData;
use crate::zcvfs_api::fop;
use crate::MAX_IO;
use kernel::fs::File;
use kernel::prelude::*;

/// Serves READ; the data (if any) is the returned tail.
pub(crate) fn read(
    ctx: &ServerCtx,
    a: &ReadArgs<'_>,
    enc: &mut Encoder<'_>,
    buf: &mut [u8],
) -> XdrResult<Tail> {
    stats::inc(&STATS.read_calls);
    // A regular file: NFS3ERR_ISDIR for a directory, else NFS3ERR_INVAL.
    let d = match resolve_file(ctx, &a.file) {
        Ok(d) => d,
        Err(st) => return Nfs3Proc::Read.encode_error(st, enc).map(|()| Tail::None),
    };
    let fail = |st: Nfsstat3, enc: &mut Encoder<'_>| {
        ReadRes::Fail(st, crate::nfsfh::post_attr(ctx, &d))
            .encode(enc)
            .map(|()| Tail::None)
    };
    let file = match ctx.files.open_read(&ctx.export.path, &d) {
        Ok(f) => f,
        Err(e) => return fail(nfsstat(e), enc),
    };
    // As NFSD: nothing is read at or past OFFSET_MAX (eof, not an error).
    let room = usize::try_from(i64::MAX.unsigned_abs().saturating_sub(a.offset)).unwrap_or(MAX_IO);
    let count = usize::try_from(a.count)
        .unwrap_or(MAX_IO)
        .min(MAX_IO)
        .min(room);
    let data = match read_data(ctx, &file, a.offset, count, buf) {
        Ok(data) => data,
        Err(e) => return fail(nfsstat(e), enc),
    };
    let n = data.len();
    // The one getattr of a READ: the attributes after it, whose size
    // decides end of file as NFSD does; without them, a short read is the
    // end.
    let after = ctx.export.path.getattr(&d).ok();
    let eof = match after {
        Some(at) => a.offset.saturating_add(n as u64) >= at.size,
        None => n < count,
    };
    encode_read_ok_header(enc, &after.map(|a| fattr(&a)), n as u32, eof)?;
    stats::add_bytes(&STATS.read_bytes, n);
    Ok(data)
}

/// Reads `count` bytes at `offset`: by loan if possible, else by copy
/// into `buf`.
fn read_data(
    ctx: &ServerCtx,
    file: &File,
    offset: u64,
    count: usize,
    buf: &mut [u8],
) -> Result<Tail> {
    if count == 0 {
        return Ok(Tail::None);
    }
    if ctx.zerocopy {
        match read_loaned(file, offset, count) {
            Err(e) if e == EOPNOTSUPP || e == EINVAL => stats::inc(&STATS.read_fallbacks),
            r => return r,
        }
    }
    let buf = buf.get_mut(..count).ok_or(EINVAL)?;
    let offset = i64::try_from(offset).map_err(|_| EINVAL)?;
    let n = fop::read_plain(file, offset, buf, None)?;
    // Into the buffer here, into socket buffers by sendmsg.
    stats::add_bytes(&STATS.read_copy_bytes, n.saturating_mul(2));
    Ok(Tail::Copied(n))
}

/// The zero-copy read: request and read (one call), and hand the loaned
/// pages over.
fn read_loaned(file: &File, offset: u64, count: usize) -> Result<Tail> {
    let data = ReadData::request(file, offset, count, None)?;
    let held = LoanHeld::new();
    if data.is_empty() {
        // At or beyond end of file: nothing to send, return the loan now.
        return Ok(Tail::None);
    }
    stats::add_bytes(&STATS.read_zc_bytes, data.len());
    Ok(Tail::Loaned(data, held))
}
