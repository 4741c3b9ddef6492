// SPDX-License-Identifier: GPL-2.0

//! A whole request: the RPC call header, checked against what zcnfsd
//! serves, then the MOUNT v3 or NFSv3 arguments.
//!
//! [`decode_request`] takes a complete record. The WRITE path, which must
//! not need the payload in the same buffer, uses the pieces instead:
//! [`CallHeader::decode_call`] and [`route`] on a prefix of the record, then
//! [`WriteHeader::decode`](super::nfs3::WriteHeader::decode) with the same
//! decoder, whose position is then the payload's offset in the record.

use super::mount3::{self, MountArgs};
use super::nfs3::{self, Nfs3Args};
use super::rpc::{AuthStat, CallError, CallHeader, Credential, ReplyHeader, ReplyStat, AUTH_NONE};
use super::xdr::{Decoder, Encode, Encoder, XdrResult};

/// A program zcnfsd serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    /// MOUNT v3.
    Mount,
    /// NFSv3.
    Nfs,
}

/// Decoded arguments, by program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProgramArgs<'a> {
    /// MOUNT v3 arguments.
    Mount(MountArgs<'a>),
    /// NFSv3 arguments.
    Nfs(Nfs3Args<'a>),
}

impl Encode for ProgramArgs<'_> {
    fn encode(&self, enc: &mut Encoder<'_>) -> XdrResult<()> {
        match self {
            Self::Mount(a) => a.encode(enc),
            Self::Nfs(a) => a.encode(enc),
        }
    }
}

/// A decoded request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Request<'a> {
    /// The call header.
    pub call: CallHeader<'a>,
    /// The arguments.
    pub args: ProgramArgs<'a>,
}

impl Encode for Request<'_> {
    fn encode(&self, enc: &mut Encoder<'_>) -> XdrResult<()> {
        self.call.encode(enc)?;
        self.args.encode(enc)
    }
}

/// Why a request cannot be served, and what to do about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestError {
    /// Not an answerable RPC call: drop it and close the connection.
    Drop,
    /// Send this reply header (which carries no results).
    Reply(ReplyHeader<'static>),
}

impl RequestError {
    /// The reply to send, if any.
    pub fn reply(&self) -> Option<&ReplyHeader<'static>> {
        match self {
            Self::Drop => None,
            Self::Reply(r) => Some(r),
        }
    }
}

impl From<CallError> for RequestError {
    fn from(e: CallError) -> Self {
        e.reply().map_or(Self::Drop, Self::Reply)
    }
}

/// Checks a call against what zcnfsd serves, in the order Linux's sunrpc
/// server does: the credential must be AUTH_NONE or AUTH_SYS (else
/// AUTH_BADCRED) with an empty AUTH_NONE verifier (else AUTH_BADVERF); the
/// program must be MOUNT or NFS (else PROG_UNAVAIL), version 3 (else
/// PROG_MISMATCH 3..3). The procedure is checked when its arguments are
/// decoded.
pub fn route(call: &CallHeader<'_>) -> Result<Service, ReplyStat> {
    match call.cred {
        Credential::None | Credential::Sys(_) => {}
        Credential::Other(_) => return Err(ReplyStat::AuthError(AuthStat::BadCred)),
    }
    if call.verf.flavor != AUTH_NONE || !call.verf.body.is_empty() {
        return Err(ReplyStat::AuthError(AuthStat::BadVerf));
    }
    let (service, version) = match call.prog {
        mount3::PROGRAM => (Service::Mount, mount3::VERSION),
        nfs3::PROGRAM => (Service::Nfs, nfs3::VERSION),
        _ => return Err(ReplyStat::ProgUnavail),
    };
    if call.vers != version {
        return Err(ReplyStat::ProgMismatch {
            low: version,
            high: version,
        });
    }
    Ok(service)
}

/// Decodes a complete request record (without its record mark).
pub fn decode_request(record: &[u8]) -> Result<Request<'_>, RequestError> {
    let mut dec = Decoder::new(record);
    let call = CallHeader::decode_call(&mut dec)?;
    let reply = |stat| RequestError::Reply(ReplyHeader::new(call.xid, stat));
    let args = match route(&call).map_err(reply)? {
        Service::Mount => MountArgs::decode(call.procedure, &mut dec).map(ProgramArgs::Mount),
        Service::Nfs => Nfs3Args::decode(call.procedure, &mut dec).map(ProgramArgs::Nfs),
    }
    .map_err(|e| reply(e.reply_stat()))?;
    Ok(Request { call, args })
}
