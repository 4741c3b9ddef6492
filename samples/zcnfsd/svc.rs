// SPDX-License-Identifier: GPL-2.0

//! The RPC service layer, between the transport ([`crate::connection`])
//! and the procedures, as NFSD's `svc_process()` and `nfsd_dispatch()`:
//! decodes the call header, routes it to its program (MOUNT v3 or NFSv3,
//! [`crate::nfs3proc`]'s procedure table), applies the export options
//! (the `secure` source-port check, the caller's credentials from
//! [`crate::auth`]), encodes the reply header and the results, and counts
//! the RPC-level failures. It returns the encoded reply; the transport
//! sends it.

#![deny(unsafe_code)]

use crate::ctx::ServerCtx;
use crate::log::pr_warn_ratelimited;
use crate::mount_service;
use crate::nfs3proc;
pub(crate) use crate::nfs3proc::HeadReader;
use crate::proto::mount3::{MntRes, MountArgs, MountStat3};
use crate::proto::nfs3::{self, Nfs3Args, Nfs3Proc, Nfsstat3};
use crate::proto::request::{decode_request, route, ProgramArgs, RequestError, Service};
use crate::proto::rpc::{CallHeader, Credential, RecordMark, ReplyHeader, ReplyStat};
use crate::proto::xdr::{Decoder, Encode, Encoder, XdrResult};
use crate::record::{RecordRest, Reply, Tail};
use crate::stats::{self, STATS};
use crate::vfs::cred::{CredGuard, Ids};
use kernel::prelude::*;

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

/// The buffers a call is answered in.
pub(crate) struct Buffers<'a> {
    /// The reply: record mark, RPC reply header, results.
    pub(crate) reply: &'a mut [u8],
    /// READ and WRITE data on the copy path; READDIR scratch space.
    pub(crate) data: &'a mut [u8],
}

/// How the arguments of procedure `procedure` of program `prog` version
/// `vers` are read from a single-fragment record: `Some` for a procedure
/// that receives its payload from the socket (its arguments up to the
/// payload are read by the returned reader), `None` for the whole record.
pub(crate) fn head_reader(prog: u32, vers: u32, procedure: u32) -> Option<HeadReader> {
    if prog != nfs3::PROGRAM || vers != nfs3::VERSION {
        return None;
    }
    nfs3proc::procedure(Nfs3Proc::from_u32(procedure)?)
        .streamed
        .map(|s| s.read_head)
}

/// Answers a call whose record is all in `rec` (a record of several
/// fragments). `EPROTO`: not an RPC call, close the connection.
pub(crate) fn process_record(
    ctx: &ServerCtx,
    port_ok: bool,
    rec: &[u8],
    bufs: Buffers<'_>,
) -> Result<Reply> {
    match decode_request(rec) {
        Ok(req) => {
            let caller = Caller::new(ctx, &req.call.cred, port_ok);
            answer(ctx, bufs, req.call.xid, req.args, &caller)
        }
        Err(RequestError::Drop) => Err(EPROTO),
        Err(RequestError::Reply(r)) => bare(bufs.reply, r),
    }
}

