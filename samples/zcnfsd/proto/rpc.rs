// SPDX-License-Identifier: GPL-2.0

//! ONC RPC version 2 (RFC 5531): record marking, call and reply headers,
//! AUTH_NONE and AUTH_SYS credentials.

use super::xdr::{Decode, Decoder, Encode, Encoder, U32List, XdrError, XdrResult};

/// The only RPC protocol version (`rpcvers`).
pub const RPC_VERSION: u32 = 2;

/// `msg_type` CALL.
pub const MSG_CALL: u32 = 0;
/// `msg_type` REPLY.
pub const MSG_REPLY: u32 = 1;
/// `reply_stat` MSG_ACCEPTED.
pub const MSG_ACCEPTED: u32 = 0;
/// `reply_stat` MSG_DENIED.
pub const MSG_DENIED: u32 = 1;

/// `accept_stat` SUCCESS.
pub const SUCCESS: u32 = 0;
/// `accept_stat` PROG_UNAVAIL.
pub const PROG_UNAVAIL: u32 = 1;
/// `accept_stat` PROG_MISMATCH.
pub const PROG_MISMATCH: u32 = 2;
/// `accept_stat` PROC_UNAVAIL.
pub const PROC_UNAVAIL: u32 = 3;
/// `accept_stat` GARBAGE_ARGS.
pub const GARBAGE_ARGS: u32 = 4;
/// `accept_stat` SYSTEM_ERR.
pub const SYSTEM_ERR: u32 = 5;

/// `reject_stat` RPC_MISMATCH.
pub const RPC_MISMATCH: u32 = 0;
/// `reject_stat` AUTH_ERROR.
pub const AUTH_ERROR: u32 = 1;

/// `auth_flavor` AUTH_NONE.
pub const AUTH_NONE: u32 = 0;
/// `auth_flavor` AUTH_SYS (AUTH_UNIX).
pub const AUTH_SYS: u32 = 1;
/// `auth_flavor` AUTH_SHORT.
pub const AUTH_SHORT: u32 = 2;
/// `auth_flavor` AUTH_DH.
pub const AUTH_DH: u32 = 3;
/// `auth_flavor` RPCSEC_GSS.
pub const RPCSEC_GSS: u32 = 6;

/// Maximum size of an `opaque_auth` body.
pub const MAX_AUTH_BYTES: usize = 400;
/// Maximum length of the AUTH_SYS machine name.
pub const MAX_MACHINE_NAME: usize = 255;
/// Maximum number of AUTH_SYS supplementary groups.
pub const MAX_GIDS: usize = 16;

/// Largest call header [`CallHeader::decode_call`] accepts: six words,
/// then credential and verifier of at most [`MAX_AUTH_BYTES`] each.
pub const MAX_CALL_HEADER_LEN: usize = 6 * 4 + 2 * (8 + MAX_AUTH_BYTES);

/// Bit of the record-marking word that flags the last fragment.
pub const LAST_FRAGMENT: u32 = 0x8000_0000;
/// Largest fragment length a record-marking word can carry.
pub const MAX_FRAGMENT_LEN: u32 = 0x7fff_ffff;

/// A record-marking fragment header (RFC 5531 section 11): one big-endian
/// word, the top bit set on the last fragment of a record, the other 31
/// bits the fragment length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordMark {
    /// This fragment ends the record.
    pub last: bool,
    /// Length of the fragment that follows the header, in bytes.
    pub len: u32,
}

impl RecordMark {
    /// Size of the header on the wire.
    pub const SIZE: usize = 4;

    /// Interprets a header word.
    pub const fn from_u32(word: u32) -> Self {
        Self {
            last: word & LAST_FRAGMENT != 0,
            len: word & MAX_FRAGMENT_LEN,
        }
    }

    /// Interprets the four header bytes.
    pub const fn from_bytes(bytes: [u8; 4]) -> Self {
        Self::from_u32(u32::from_be_bytes(bytes))
    }

    /// Parses the header at the start of `buf`.
    pub fn parse(buf: &[u8]) -> XdrResult<Self> {
        let w = buf.get(..4).ok_or(XdrError::Short)?;
        let b = <[u8; 4]>::try_from(w).map_err(|_| XdrError::Short)?;
        Ok(Self::from_bytes(b))
    }

