// SPDX-License-Identifier: GPL-2.0

//! From a decoded request to its results: the program's service, and the
//! RPC outcomes counted in the statistics.

#![deny(unsafe_code)]

use crate::ctx::ServerCtx;
use crate::proto::nfs3::Nfs3Args;
use crate::proto::request::ProgramArgs;
use crate::proto::rpc::ReplyStat;
use crate::proto::xdr::{Encoder, XdrResult};
use crate::stats::{self, LoanHeld, STATS};
use crate::zcvfs_api::consumer::ReadData;
use crate::{mount_service, nfs_service, read_path, write_path};

/// What follows the encoded results in the reply (READ data).
pub(crate) enum Tail {
    /// Nothing.
    None,
    /// The first `n` bytes of the connection's data buffer.
    Copied(usize),
    /// Loaned page-cache pages, sent by reference; the loan is returned
    /// when the network is done with them.
    Loaned(ReadData, LoanHeld),
}

impl Tail {
    /// Bytes of data.
    pub(crate) fn len(&self) -> usize {
        match self {
            Tail::None => 0,
            Tail::Copied(n) => *n,
            Tail::Loaned(d, _) => d.len(),
        }
    }
}

/// Serves a decoded call, writing its results into `enc` (after the reply
/// header); `data` is the connection's data buffer (READ's copy path,
/// READDIR's scratch space).
pub(crate) fn dispatch(
    ctx: &ServerCtx,
    args: ProgramArgs<'_>,
    enc: &mut Encoder<'_>,
    data: &mut [u8],
) -> XdrResult<Tail> {
    match args {
        ProgramArgs::Mount(a) => mount_service::call(ctx, a, enc).map(|()| Tail::None),
        ProgramArgs::Nfs(Nfs3Args::Read(a)) => read_path::read(ctx, &a, enc, data),
        ProgramArgs::Nfs(Nfs3Args::Write(a)) => {
            write_path::write_buffered(ctx, &a, enc).map(|()| Tail::None)
        }
        ProgramArgs::Nfs(a) => nfs_service::call(ctx, a, enc, data).map(|()| Tail::None),
    }
}

/// Counts a reply that carries no results.
pub(crate) fn count_failure(stat: &ReplyStat) {
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
