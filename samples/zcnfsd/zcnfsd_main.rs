// SPDX-License-Identifier: GPL-2.0

//! zcnfsd: an in-kernel NFSv3 server (ONC RPC over TCP, MOUNT v3, the
//! NFSv3 procedures the Linux client needs), the zero-copy *consumer* of
//! zcvfs: READ sends loaned page-cache pages to the socket by reference,
//! WRITE receives the payload into loaned pages. See
//! `Documentation/zcnfsd.rst`.
//!
//! Layout:
//! - [`proto`]: the wire codec (no_std, host-tested);
//! - [`net`]: kernel sockets and the zero-copy send completion (and, for
//!   the static inlines and macros of the networking headers, the
//!   wrappers of `zcnfsd_net.c`);
//! - [`vfs`]: the VFS and kernel thread abstractions, one file each,
//!   calling the kernel (and, for what Rust cannot reach, the C of
//!   `zcnfsd_vfs.c`);
//! - [`ctx`]: the server context;
//! - [`server`]: the listener and connection threads;
//! - [`connection`], [`record`]: the transport (record marking, reading a
//!   call, sending the reply), which knows no program;
//! - [`svc`]: the RPC service layer (call header, routing, source port and
//!   credentials, reply header);
//! - [`nfs3proc`]: the NFSv3 procedure table; [`mount_service`],
//!   [`nfs_service`], [`nfs_readdir`], [`read_path`], [`write_path`]: the
//!   procedures; [`nfsfh`]: file handle to object;
//! - [`export`], [`file_handle`], [`attrs`], [`auth`], [`stats`], [`log`].
//!
//! Only [`vfs`] and the abstraction files of [`net`] contain `unsafe`
//! code; every other module denies it (`#![deny(unsafe_code)]`).

use kernel::debugfs;
use kernel::prelude::*;
use kernel::sync::Arc;
use kernel::time::{ClockSource, RealTime};

#[path = "proto/mod.rs"]
pub mod proto;

// The shared API, compiled into each module; `--cfg zcvfs_role_consumer`
// (set by the Kbuild) selects the parts a consumer uses.
#[path = "../../rust/api/mod.rs"]
mod zcvfs_api;

mod attrs;
mod auth;
mod connection;
mod ctx;
mod export;
mod file_cache;
mod file_handle;
mod log;
mod mount_service;
pub mod net;
mod nfs3proc;
mod nfs_readdir;
mod nfs_service;
mod nfsfh;
mod read_path;
mod record;
mod server;
mod stats;
mod svc;
mod vfs;
mod write_path;

/// Largest READ or WRITE (FSINFO's rtmax and wtmax).
pub(crate) const MAX_IO: usize = 1024 * 1024;

module! {
    type: ZcnfsdModule,
    name: "zcnfsd",
    authors: ["zcvfs developers"],
    description: "In-kernel NFSv3 server sample, zero-copy consumer of zcvfs",
    license: "GPL",
    params: {
        port: u32 {
            default: 2049,
            description: "TCP port of the NFS program (100003 v3)",
        },
        mountport: u32 {
            default: 20048,
            description: "TCP port of the MOUNT program (100005 v3)",
        },
        threads: u32 {
            default: 16,
            description: "connection limit: connections served at once, one kernel thread each (1-256); a new connection beyond it evicts the least recently active one",
        },
        idle_timeout: u32 {
            default: 360,
            description: "seconds a connection may wait for its next call before it is closed (1-86400)",
        },
        record_timeout: u32 {
            default: 30,
            description: "seconds a call may take to arrive from its first byte, and a reply send may make no progress, before the connection is closed (1-3600)",
        },
        root_squash: bool {
            default: true,
            description: "map uid 0 and gid 0 of AUTH_SYS callers to anonuid/anongid",
        },
        all_squash: bool {
            default: false,
            description: "map every caller to anonuid/anongid",
        },
        anonuid: u32 {
            default: 65534,
            description: "uid of squashed and AUTH_NONE callers",
        },
        anongid: u32 {
            default: 65534,
            description: "gid of squashed and AUTH_NONE callers",
        },
        secure: bool {
            default: true,
            description: "refuse calls from source ports of 1024 and above (NFS3ERR_PERM, MNT3ERR_ACCES)",
        },
        zerocopy: bool {
            default: true,
            description: "try zero-copy READ and WRITE (0: always the copy path)",
        },
        zc_send: u32 {
            default: 0,
            description: "READ pages by reference: 0 by route (local peer: MSG_SPLICE_PAGES, else MSG_ZEROCOPY), 1 always splice, 2 always MSG_ZEROCOPY",
        },
    },
}

