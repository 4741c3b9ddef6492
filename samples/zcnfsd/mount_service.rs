// SPDX-License-Identifier: GPL-2.0

//! MOUNT v3 (RFC 1813 appendix I): MNT answers the export's root handle
//! for the export's own path, EXPORT lists the one export; this server
//! keeps no list of mounts (DUMP is empty, UMNT and UMNTALL do nothing).

#![deny(unsafe_code)]

use crate::ctx::ServerCtx;
use crate::proto::mount3::{ExportsEncoder, MntRes, MountArgs, MountStat3};
use crate::proto::nfs3::Fh3;
use crate::proto::rpc::{AUTH_NONE, AUTH_SYS};
use crate::proto::xdr::{Encode, Encoder, U32List, XdrResult};

/// Flavors MNT offers, preferred first.
const FLAVORS: [u32; 2] = [AUTH_SYS, AUTH_NONE];

/// Serves one MOUNT call.
pub(crate) fn call(ctx: &ServerCtx, args: MountArgs<'_>, enc: &mut Encoder<'_>) -> XdrResult<()> {
    match args {
        MountArgs::Null | MountArgs::Umnt { .. } | MountArgs::Umntall => Ok(()),
        MountArgs::Mnt { dirpath } => {
            if !ctx.export.matches(dirpath) {
                return MntRes::Err(MountStat3::Acces).encode(enc);
            }
            MntRes::Ok {
                fhandle: Fh3::new(ctx.export.root_fh().as_bytes())?,
                auth_flavors: U32List::from_slice(&FLAVORS),
            }
            .encode(enc)
        }
        // An empty mount list.
        MountArgs::Dump => enc.bool(false),
        MountArgs::Export => {
            let mut list = ExportsEncoder::new(enc);
            list.push(ctx.export.name(), &[])?;
            list.finish()
        }
    }
}
