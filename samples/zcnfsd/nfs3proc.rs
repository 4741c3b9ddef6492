// SPDX-License-Identifier: GPL-2.0

//! The NFSv3 procedure table, as NFSD's `nfsd_procedures3` in
//! `fs/nfsd/nfs3proc.c`: per procedure its name, its handler (which takes
//! the arguments the codec decoded and encodes the results after the RPC
//! reply header), whether callers from insecure source ports may call it,
//! and, for WRITE, the hooks that let its payload be received from the
//! socket straight into loaned pages ([`Streamed`]): the transport reads
//! only the arguments' head, and the procedure takes the payload from the
//! rest of the record. Arguments are decoded by the codec
//! ([`crate::proto::nfs3::Nfs3Args::decode`]) by procedure number.

#![deny(unsafe_code)]

use crate::ctx::ServerCtx;
use crate::nfs_service::{self as svc3, Outcome};
use crate::proto::nfs3::{Nfs3Args, Nfs3Proc, Nfsstat3};
use crate::proto::xdr::{Decoder, Encoder, XdrError, XdrResult};
use crate::record::{CallPrefix, RecordRest, Tail};
use crate::{nfs_readdir, read_path, write_path};
use kernel::prelude::*;

/// Reads a procedure's arguments up to its payload (the RPC call header
/// and credentials have been read); `Ok(false)` if the record ends first
/// or a length is out of range (the call is then decoded as is).
pub(crate) type HeadReader = fn(&mut CallPrefix<'_>) -> Result<bool>;

/// Serves a call whose payload is still in the record: decodes the head
/// at the decoder, receives the payload from the record, encodes the
/// results; the last argument is the connection's data buffer. `Err`: the
/// connection broke.
pub(crate) type StreamedFn = fn(
    &ServerCtx,
    &mut Decoder<'_>,
    &mut RecordRest<'_>,
    &mut Encoder<'_>,
    &mut [u8],
) -> Result<XdrResult<()>>;

/// The hooks of a procedure whose payload is received from the socket.
#[derive(Clone, Copy)]
pub(crate) struct Streamed {
    /// Reads the arguments up to the payload into the call buffer.
    pub(crate) read_head: HeadReader,
    /// Whether the arguments decode from the head (at the decoder) and the
    /// payload fits the `usize` bytes left of the record (else the call
    /// is GARBAGE_ARGS).
    pub(crate) check: fn(Decoder<'_>, usize) -> bool,
    /// Serves the call.
    pub(crate) func: StreamedFn,
}

/// One NFSv3 procedure.
pub(crate) struct Procedure {
    /// Which.
    pub(crate) proc: Nfs3Proc,
    /// Its name, for log lines.
    pub(crate) name: &'static str,
    /// Serves decoded arguments; the last argument is the connection's
    /// data buffer (READ's copy path, READDIR's scratch space).
    pub(crate) func: fn(&ServerCtx, Nfs3Args<'_>, &mut Encoder<'_>, &mut [u8]) -> XdrResult<Tail>,
    /// Served to callers from source ports the `secure` option refuses.
    pub(crate) insecure_ok: bool,
    /// Payload received from the socket (WRITE).
    pub(crate) streamed: Option<Streamed>,
}

/// The results of a procedure of [`crate::nfs_service`]: a failure before
/// any attribute was known is the resfail arm without attributes.
fn outcome(p: Nfs3Proc, r: Outcome, enc: &mut Encoder<'_>) -> XdrResult<Tail> {
    match r {
        Ok(r) => r,
        Err(st) => p.encode_error(st, enc),
    }
    .map(|()| Tail::None)
}

/// Arguments of another procedure than the table entry's (cannot happen:
/// [`dispatch`] picks the entry by the arguments).
fn mismatch() -> XdrResult<Tail> {
    Err(XdrError::BadValue)
}

/// A table entry whose handler takes the arguments of variant `$p`.
macro_rules! proc3 {
    ($p:ident, $name:literal, |$ctx:ident, $a:pat_param, $enc:ident, $data:pat_param| $body:expr) => {
        Procedure {
            proc: Nfs3Proc::$p,
            name: $name,
            func: |$ctx, args, $enc, $data| match args {
                Nfs3Args::$p($a) => $body,
                _ => mismatch(),
            },
            insecure_ok: false,
            streamed: None,
        }
    };
}

/// A table entry whose handler (of [`crate::nfs_service`] or
/// [`crate::nfs_readdir`]) returns an [`Outcome`].
macro_rules! outcome3 {
    ($p:ident, $name:literal, |$ctx:ident, $a:pat_param, $enc:ident, $data:pat_param| $body:expr) => {
        proc3!($p, $name, |$ctx, $a, $enc, $data| outcome(
            Nfs3Proc::$p,
            $body,
            $enc
        ))
    };
}

/// A procedure zcnfsd does not serve: NFS3ERR_NOTSUPP.
macro_rules! notsupp {
    ($p:ident, $name:literal) => {
        Procedure {
            proc: Nfs3Proc::$p,
            name: $name,
            func: |_, args, enc, _| outcome(args.procedure(), Err(Nfsstat3::Notsupp), enc),
            insecure_ok: false,
            streamed: None,
        }
    };
}

/// The procedures, indexed by number.
const TABLE: [Procedure; 22] = [
    Procedure {
        proc: Nfs3Proc::Null,
        name: "NULL",
        func: |_, _, _, _| Ok(Tail::None),
        insecure_ok: true,
        streamed: None,
    },
    outcome3!(Getattr, "GETATTR", |ctx, fh, enc, _| svc3::getattr(
        ctx, fh, enc
    )),
    outcome3!(Setattr, "SETATTR", |ctx, a, enc, _| svc3::setattr(
        ctx, &a, enc
    )),
    outcome3!(Lookup, "LOOKUP", |ctx, a, enc, _| svc3::lookup(
        ctx, &a, enc
    )),
    outcome3!(Access, "ACCESS", |ctx, a, enc, _| svc3::access(
        ctx, &a, enc
    )),
    notsupp!(Readlink, "READLINK"),
    proc3!(Read, "READ", |ctx, a, enc, data| read_path::read(
        ctx, &a, enc, data
    )),
    Procedure {
        proc: Nfs3Proc::Write,
        name: "WRITE",
        func: |ctx, args, enc, _| match args {
            Nfs3Args::Write(a) => write_path::write_buffered(ctx, &a, enc).map(|()| Tail::None),
            _ => mismatch(),
        },
        insecure_ok: false,
        streamed: Some(Streamed {
            read_head: write_path::read_head,
            check: write_path::check_head,
            func: write_path::write_streamed,
        }),
    },
    outcome3!(Create, "CREATE", |ctx, a, enc, _| svc3::create(
        ctx, &a, enc
    )),
    outcome3!(Mkdir, "MKDIR", |ctx, a, enc, _| svc3::mkdir(ctx, &a, enc)),
    notsupp!(Symlink, "SYMLINK"),
    notsupp!(Mknod, "MKNOD"),
    outcome3!(Remove, "REMOVE", |ctx, a, enc, _| svc3::remove(
        ctx, &a, false, enc
    )),
    outcome3!(Rmdir, "RMDIR", |ctx, a, enc, _| svc3::remove(
        ctx, &a, true, enc
    )),
    outcome3!(Rename, "RENAME", |ctx, a, enc, _| svc3::rename(
        ctx, &a, enc
    )),
    notsupp!(Link, "LINK"),
    outcome3!(Readdir, "READDIR", |ctx, a, enc, _| nfs_readdir::readdir(
        ctx, &a, enc
    )),
    outcome3!(Readdirplus, "READDIRPLUS", |ctx, a, enc, data| {
        nfs_readdir::readdirplus(ctx, &a, enc, data)
    }),
    outcome3!(Fsstat, "FSSTAT", |ctx, fh, enc, _| svc3::fsstat(
        ctx, fh, enc
    )),
    outcome3!(Fsinfo, "FSINFO", |ctx, fh, enc, _| svc3::fsinfo(
        ctx, fh, enc
    )),
    outcome3!(Pathconf, "PATHCONF", |ctx, fh, enc, _| svc3::pathconf(
        ctx, fh, enc
    )),
    outcome3!(Commit, "COMMIT", |ctx, a, enc, _| svc3::commit(
        ctx, &a, enc
    )),
];

// Each entry sits at its procedure's number.
const _: () = {
    let mut i = 0;
    while i < TABLE.len() {
        assert!(TABLE[i].proc as usize == i);
        i += 1;
    }
};

/// The procedures, indexed by number.
static PROCEDURES: [Procedure; 22] = TABLE;

/// The table entry of `p`.
pub(crate) fn procedure(p: Nfs3Proc) -> &'static Procedure {
    // Every procedure number has its entry (checked at compile time); the
    // fallback is never taken.
    PROCEDURES
        .get(p as usize)
        .unwrap_or(&PROCEDURES[Nfs3Proc::Null as usize])
}

/// Serves decoded NFSv3 arguments by the table.
pub(crate) fn dispatch(
    ctx: &ServerCtx,
    args: Nfs3Args<'_>,
    enc: &mut Encoder<'_>,
    data: &mut [u8],
) -> XdrResult<Tail> {
    (procedure(args.procedure()).func)(ctx, args, enc, data)
}