/// A timeout parameter in seconds, as milliseconds.
fn timeout_param(name: &str, v: u32, max: u32) -> Result<u32> {
    if !(1..=max).contains(&v) {
        pr_err!("{}={} is not in 1..{}\n", name, v, max);
        return Err(EINVAL);
    }
    Ok(v * 1000)
}

/// An id parameter: any but (u32)-1, which maps to no id.
fn id_param(name: &str, v: u32) -> Result<u32> {
    if v == u32::MAX {
        pr_err!("{}={} is not an id\n", name, v);
        return Err(EINVAL);
    }
    Ok(v)
}

/// The loaded module.
struct ZcnfsdModule {
    server: Option<server::Server>,
    /// Kept until the zero-copy sends are done, so that the export goes
    /// last.
    ctx: Option<Arc<ctx::ServerCtx>>,
    _stats: Pin<KBox<debugfs::File<stats::StatsView>>>,
    _dir: debugfs::Dir,
}

/// A TCP port parameter.
fn port_param(name: &str, v: u32) -> Result<u16> {
    match u16::try_from(v) {
        Ok(p) if p != 0 => Ok(p),
        _ => {
            pr_err!("{}={} is not a TCP port\n", name, v);
            Err(EINVAL)
        }
    }
}

impl kernel::Module for ZcnfsdModule {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        net::init()?;
        let port = port_param("port", module_parameters::port.value())?;
        let mountport = port_param("mountport", module_parameters::mountport.value())?;
        if port == mountport {
            pr_err!("port and mountport must differ\n");
            return Err(EINVAL);
        }
        let threads = module_parameters::threads.value();
        if !(1..=256).contains(&threads) {
            pr_err!("threads={} is not in 1..256\n", threads);
            return Err(EINVAL);
        }
        let zerocopy = module_parameters::zerocopy.value();
        let zc_send = module_parameters::zc_send.value();
        net::set_send_mode_param(zc_send).inspect_err(|_| {
            pr_err!("zc_send={} is not 0, 1 or 2\n", zc_send);
        })?;
        let idle_timeout_ms = timeout_param(
            "idle_timeout",
            module_parameters::idle_timeout.value(),
            86400,
        )?;
        let record_timeout_ms = timeout_param(
            "record_timeout",
            module_parameters::record_timeout.value(),
            3600,
        )?;
        let policy = auth::Policy {
            root_squash: module_parameters::root_squash.value(),
            all_squash: module_parameters::all_squash.value(),
            anonuid: id_param("anonuid", module_parameters::anonuid.value())?,
            anongid: id_param("anongid", module_parameters::anongid.value())?,
            secure: module_parameters::secure.value(),
        };
        let export = export::Export::open()?;
        let ctx = Arc::new(
            ctx::ServerCtx {
                export,
                files: file_cache::FileCache::new()?,
                zerocopy,
                verifier: RealTime::ktime_get().to_be_bytes(),
                policy,
                idle_timeout_ms,
                record_timeout_ms,
            },
            GFP_KERNEL,
        )?;
        let dir = debugfs::Dir::new(c"zcnfsd");
        let file = KBox::pin_init(dir.read_only_file(c"stats", stats::StatsView), GFP_KERNEL)?;
        let server = server::Server::start(ctx.clone(), port, mountport, threads as usize)
            .inspect_err(|e| {
                pr_err!(
                    "starting on ports {}/{} failed ({:?})\n",
                    port,
                    mountport,
                    e
                )
            })?;
        pr_info!(
            "serving on port {} (mount {}), {} threads, zerocopy={} zc_send={}, \
             root_squash={} all_squash={} anonuid={} anongid={} secure={}\n",
            port,
            mountport,
            threads,
            zerocopy,
            zc_send,
            policy.root_squash,
            policy.all_squash,
            policy.anonuid,
            policy.anongid,
            policy.secure
        );
        Ok(ZcnfsdModule {
            server: Some(server),
            ctx: Some(ctx),
            _stats: file,
            _dir: dir,
        })
    }
}

impl Drop for ZcnfsdModule {
    fn drop(&mut self) {
        // Threads stopped, every socket closed.
        drop(self.server.take());
        // Loans still travel with zero-copy sends: wait for them.
        net::wait_zc_idle();
        // Then the cached files (closed now, so that nothing of the
        // export stays open once this returns) and the export.
        if let Some(ctx) = self.ctx.take() {
            ctx.files.clear();
            drop(ctx);
        }
        pr_info!("stopped\n");
    }
}
