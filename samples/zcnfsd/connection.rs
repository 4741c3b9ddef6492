// SPDX-License-Identifier: GPL-2.0

//! One client connection: record marking (RFC 5531 section 11), reading a
//! call in exact steps, answering it.
//!
//! A record of one fragment (what every client sends) is read piece by
//! piece, never past what the next decision needs: the fixed call header
//! and the credential's length, the credential and the verifier's length,
//! the verifier; then for an NFSv3 WRITE only the arguments up to the data
//! length, so that the payload can be received straight into loaned pages
//! (`write_path`); for any other call the rest of the record. A record of
//! several fragments is gathered into a buffer and decoded whole (WRITE
//! then takes the copy path). A record longer than [`MAX_RECORD`], or one
//! that is not an RPC call, closes the connection.
//!
//! Time limits: the first byte of a record must come within the
//! `idle_timeout` (else the connection is closed as idle), and the whole
//! record within the `record_timeout` from its first byte (a stalled or
//! trickled record closes the connection); a send that makes no progress
//! for the `record_timeout` fails too. A thread serving a connection is
//! therefore never blocked for good by a silent peer.
//!
//! Each call runs with its caller's credentials ([`crate::auth`]), or is
//! refused for its source port.

#![deny(unsafe_code)]

use crate::ctx::{now_ns, ServerCtx};
use crate::log::pr_warn_ratelimited;
use crate::proto::mount3::{MntRes, MountArgs, MountStat3};
use crate::proto::nfs3::{self, Nfs3Args, Nfs3Proc, Nfsstat3, WriteHeader, FHSIZE3};
use crate::proto::request::{decode_request, route, ProgramArgs, RequestError, Service};
use crate::proto::rpc::{
    CallHeader, Credential, RecordMark, ReplyHeader, ReplyStat, MAX_AUTH_BYTES,
};
use crate::proto::xdr::{pad_len, padding_for, Decoder, Encode, Encoder};
use crate::rpc_dispatch::{count_failure, dispatch, Tail};
use crate::stats::{self, STATS};
use crate::vfs::cred::{CredGuard, Ids};
use crate::{net::Stream, write_path, MAX_IO};
use kernel::prelude::*;
use kernel::sync::atomic::{Atomic, Relaxed};
use kernel::sync::Arc;

/// Largest record accepted: a maximal WRITE and its headers.
pub(crate) const MAX_RECORD: usize = MAX_IO + 4096;
/// Room for a call's header and arguments (not WRITE data).
const CALL_BUF: usize = 8 * 1024;
/// Room for a reply (record mark included), READ data apart.
const REPLY_BUF: usize = 4 + 128 * 1024;

/// A served connection and its buffers.
pub(crate) struct Connection {
    stream: Arc<Stream>,
    ctx: Arc<ServerCtx>,
    /// The call header and arguments being decoded.
    call: KVec<u8>,
    /// The reply: record mark, RPC reply header, results.
    reply: KVVec<u8>,
    /// READ and WRITE data on the copy path; READDIR scratch space.
    data: KVVec<u8>,
    /// When the last reply was sent (or the connection accepted), in
    /// `CLOCK_MONOTONIC` nanoseconds: what the server evicts by.
    activity: Arc<Atomic<i64>>,
    /// Whether the peer's source port passes the `secure` option.
    port_ok: bool,
}

/// Who a call comes from.
struct Caller {
    /// The ids it runs with.
    ids: Ids,
    /// Its source port passes the `secure` option.
    port_ok: bool,
}

impl Caller {
    fn new(ctx: &ServerCtx, cred: &Credential<'_>, port_ok: bool) -> Caller {
        Caller {
            ids: ctx.policy.ids(cred),
            port_ok,
        }
    }
}

