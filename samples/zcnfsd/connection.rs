// SPDX-License-Identifier: GPL-2.0

//! The transport of one client connection: record marking (RFC 5531
//! section 11), reading a call in exact steps, sending the reply. It knows
//! no program: [`crate::svc`] answers the call, and a procedure that
//! receives its payload from the socket says so by a hook in its table
//! entry ([`crate::nfs3proc::Streamed`]).
//!
//! A record of one fragment (what every client sends) is read piece by
//! piece, never past what the next decision needs: the fixed call header
//! and the credential's length, the credential and the verifier's length,
//! the verifier; then, if the procedure has a head reader (NFSv3 WRITE),
//! only its arguments up to the payload, which the procedure then receives
//! from the rest of the record ([`crate::record::RecordRest`]), straight
//! into loaned pages; for any other call the rest of the record. A record
//! of several fragments is gathered into a buffer and decoded whole (WRITE
//! then takes the copy path). A record longer than [`MAX_RECORD`], or one
//! that is not an RPC call, closes the connection.
//!
//! Time limits: the first byte of a record must come within the
//! `idle_timeout` (else the connection is closed as idle), and the whole
//! record within the `record_timeout` from its first byte (a stalled or
//! trickled record closes the connection); a send that makes no progress
//! for the `record_timeout` fails too. A thread serving a connection is
//! therefore never blocked for good by a silent peer.

#![deny(unsafe_code)]

use crate::ctx::{now_ns, ServerCtx};
use crate::log::pr_warn_ratelimited;
use crate::proto::rpc::{RecordMark, MAX_AUTH_BYTES};
use crate::proto::xdr::{pad_len, padding_for};
use crate::record::{CallPrefix, Reply, Tail};
use crate::stats::{self, STATS};
use crate::svc::{self, Buffers};
use crate::{net::Stream, MAX_IO};
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
        let bufs = Buffers {
            reply: &mut self.reply,
            data: &mut self.data,
        };
        let r = svc::process_record(&self.ctx, self.port_ok, &rec, bufs)?;
        send_reply(&self.stream, &mut self.reply, &self.data, r)
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
        let mut p = CallPrefix::new(stream, call, len);
        let streamed = read_prefix(&mut p)?;
        let (prefix, mut rest) = p.finish();
        let bufs = Buffers {
            reply: &mut reply[..],
            data: &mut data[..],
        };
        let r = svc::process_prefix(ctx, *port_ok, prefix, &mut rest, streamed, bufs)?;
        send_reply(stream, reply, data, r)
    }
}

/// Reads a call from a record into the call buffer, in the steps described
/// in the module documentation: the RPC call header, then, for a
/// procedure that receives its payload from the socket, its arguments up
/// to the payload (returning the procedure's head reader), else the rest
/// of the record. Stops early at a length no valid call has: decoding the
/// prefix then gives the right answer.
fn read_prefix(p: &mut CallPrefix<'_>) -> Result<Option<svc::HeadReader>> {
    // xid, msg_type, rpcvers, prog, vers, proc, cred flavor, length.
    if !p.fill(32)? {
        return Ok(None);
    }
    let cred = p.last_word();
    if cred > MAX_AUTH_BYTES {
        return Ok(None);
    }
    // Credential body, verifier flavor and length.
    if !p.fill(cred + pad_len(cred) + 8)? {
        return Ok(None);
    }
    let verf = p.last_word();
    if verf > MAX_AUTH_BYTES || !p.fill(verf + pad_len(verf))? {
        return Ok(None);
    }
    match svc::head_reader(p.word(12), p.word(16), p.word(20)) {
        Some(read_head) => Ok(read_head(p)?.then_some(read_head)),
        None => p.fill_all().map(|()| None),
    }
}

/// Sends `reply[..r.len]` (its first four bytes are set to the record
/// mark), then the tail's data and its XDR padding, as one record.
fn send_reply(stream: &Stream, reply: &mut [u8], data: &[u8], r: Reply) -> Result {
    let Reply { len, tail } = r;
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
            // One sendmsg: header, pages, padding. The loan goes with the
            // send; it is returned when the send returns or by its
            // completion.
            let r = stream.send_reply(head, loaned, pad.len());
            drop(held);
            r
        }
    }
}
