// SPDX-License-Identifier: GPL-2.0

//! Who a request runs as, and whether it is served at all: the export
//! options of NFSD (`exports(5)`) as module parameters, applied as
//! `nfsd_setuser()` and `nfsd_setuser_and_check_port()` apply them.
//!
//! - AUTH_SYS: the caller's uid, gid and supplementary groups; with
//!   `root_squash` (the default) uid 0 becomes `anonuid`, gid 0 (primary
//!   or supplementary) `anongid`; with `all_squash` every caller is
//!   `anonuid`/`anongid` without supplementary groups. An id that has no
//!   mapping (`0xffffffff`) is anonymous too.
//! - AUTH_NONE: `anonuid`/`anongid`, no supplementary groups.
//! - The request runs with those ids as fsuid/fsgid and groups, and with
//!   the file-system capabilities only for uid 0
//!   ([`crate::vfs::cred::CredGuard`]): every permission check is the VFS's.
//! - `secure` (the default): a request from a source port of 1024 or more
//!   is refused as NFSD refuses it (NFS3ERR_PERM for every NFS procedure
//!   but NULL) and as mountd refuses MNT (MNT3ERR_ACCES).

#![deny(unsafe_code)]

use crate::proto::rpc::Credential;
use crate::vfs::cred::{Ids, MAX_GROUPS};

/// The export options.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Policy {
    /// Map uid 0 and gid 0 to the anonymous ids.
    pub(crate) root_squash: bool,
    /// Map every caller to the anonymous ids.
    pub(crate) all_squash: bool,
    /// The anonymous uid.
    pub(crate) anonuid: u32,
    /// The anonymous gid.
    pub(crate) anongid: u32,
    /// Refuse requests from source ports of 1024 and above.
    pub(crate) secure: bool,
}

/// The id no mapping has (`(u32)-1`): anonymous, as NFSD maps
/// `INVALID_UID`.
const NO_ID: u32 = u32::MAX;

/// The highest privileged ("reserved") port.
const LAST_RESERVED_PORT: u16 = 1023;

impl Policy {
    /// The ids a call with credential `cred` runs with.
    pub(crate) fn ids(&self, cred: &Credential<'_>) -> Ids {
        let mut ids = Ids {
            uid: self.anonuid,
            gid: self.anongid,
            ..Ids::default()
        };
        let Credential::Sys(sys) = cred else {
            // AUTH_NONE (the only other flavor routed to a procedure).
            return ids;
        };
        if self.all_squash {
            return ids;
        }
        let squash_gid = |g: u32| {
            if g == NO_ID || (self.root_squash && g == 0) {
                self.anongid
            } else {
                g
            }
        };
        ids.uid = if sys.uid == NO_ID || (self.root_squash && sys.uid == 0) {
            self.anonuid
        } else {
            sys.uid
        };
        ids.gid = squash_gid(sys.gid);
        let mut n = 0;
        for (slot, g) in ids.groups.iter_mut().zip(sys.gids.iter().take(MAX_GROUPS)) {
            *slot = squash_gid(g);
            n += 1;
        }
        ids.ngroups = n;
        ids
    }

    /// Whether a connection from source port `port` may be served.
    pub(crate) fn port_ok(&self, port: Option<u16>) -> bool {
        !self.secure || port.is_some_and(|p| p <= LAST_RESERVED_PORT)
    }
}