impl Connection {
    /// Buffers for serving `stream`.
    pub(crate) fn new(
        stream: Arc<Stream>,
        ctx: Arc<ServerCtx>,
        activity: Arc<Atomic<i64>>,
    ) -> Result<Self> {
        let port_ok = ctx.policy.port_ok(stream.peer_port().ok());
        stream.set_send_timeout(ctx.record_timeout_ms);
        Ok(Connection {
            stream,
            ctx,
            call: KVec::from_elem(0u8, CALL_BUF, GFP_KERNEL)?,
            reply: KVVec::from_elem(0u8, REPLY_BUF, GFP_KERNEL)?,
            data: KVVec::from_elem(0u8, MAX_IO, GFP_KERNEL)?,
            activity,
            port_ok,
        })
    }

    /// Answers calls until the connection breaks, is shut down or times
    /// out.
    pub(crate) fn serve(&mut self) {
        while self.record().is_ok() {
            self.activity.store(now_ns(), Relaxed);
        }
    }

    /// Reads and answers one record.
    fn record(&mut self) -> Result {
        let mut m = [0u8; RecordMark::SIZE];
        // The first byte may take the idle timeout; the rest of the record
        // must follow within the record timeout.
        self.stream
            .set_recv_deadline(Some(self.ctx.idle_timeout_ms));
        self.stream.recv_exact(&mut m[..1]).inspect_err(|e| {
            if *e == ETIMEDOUT {
                stats::inc(&STATS.connections_idle_closed);
            }
        })?;
        self.stream
            .set_recv_deadline(Some(self.ctx.record_timeout_ms));
        let r = self.record_rest(m);
        if r == Err(ETIMEDOUT) {
            stats::inc(&STATS.records_timed_out);
        }
        r
    }

    /// The rest of a record whose first byte is in `m`.
    fn record_rest(&mut self, mut m: [u8; RecordMark::SIZE]) -> Result {
        self.stream.recv_exact(&mut m[1..])?;
        let mark = RecordMark::from_bytes(m);
        let len = mark.len as usize;
        if len > MAX_RECORD {
            pr_warn_ratelimited!("record of {} bytes refused, closing\n", len);
            return Err(EMSGSIZE);
        }
        stats::inc(&STATS.rpc_calls);
        if mark.last {
            self.single(len)
        } else {
            self.gathered(len)
        }
    }

    /// A record of several fragments: gathered, then decoded whole.
    fn gathered(&mut self, first: usize) -> Result {
        let mut rec = KVVec::new();
        let (mut frag, mut last) = (first, false);
        loop {
            let start = rec.len();
            let end = start.checked_add(frag).ok_or(EMSGSIZE)?;
            if end > MAX_RECORD {
                pr_warn_ratelimited!("record over {} bytes refused, closing\n", MAX_RECORD);
                return Err(EMSGSIZE);
            }
            rec.resize(end, 0u8, GFP_KERNEL)?;
            self.stream
                .recv_exact(rec.get_mut(start..end).ok_or(EINVAL)?)?;
            if last {
                break;
            }
            let mut m = [0u8; RecordMark::SIZE];
            self.stream.recv_exact(&mut m)?;
            let mark = RecordMark::from_bytes(m);
            (frag, last) = (mark.len as usize, mark.last);
        }
        let Connection {
            stream,
            ctx,
            reply,
            data,
            port_ok,
            ..
        } = self;
        match decode_request(&rec) {
            Ok(req) => {
                let caller = Caller::new(ctx, &req.call.cred, *port_ok);
                answer(stream, ctx, reply, data, req.call.xid, req.args, &caller)
            }
            Err(RequestError::Drop) => Err(EPROTO),
            Err(RequestError::Reply(r)) => answer_bare(stream, reply, r),
        }
    }