    /// The header for a record sent as one (last) fragment of `len` bytes.
    pub fn for_record(len: usize) -> XdrResult<Self> {
        let len = u32::try_from(len).map_err(|_| XdrError::TooLong)?;
        if len > MAX_FRAGMENT_LEN {
            return Err(XdrError::TooLong);
        }
        Ok(Self { last: true, len })
    }

    /// The header word; [`XdrError::TooLong`] if `len` needs 32 bits.
    pub fn to_u32(self) -> XdrResult<u32> {
        if self.len > MAX_FRAGMENT_LEN {
            return Err(XdrError::TooLong);
        }
        Ok(if self.last {
            self.len | LAST_FRAGMENT
        } else {
            self.len
        })
    }

    /// The header bytes.
    pub fn to_bytes(self) -> XdrResult<[u8; 4]> {
        self.to_u32().map(u32::to_be_bytes)
    }
}

/// An `opaque_auth`: a flavor and an opaque body of at most
/// [`MAX_AUTH_BYTES`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpaqueAuth<'a> {
    /// The `auth_flavor`.
    pub flavor: u32,
    /// The body, borrowed from the message.
    pub body: &'a [u8],
}

impl OpaqueAuth<'_> {
    /// The AUTH_NONE verifier (empty body).
    pub const NONE: OpaqueAuth<'static> = OpaqueAuth {
        flavor: AUTH_NONE,
        body: &[],
    };
}

impl<'a> Decode<'a> for OpaqueAuth<'a> {
    fn decode(dec: &mut Decoder<'a>) -> XdrResult<Self> {
        let flavor = dec.u32()?;
        let body = dec.opaque(MAX_AUTH_BYTES)?;
        Ok(Self { flavor, body })
    }
}

impl Encode for OpaqueAuth<'_> {
    fn encode(&self, enc: &mut Encoder<'_>) -> XdrResult<()> {
        enc.u32(self.flavor)?;
        enc.opaque(self.body, MAX_AUTH_BYTES)
    }
}

/// The body of an AUTH_SYS credential (`authsys_parms`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AuthSys<'a> {
    /// Arbitrary id the client may generate.
    pub stamp: u32,
    /// The client's host name (at most [`MAX_MACHINE_NAME`] bytes).
    pub machinename: &'a [u8],
    /// Effective user id.
    pub uid: u32,
    /// Effective group id.
    pub gid: u32,
    /// Supplementary groups (at most [`MAX_GIDS`]).
    pub gids: U32List<'a>,
}

impl<'a> AuthSys<'a> {
    /// Parses a credential body, which must be consumed exactly.
    pub fn from_body(body: &'a [u8]) -> XdrResult<Self> {
        let mut dec = Decoder::new(body);
        let v = Self::decode(&mut dec)?;
        if !dec.is_empty() {
            return Err(XdrError::BadValue);
        }
        Ok(v)
    }

    /// Size of the encoded body, or `None` if a field exceeds its limit.
    pub fn body_len(&self) -> Option<usize> {
        if self.machinename.len() > MAX_MACHINE_NAME || self.gids.len() > MAX_GIDS {
            return None;
        }
        // stamp, name, uid, gid, gid count, gids: all bounded above.
        super::xdr::opaque_wire_len(self.machinename.len())?
            .checked_add(16)?
            .checked_add(self.gids.len().checked_mul(4)?)
    }
}

impl<'a> Decode<'a> for AuthSys<'a> {
    fn decode(dec: &mut Decoder<'a>) -> XdrResult<Self> {
        Ok(Self {
            stamp: dec.u32()?,
            machinename: dec.string(MAX_MACHINE_NAME)?,
            uid: dec.u32()?,
            gid: dec.u32()?,
            gids: U32List::decode_max(dec, MAX_GIDS)?,
        })
    }
}

impl Encode for AuthSys<'_> {
    fn encode(&self, enc: &mut Encoder<'_>) -> XdrResult<()> {
        enc.u32(self.stamp)?;
        enc.string(self.machinename, MAX_MACHINE_NAME)?;
        enc.u32(self.uid)?;
        enc.u32(self.gid)?;
        self.gids.encode_max(enc, MAX_GIDS)
    }
}