/// Answers a call of which `prefix` has been read, the rest of the record
/// being in `rest`; `streamed`: `prefix` holds the arguments up to a
/// payload that the procedure receives from `rest` (see [`head_reader`]).
/// `EPROTO`: not an RPC call, close the connection; any other error: the
/// connection broke.
pub(crate) fn process_prefix(
    ctx: &ServerCtx,
    port_ok: bool,
    prefix: &[u8],
    rest: &mut RecordRest<'_>,
    streamed: Option<HeadReader>,
    bufs: Buffers<'_>,
) -> Result<Reply> {
    let mut dec = Decoder::new(prefix);
    let header = match CallHeader::decode_call(&mut dec) {
        Ok(h) => h,
        Err(e) => {
            rest.discard_all()?;
            return match e.reply() {
                Some(r) => bare(bufs.reply, r),
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
            rest.discard_all()?;
            return bare(bufs.reply, ReplyHeader::new(xid, stat));
        }
    };
    let caller = Caller::new(ctx, &header.cred, port_ok);
    if streamed.is_some() {
        if let Some(p) = Nfs3Proc::from_u32(header.procedure) {
            return answer_streamed(ctx, bufs, xid, p, &mut dec, rest, &caller);
        }
    }
    // Arguments that did not fit the buffer are garbage to us: decode
    // what there is (a truncated argument is GARBAGE_ARGS).
    rest.discard_all()?;
    let args = match service {
        Service::Mount => MountArgs::decode(header.procedure, &mut dec).map(ProgramArgs::Mount),
        Service::Nfs => Nfs3Args::decode(header.procedure, &mut dec).map(ProgramArgs::Nfs),
    };
    match args {
        Ok(args) => answer(ctx, bufs, xid, args, &caller),
        Err(e) => bare(bufs.reply, ReplyHeader::new(xid, e.reply_stat())),
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
    /// The refusal `args` get from an insecure port (the NFS procedures
    /// flagged so, and the MOUNT procedures other than MNT, are served).
    fn of(args: &ProgramArgs<'_>) -> Option<Refusal> {
        match args {
            ProgramArgs::Nfs(a) if nfs3proc::procedure(a.procedure()).insecure_ok => None,
            ProgramArgs::Nfs(a) => Some(Refusal::Nfs(a.procedure())),
            ProgramArgs::Mount(MountArgs::Mnt { .. }) => Some(Refusal::Mnt),
            ProgramArgs::Mount(_) => None,
        }
    }
}

/// The reply header of a call that runs, and then the results `f`
/// encodes; the reply length. A failure to encode is answered SYSTEM_ERR.
fn encode_reply(
    reply: &mut [u8],
    xid: u32,
    f: impl FnOnce(&mut Encoder<'_>) -> XdrResult<Tail>,
) -> Result<Reply> {
    let body = reply.get_mut(RecordMark::SIZE..).ok_or(EINVAL)?;
    let mut enc = Encoder::new(body);
    let r = ReplyHeader::new(xid, ReplyStat::Success)
        .encode(&mut enc)
        .and_then(|()| f(&mut enc));
    match r {
        Ok(tail) => Ok(Reply {
            len: RecordMark::SIZE + enc.position(),
            tail,
        }),
        Err(e) => {
            pr_warn_ratelimited!("reply encoding failed ({:?})\n", e);
            bare(reply, ReplyHeader::new(xid, ReplyStat::SystemErr))
        }
    }
}

/// The refusal of a call from an insecure source port.
fn refuse(reply: &mut [u8], xid: u32, refusal: Refusal) -> Result<Reply> {
    stats::inc(&STATS.rpc_insecure_port);
    encode_reply(reply, xid, |enc| {
        match refusal {
            Refusal::Nfs(p) => p.encode_error(Nfsstat3::Perm, enc),
            Refusal::Mnt => MntRes::Err(MountStat3::Acces).encode(enc),
        }
        .map(|()| Tail::None)
    })
}

/// Serves decoded arguments with the caller's credentials.
fn answer(
    ctx: &ServerCtx,
    bufs: Buffers<'_>,
    xid: u32,
    args: ProgramArgs<'_>,
    caller: &Caller,
) -> Result<Reply> {
    if !caller.port_ok {
        if let Some(refusal) = Refusal::of(&args) {
            return refuse(bufs.reply, xid, refusal);
        }
    }
    let cred = match CredGuard::new(&caller.ids) {
        Ok(c) => c,
        Err(e) => {
            pr_warn_ratelimited!("no credentials for a call ({:?})\n", e);
            return bare(bufs.reply, ReplyHeader::new(xid, ReplyStat::SystemErr));
        }
    };
    let data = bufs.data;
    let r = encode_reply(bufs.reply, xid, |enc| match args {
        ProgramArgs::Mount(a) => mount_service::call(ctx, a, enc).map(|()| Tail::None),
        ProgramArgs::Nfs(a) => nfs3proc::dispatch(ctx, a, enc, data),
    });
    // The reply is sent with the thread's own credentials.
    drop(cred);
    r
}

/// Serves a procedure whose payload is still in `rest`, its arguments up
/// to the payload in `dec`.
fn answer_streamed(
    ctx: &ServerCtx,
    bufs: Buffers<'_>,
    xid: u32,
    p: Nfs3Proc,
    dec: &mut Decoder<'_>,
    rest: &mut RecordRest<'_>,
    caller: &Caller,
) -> Result<Reply> {
    let Some(streamed) = nfs3proc::procedure(p).streamed else {
        return Err(EINVAL);
    };
    if !(streamed.check)(dec.clone(), rest.left()) {
        rest.discard_all()?;
        return bare(bufs.reply, ReplyHeader::new(xid, ReplyStat::GarbageArgs));
    }
    if !caller.port_ok && !nfs3proc::procedure(p).insecure_ok {
        rest.discard_all()?;
        return refuse(bufs.reply, xid, Refusal::Nfs(p));
    }
    let cred = match CredGuard::new(&caller.ids) {
        Ok(c) => c,
        Err(e) => {
            rest.discard_all()?;
            pr_warn_ratelimited!("no credentials for a call ({:?})\n", e);
            return bare(bufs.reply, ReplyHeader::new(xid, ReplyStat::SystemErr));
        }
    };
    let body = bufs.reply.get_mut(RecordMark::SIZE..).ok_or(EINVAL)?;
    let mut enc = Encoder::new(body);
    // The reply buffer always has room for a reply header.
    ReplyHeader::new(xid, ReplyStat::Success)
        .encode(&mut enc)
        .map_err(|_| EINVAL)?;
    // An error here is a connection broken while receiving the payload.
    let r = (streamed.func)(ctx, dec, rest, &mut enc, bufs.data);
    drop(cred);
    let len = RecordMark::SIZE + enc.position();
    match r? {
        Ok(()) => Ok(Reply {
            len,
            tail: Tail::None,
        }),
        Err(e) => {
            let name = nfs3proc::procedure(p).name;
            pr_warn_ratelimited!("{} reply encoding failed ({:?})\n", name, e);
            bare(bufs.reply, ReplyHeader::new(xid, ReplyStat::SystemErr))
        }
    }
}

/// A reply that is only a header (an RPC-level failure).
fn bare(reply: &mut [u8], r: ReplyHeader<'_>) -> Result<Reply> {
    count_failure(&r.stat);
    let body = reply.get_mut(RecordMark::SIZE..).ok_or(EINVAL)?;
    let mut enc = Encoder::new(body);
    r.encode(&mut enc).map_err(|_| EINVAL)?;
    Ok(Reply {
        len: RecordMark::SIZE + enc.position(),
        tail: Tail::None,
    })
}

/// Counts a reply that carries no results.
fn count_failure(stat: &ReplyStat) {
    let c = match stat {
        ReplyStat::GarbageArgs => &STATS.rpc_garbage_args,
        ReplyStat::ProcUnavail => &STATS.rpc_proc_unavail,
        ReplyStat::ProgUnavail => &STATS.rpc_prog_unavail,
        ReplyStat::ProgMismatch { .. } => &STATS.rpc_prog_mismatch,
        ReplyStat::AuthError(_) => &STATS.rpc_auth_errors,
        ReplyStat::Success | ReplyStat::SystemErr | ReplyStat::RpcMismatch { .. } => return,
    };
    stats::inc(c);
}