    /// A record of one fragment of `len` bytes, read in exact steps.
    fn single(&mut self, len: usize) -> Result {
        let Connection {
            stream,
            ctx,
            call,
            reply,
            data,
            port_ok,
            ..
        } = self;
        let prefix = read_prefix(stream, call, len)?;
        let left = prefix.left;
        let mut dec = Decoder::new(call.get(..prefix.have).unwrap_or(&[]));
        let header = match CallHeader::decode_call(&mut dec) {
            Ok(h) => h,
            Err(e) => {
                stream.discard(left)?;
                return match e.reply() {
                    Some(r) => answer_bare(stream, reply, r),
                    None => {
                        pr_warn_ratelimited!("not an RPC call, closing\n");
                        Err(EPROTO)
                    }
                };
            }
        };
        let xid = header.xid;
        let service = match route(&header) {
            Ok(s) => s,
            Err(stat) => {
                stream.discard(left)?;
                return answer_bare(stream, reply, ReplyHeader::new(xid, stat));
            }
        };
        let caller = Caller::new(ctx, &header.cred, *port_ok);
        if prefix.write_header {
            let h = WriteHeader::decode(&mut dec).ok();
            return match h.and_then(|h| Some((h, h.payload_wire_len()?))) {
                Some((h, wire)) if wire <= left => write_call(
                    stream,
                    ctx,
                    reply,
                    data,
                    xid,
                    &h,
                    wire,
                    left - wire,
                    &caller,
                ),
                _ => {
                    stream.discard(left)?;
                    answer_bare(stream, reply, ReplyHeader::new(xid, ReplyStat::GarbageArgs))
                }
            };
        }
        // Arguments that did not fit the buffer are garbage to us: decode
        // what there is (a truncated argument is GARBAGE_ARGS).
        stream.discard(left)?;
        let args = match service {
            Service::Mount => MountArgs::decode(header.procedure, &mut dec).map(ProgramArgs::Mount),
            Service::Nfs => Nfs3Args::decode(header.procedure, &mut dec).map(ProgramArgs::Nfs),
        };
        match args {
            Ok(args) => answer(stream, ctx, reply, data, xid, args, &caller),
            Err(e) => answer_bare(stream, reply, ReplyHeader::new(xid, e.reply_stat())),
        }
    }
}

/// What [`read_prefix`] read.
struct Prefix {
    /// Bytes of the record in the call buffer.
    have: usize,
    /// Bytes of the record still in the socket.
    left: usize,
    /// The call is an NFSv3 WRITE whose arguments were read up to and
    /// including the data length; the payload is next in the socket.
    write_header: bool,
}

/// Reads a call from a record of `len` bytes into `buf`, in the steps
/// described in the module documentation. Stops early at a length no valid
/// call has: decoding the prefix then gives the right answer.
fn read_prefix(stream: &Stream, buf: &mut [u8], len: usize) -> Result<Prefix> {
    let mut p = PrefixReader {
        stream,
        buf,
        have: 0,
        left: len,
    };
    let mut write_header = false;
    'steps: {
        // xid, msg_type, rpcvers, prog, vers, proc, cred flavor, length.
        if !p.fill(32)? {
            break 'steps;
        }
        let cred = p.last_word();
        if cred > MAX_AUTH_BYTES {
            break 'steps;
        }
        // Credential body, verifier flavor and length.
        if !p.fill(cred + pad_len(cred) + 8)? {
            break 'steps;
        }
        let verf = p.last_word();
        if verf > MAX_AUTH_BYTES || !p.fill(verf + pad_len(verf))? {
            break 'steps;
        }
        let (prog, vers, procedure) = (p.word(12), p.word(16), p.word(20));
        if prog == nfs3::PROGRAM && vers == nfs3::VERSION && procedure == Nfs3Proc::Write as u32 {
            // The file handle's length, the handle, offset, count, stable,
            // data length.
            if !p.fill(4)? {
                break 'steps;
            }
            let fh = p.last_word();
            if fh > FHSIZE3 || !p.fill(fh + pad_len(fh) + 20)? {
                break 'steps;
            }
            write_header = true;
            break 'steps;
        }
        p.fill(p.left)?;
    }
    Ok(Prefix {
        have: p.have,
        left: p.left,
        write_header,
    })
}

/// Reads a record into a buffer, a given number of bytes at a time.
struct PrefixReader<'a> {
    stream: &'a Stream,
    buf: &'a mut [u8],
    have: usize,
    left: usize,
}