/// `auth_stat`: why authentication failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum AuthStat {
    /// Success.
    Ok = 0,
    /// Bad credential (seal broken).
    BadCred = 1,
    /// Client must begin a new session.
    RejectedCred = 2,
    /// Bad verifier (seal broken).
    BadVerf = 3,
    /// Verifier expired or replayed.
    RejectedVerf = 4,
    /// Rejected for security reasons.
    TooWeak = 5,
    /// Bogus response verifier.
    InvalidResp = 6,
    /// Reason unknown.
    Failed = 7,
    /// Kerberos generic error.
    KerbGeneric = 8,
    /// Time of credential expired.
    TimeExpire = 9,
    /// Problem with ticket file.
    TktFile = 10,
    /// Can't decode authenticator.
    Decode = 11,
    /// Wrong net address in ticket.
    NetAddr = 12,
    /// RPCSEC_GSS: no credentials for user.
    RpcsecGssCredProblem = 13,
    /// RPCSEC_GSS: problem with context.
    RpcsecGssCtxProblem = 14,
}

impl AuthStat {
    /// The status for a wire value, if it is one.
    pub const fn from_u32(v: u32) -> Option<Self> {
        Some(match v {
            0 => Self::Ok,
            1 => Self::BadCred,
            2 => Self::RejectedCred,
            3 => Self::BadVerf,
            4 => Self::RejectedVerf,
            5 => Self::TooWeak,
            6 => Self::InvalidResp,
            7 => Self::Failed,
            8 => Self::KerbGeneric,
            9 => Self::TimeExpire,
            10 => Self::TktFile,
            11 => Self::Decode,
            12 => Self::NetAddr,
            13 => Self::RpcsecGssCredProblem,
            14 => Self::RpcsecGssCtxProblem,
            _ => return None,
        })
    }
}

/// A call's credential, interpreted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credential<'a> {
    /// AUTH_NONE (empty body).
    None,
    /// AUTH_SYS.
    Sys(AuthSys<'a>),
    /// Any other flavor, uninterpreted.
    Other(OpaqueAuth<'a>),
}

impl<'a> Credential<'a> {
    /// Interprets an `opaque_auth` credential. A malformed AUTH_NONE or
    /// AUTH_SYS body gives [`AuthStat::BadCred`].
    pub fn from_opaque(auth: OpaqueAuth<'a>) -> Result<Self, AuthStat> {
        match auth.flavor {
            AUTH_NONE if auth.body.is_empty() => Ok(Self::None),
            AUTH_NONE => Err(AuthStat::BadCred),
            AUTH_SYS => AuthSys::from_body(auth.body)
                .map(Self::Sys)
                .map_err(|_| AuthStat::BadCred),
            _ => Ok(Self::Other(auth)),
        }
    }

    /// The `auth_flavor`.
    pub fn flavor(&self) -> u32 {
        match self {
            Self::None => AUTH_NONE,
            Self::Sys(_) => AUTH_SYS,
            Self::Other(a) => a.flavor,
        }
    }
}

impl<'a> Decode<'a> for Credential<'a> {
    fn decode(dec: &mut Decoder<'a>) -> XdrResult<Self> {
        Self::from_opaque(OpaqueAuth::decode(dec)?).map_err(|_| XdrError::BadValue)
    }
}

impl Encode for Credential<'_> {
    fn encode(&self, enc: &mut Encoder<'_>) -> XdrResult<()> {
        match self {
            Self::None => OpaqueAuth::NONE.encode(enc),
            Self::Sys(sys) => {
                let len = sys.body_len().ok_or(XdrError::TooLong)?;
                enc.u32(AUTH_SYS)?;
                enc.opaque_len(len, MAX_AUTH_BYTES)?;
                sys.encode(enc)
            }
            Self::Other(a) => a.encode(enc),
        }
    }
}

/// Why a call header could not be accepted, and what to answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallError {
    /// Not an answerable call: shorter than the fixed part of the header
    /// (xid to procedure), or not a CALL. Drop it and close the connection.
    Drop,
    /// `rpcvers` is not 2: answer MSG_DENIED / RPC_MISMATCH.
    RpcMismatch {
        /// Transaction id to answer.
        xid: u32,
    },
    /// Credential or verifier unacceptable: answer MSG_DENIED / AUTH_ERROR.
    Auth {
        /// Transaction id to answer.
        xid: u32,
        /// The `auth_stat` to send.
        stat: AuthStat,
    },
    /// The header is truncated in the credential or verifier: answer
    /// GARBAGE_ARGS.
    Garbage {
        /// Transaction id to answer.
        xid: u32,
    },
}