impl PrefixReader<'_> {
    /// Reads `n` more bytes, or as many as the record and the buffer
    /// hold; whether all `n` were read.
    fn fill(&mut self, n: usize) -> Result<bool> {
        let room = self.buf.len().saturating_sub(self.have);
        let m = n.min(self.left).min(room);
        let dst = self.buf.get_mut(self.have..self.have + m).ok_or(EINVAL)?;
        self.stream.recv_exact(dst)?;
        self.have += m;
        self.left -= m;
        Ok(m == n)
    }

    /// The big-endian word at `at` (0 if not read).
    fn word(&self, at: usize) -> u32 {
        self.buf
            .get(at..at.saturating_add(4))
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map_or(0, u32::from_be_bytes)
    }

    /// The last word read, as a length.
    fn last_word(&self) -> usize {
        self.word(self.have.saturating_sub(4)) as usize
    }
}

/// Serves a WRITE whose payload (`wire` bytes, then `extra` bytes of the
/// record) is still in the socket.
#[allow(clippy::too_many_arguments)]
fn write_call(
    stream: &Stream,
    ctx: &ServerCtx,
    reply: &mut [u8],
    data: &mut [u8],
    xid: u32,
    h: &WriteHeader<'_>,
    wire: usize,
    extra: usize,
    caller: &Caller,
) -> Result {
    if !caller.port_ok {
        stream.discard(wire.saturating_add(extra))?;
        return send_refusal(stream, reply, xid, Refusal::Nfs(Nfs3Proc::Write));
    }
    let cred = match CredGuard::new(&caller.ids) {
        Ok(c) => c,
        Err(e) => {
            stream.discard(wire.saturating_add(extra))?;
            pr_warn_ratelimited!("no credentials for a call ({:?})\n", e);
            return answer_bare(stream, reply, ReplyHeader::new(xid, ReplyStat::SystemErr));
        }
    };
    let body = reply.get_mut(RecordMark::SIZE..).ok_or(EINVAL)?;
    let mut enc = Encoder::new(body);
    // The reply buffer always has room for a reply header.
    ReplyHeader::new(xid, ReplyStat::Success)
        .encode(&mut enc)
        .map_err(|_| EINVAL)?;
    // An error here is a connection broken while receiving the payload.
    let r = write_path::write_streamed(ctx, stream, h, extra, &mut enc, data);
    drop(cred);
    match r? {
        Ok(()) => {
            let len = RecordMark::SIZE + enc.position();
            send_reply(stream, reply, len, data, Tail::None)
        }
        Err(e) => {
            pr_warn_ratelimited!("WRITE reply encoding failed ({:?})\n", e);
            answer_bare(stream, reply, ReplyHeader::new(xid, ReplyStat::SystemErr))
        }
    }
}

/// How a call from a source port the `secure` option refuses is answered.
#[derive(Clone, Copy)]
enum Refusal {
    /// NFS3ERR_PERM, as NFSD answers (`nfsd_setuser_and_check_port`).
    Nfs(Nfs3Proc),
    /// MNT3ERR_ACCES, as mountd answers MNT.
    Mnt,
}

impl Refusal {
    /// The refusal `args` get from an insecure port (NULL, and the MOUNT
    /// procedures other than MNT, are served).
    fn of(args: &ProgramArgs<'_>) -> Option<Refusal> {
        match args {
            ProgramArgs::Nfs(Nfs3Args::Null) => None,
            ProgramArgs::Nfs(a) => Some(Refusal::Nfs(a.procedure())),
            ProgramArgs::Mount(MountArgs::Mnt { .. }) => Some(Refusal::Mnt),
            ProgramArgs::Mount(_) => None,
        }
    }
}