impl CallError {
    /// The reply this error calls for, or `None` for [`CallError::Drop`].
    pub fn reply(&self) -> Option<ReplyHeader<'static>> {
        match *self {
            Self::Drop => None,
            Self::RpcMismatch { xid } => Some(ReplyHeader::new(
                xid,
                ReplyStat::RpcMismatch {
                    low: RPC_VERSION,
                    high: RPC_VERSION,
                },
            )),
            Self::Auth { xid, stat } => Some(ReplyHeader::new(xid, ReplyStat::AuthError(stat))),
            Self::Garbage { xid } => Some(ReplyHeader::new(xid, ReplyStat::GarbageArgs)),
        }
    }
}

/// A call message header (`rpc_msg` with `call_body`), up to the start of
/// the procedure's arguments. `rpcvers` is always [`RPC_VERSION`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallHeader<'a> {
    /// Transaction id.
    pub xid: u32,
    /// Program number.
    pub prog: u32,
    /// Program version.
    pub vers: u32,
    /// Procedure number.
    pub procedure: u32,
    /// The credential.
    pub cred: Credential<'a>,
    /// The verifier, uninterpreted.
    pub verf: OpaqueAuth<'a>,
}

impl<'a> CallHeader<'a> {
    /// Decodes a call header, mapping each failure to the answer RFC 5531
    /// (and Linux's sunrpc server) gives it. On success the decoder is
    /// positioned at the procedure's arguments.
    pub fn decode_call(dec: &mut Decoder<'a>) -> Result<Self, CallError> {
        let mut word = || dec.u32().map_err(|_| CallError::Drop);
        let xid = word()?;
        if word()? != MSG_CALL {
            return Err(CallError::Drop);
        }
        let rpcvers = word()?;
        let prog = word()?;
        let vers = word()?;
        let procedure = word()?;
        if rpcvers != RPC_VERSION {
            return Err(CallError::RpcMismatch { xid });
        }
        let auth_err = |e: XdrError, stat: AuthStat| match e {
            XdrError::TooLong => CallError::Auth { xid, stat },
            _ => CallError::Garbage { xid },
        };
        let cred = OpaqueAuth::decode(dec).map_err(|e| auth_err(e, AuthStat::BadCred))?;
        let verf = OpaqueAuth::decode(dec).map_err(|e| auth_err(e, AuthStat::BadVerf))?;
        let cred = Credential::from_opaque(cred).map_err(|stat| CallError::Auth { xid, stat })?;
        Ok(Self {
            xid,
            prog,
            vers,
            procedure,
            cred,
            verf,
        })
    }
}

impl Encode for CallHeader<'_> {
    fn encode(&self, enc: &mut Encoder<'_>) -> XdrResult<()> {
        enc.u32(self.xid)?;
        enc.u32(MSG_CALL)?;
        enc.u32(RPC_VERSION)?;
        enc.u32(self.prog)?;
        enc.u32(self.vers)?;
        enc.u32(self.procedure)?;
        self.cred.encode(enc)?;
        self.verf.encode(enc)
    }
}

/// The outcome a reply reports: the `accept_stat` of an accepted reply or
/// the `reject_stat` of a denied one, with their data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplyStat {
    /// Accepted, SUCCESS: the procedure's results follow.
    Success,
    /// Accepted, PROG_UNAVAIL.
    ProgUnavail,
    /// Accepted, PROG_MISMATCH with the supported version range.
    ProgMismatch {
        /// Lowest supported version.
        low: u32,
        /// Highest supported version.
        high: u32,
    },
    /// Accepted, PROC_UNAVAIL.
    ProcUnavail,
    /// Accepted, GARBAGE_ARGS.
    GarbageArgs,
    /// Accepted, SYSTEM_ERR.
    SystemErr,
    /// Denied, RPC_MISMATCH with the supported RPC version range.
    RpcMismatch {
        /// Lowest supported RPC version.
        low: u32,
        /// Highest supported RPC version.
        high: u32,
    },
    /// Denied, AUTH_ERROR.
    AuthError(AuthStat),
}

impl ReplyStat {
    /// True for the MSG_ACCEPTED outcomes.
    pub fn is_accepted(&self) -> bool {
        !matches!(self, Self::RpcMismatch { .. } | Self::AuthError(_))
    }
}

/// A reply message header (`rpc_msg` with `reply_body`). For
/// [`ReplyStat::Success`] the procedure's results follow it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReplyHeader<'a> {
    /// Transaction id of the call answered.
    pub xid: u32,
    /// Verifier of an accepted reply (ignored, and decoded as
    /// [`OpaqueAuth::NONE`], for a denied one).
    pub verf: OpaqueAuth<'a>,
    /// The outcome.
    pub stat: ReplyStat,
}

impl ReplyHeader<'static> {
    /// A reply with an AUTH_NONE verifier.
    pub const fn new(xid: u32, stat: ReplyStat) -> Self {
        Self {
            xid,
            verf: OpaqueAuth::NONE,
            stat,
        }
    }
}

impl Encode for ReplyHeader<'_> {
    fn encode(&self, enc: &mut Encoder<'_>) -> XdrResult<()> {
        enc.u32(self.xid)?;
        enc.u32(MSG_REPLY)?;
        let accept = |enc: &mut Encoder<'_>, stat: u32| -> XdrResult<()> {
            enc.u32(MSG_ACCEPTED)?;
            self.verf.encode(enc)?;
            enc.u32(stat)
        };
        match self.stat {
            ReplyStat::Success => accept(enc, SUCCESS),
            ReplyStat::ProgUnavail => accept(enc, PROG_UNAVAIL),
            ReplyStat::ProgMismatch { low, high } => {
                accept(enc, PROG_MISMATCH)?;
                enc.u32(low)?;
                enc.u32(high)
            }
            ReplyStat::ProcUnavail => accept(enc, PROC_UNAVAIL),
            ReplyStat::GarbageArgs => accept(enc, GARBAGE_ARGS),
            ReplyStat::SystemErr => accept(enc, SYSTEM_ERR),
            ReplyStat::RpcMismatch { low, high } => {
                enc.u32(MSG_DENIED)?;
                enc.u32(RPC_MISMATCH)?;
                enc.u32(low)?;
                enc.u32(high)
            }
            ReplyStat::AuthError(stat) => {
                enc.u32(MSG_DENIED)?;
                enc.u32(AUTH_ERROR)?;
                enc.u32(stat as u32)
            }
        }
    }
}

impl<'a> Decode<'a> for ReplyHeader<'a> {
    fn decode(dec: &mut Decoder<'a>) -> XdrResult<Self> {
        let xid = dec.u32()?;
        if dec.u32()? != MSG_REPLY {
            return Err(XdrError::BadValue);
        }
        match dec.u32()? {
            MSG_ACCEPTED => {
                let verf = OpaqueAuth::decode(dec)?;
                let stat = match dec.u32()? {
                    SUCCESS => ReplyStat::Success,
                    PROG_UNAVAIL => ReplyStat::ProgUnavail,
                    PROG_MISMATCH => ReplyStat::ProgMismatch {
                        low: dec.u32()?,
                        high: dec.u32()?,
                    },
                    PROC_UNAVAIL => ReplyStat::ProcUnavail,
                    GARBAGE_ARGS => ReplyStat::GarbageArgs,
                    SYSTEM_ERR => ReplyStat::SystemErr,
                    _ => return Err(XdrError::BadValue),
                };
                Ok(Self { xid, verf, stat })
            }
            MSG_DENIED => {
                let stat = match dec.u32()? {
                    RPC_MISMATCH => ReplyStat::RpcMismatch {
                        low: dec.u32()?,
                        high: dec.u32()?,
                    },
                    AUTH_ERROR => ReplyStat::AuthError(
                        AuthStat::from_u32(dec.u32()?).ok_or(XdrError::BadValue)?,
                    ),
                    _ => return Err(XdrError::BadValue),
                };
                Ok(Self {
                    xid,
                    verf: OpaqueAuth::NONE,
                    stat,
                })
            }
            _ => Err(XdrError::BadValue),
        }
    }
}

/// Why a procedure's arguments could not be decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgsError {
    /// The procedure number is not part of the program: PROC_UNAVAIL.
    ProcUnavail,
    /// The arguments are malformed: GARBAGE_ARGS.
    Garbage(XdrError),
}

impl From<XdrError> for ArgsError {
    fn from(e: XdrError) -> Self {
        Self::Garbage(e)
    }
}

impl ArgsError {
    /// The reply status this error calls for.
    pub fn reply_stat(&self) -> ReplyStat {
        match self {
            Self::ProcUnavail => ReplyStat::ProcUnavail,
            Self::Garbage(_) => ReplyStat::GarbageArgs,
        }
    }
}