/// Sends the refusal of a call from an insecure source port.
fn send_refusal(stream: &Stream, reply: &mut [u8], xid: u32, refusal: Refusal) -> Result {
    stats::inc(&STATS.rpc_insecure_port);
    let body = reply.get_mut(RecordMark::SIZE..).ok_or(EINVAL)?;
    let mut enc = Encoder::new(body);
    ReplyHeader::new(xid, ReplyStat::Success)
        .encode(&mut enc)
        .and_then(|()| match refusal {
            Refusal::Nfs(p) => p.encode_error(Nfsstat3::Perm, &mut enc),
            Refusal::Mnt => MntRes::Err(MountStat3::Acces).encode(&mut enc),
        })
        .map_err(|_| EINVAL)?;
    let len = RecordMark::SIZE + enc.position();
    send_reply(stream, reply, len, &[], Tail::None)
}

/// Serves a decoded call with its caller's credentials and sends the
/// reply.
fn answer(
    stream: &Stream,
    ctx: &ServerCtx,
    reply: &mut [u8],
    data: &mut [u8],
    xid: u32,
    args: ProgramArgs<'_>,
    caller: &Caller,
) -> Result {
    if !caller.port_ok {
        if let Some(refusal) = Refusal::of(&args) {
            return send_refusal(stream, reply, xid, refusal);
        }
    }
    let cred = match CredGuard::new(&caller.ids) {
        Ok(c) => c,
        Err(e) => {
            pr_warn_ratelimited!("no credentials for a call ({:?})\n", e);
            return answer_bare(stream, reply, ReplyHeader::new(xid, ReplyStat::SystemErr));
        }
    };
    let body = reply.get_mut(RecordMark::SIZE..).ok_or(EINVAL)?;
    let mut enc = Encoder::new(body);
    let r = ReplyHeader::new(xid, ReplyStat::Success)
        .encode(&mut enc)
        .and_then(|()| dispatch(ctx, args, &mut enc, data));
    // The reply is sent with the thread's own credentials.
    drop(cred);
    match r {
        Ok(tail) => {
            let len = RecordMark::SIZE + enc.position();
            send_reply(stream, reply, len, data, tail)
        }
        Err(e) => {
            pr_warn_ratelimited!("reply encoding failed ({:?})\n", e);
            answer_bare(stream, reply, ReplyHeader::new(xid, ReplyStat::SystemErr))
        }
    }
}

/// Sends a reply that is only a header (an RPC-level failure).
fn answer_bare(stream: &Stream, reply: &mut [u8], r: ReplyHeader<'_>) -> Result {
    count_failure(&r.stat);
    let body = reply.get_mut(RecordMark::SIZE..).ok_or(EINVAL)?;
    let mut enc = Encoder::new(body);
    r.encode(&mut enc).map_err(|_| EINVAL)?;
    let len = RecordMark::SIZE + enc.position();
    send_reply(stream, reply, len, &[], Tail::None)
}

/// Sends `reply[..len]` (its first four bytes are set to the record mark),
/// then the tail's data and its XDR padding, as one record.
fn send_reply(stream: &Stream, reply: &mut [u8], len: usize, data: &[u8], tail: Tail) -> Result {
    let n = tail.len();
    let pad = padding_for(n);
    let body = len
        .checked_sub(RecordMark::SIZE)
        .and_then(|l| l.checked_add(n))
        .and_then(|l| l.checked_add(pad.len()))
        .ok_or(EINVAL)?;
    let mark = RecordMark::for_record(body)
        .and_then(RecordMark::to_bytes)
        .map_err(|_| EMSGSIZE)?;
    reply
        .get_mut(..RecordMark::SIZE)
        .ok_or(EINVAL)?
        .copy_from_slice(&mark);
    let head = reply.get(..len).ok_or(EINVAL)?;
    match tail {
        Tail::None => stream.send(&[head], false),
        Tail::Copied(n) => stream.send(&[head, data.get(..n).ok_or(EINVAL)?, pad], false),
        Tail::Loaned(loaned, held) => {
            stream.send(&[head], true)?;
            // The loan goes with the send; its completion returns it.
            let r = stream.send_loaned(loaned, !pad.is_empty());
            drop(held);
            r?;
            if pad.is_empty() {
                Ok(())
            } else {
                stream.send(&[pad], false)
            }
        }
    }
}
