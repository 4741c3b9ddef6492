// SPDX-License-Identifier: GPL-2.0

//! zcfs: a page-cache-backed filesystem (like ramfs) that is a zero-copy
//! provider for zcvfs: it loans its page-cache folios to readers, takes
//! donated pages from writers, keeps loans stable by copy-on-write, and
//! orders all I/O with byte-range locks. See `Documentation/zcfs.rst`.
//!
//! Layout, one file per abstraction:
//! - `zcfs_vfs.c`: only what Rust cannot reach: the tables of file handles
//!   and of the `fs_context` (opaque in the Rust bindings) and the
//!   filesystem type, the mount-option parameter table and its parsing
//!   (`fs_parse()`, on types the bindings lack), accessors of
//!   `struct fs_context`, constants of macros, and one-line wrappers of
//!   static inline functions and macros;
//! - [`folio`], [`inode`], [`inode_ops`], [`kiocb`], [`super_block`],
//!   [`mount`], [`export`], [`tables`], [`vfs_ops`]: the abstractions,
//!   each with its C declarations, its `Send`/`Sync` and its constructors,
//!   the operation tables ([`tables`]) and the `extern "C"` callbacks: the
//!   data path ([`vfs_ops`]), an inode's life and `mmap_prepare`
//!   ([`inode_ops`]), the mount ([`mount`]), file handles ([`export`])
//!   (the only files with `unsafe`; zcvfs is used through the shared API,
//!   `rust/api/`), and [`loan_buffers`], the provider's promise about its
//!   loans' segments (an unsafe trait implementation);
//! - [`provider`], [`rw`], [`cache`], [`space`], [`inode_state`],
//!   [`range_lock`], [`options`], [`stats`]: the logic, safe Rust
//!   (`#![deny(unsafe_code)]`).

use kernel::debugfs;
use kernel::prelude::*;

// The shared API, compiled into each module; `--cfg zcvfs_role_provider`
// (set by the Kbuild) selects the parts a provider uses.
#[path = "../../rust/api/mod.rs"]
mod zcvfs_api;

mod cache;
mod export;
mod folio;
mod inode;
mod inode_ops;
mod inode_state;
mod kiocb;
mod loan_buffers;
mod mount;
pub mod options;
mod provider;
mod range_lock;
mod rw;
mod space;
mod stats;
mod super_block;
mod tables;
mod vfs_ops;

use zcvfs_api::provider::Registration;

module! {
    type: ZcfsModule,
    name: "zcfs",
    authors: ["zcvfs developers"],
    description: "Page-cache filesystem, zero-copy provider for zcvfs",
    license: "GPL",
}

/// The loaded module: the filesystem and provider registrations and the
/// statistics file.
struct ZcfsModule {
    /// zcfs's loan operations, registered with zcvfs for the `zcfs` type
    /// before the filesystem, unregistered after it (field drop order,
    /// after [`ZcfsModule::drop`]).
    _provider: Registration<provider::Zcfs>,
    _stats: Pin<KBox<debugfs::File<stats::StatsView>>>,
    _dir: debugfs::Dir,
}

impl kernel::Module for ZcfsModule {
    fn init(module: &'static ThisModule) -> Result<Self> {
        let dir = debugfs::Dir::new(c"zcfs");
        let file = KBox::pin_init(dir.read_only_file(c"stats", stats::StatsView), GFP_KERNEL)?;
        let provider = Registration::register(super_block::fs_type(), module)?;
        // On failure, dropping `provider` unregisters it.
        super_block::register_fs()?;
        pr_info!("zcfs registered\n");
        Ok(ZcfsModule {
            _provider: provider,
            _stats: file,
            _dir: dir,
        })
    }
}

impl Drop for ZcfsModule {
    fn drop(&mut self) {
        super_block::unregister_fs();
        // No loan is out (each holds a reference on this module): the
        // spare loan boxes can go.
        provider::LOAN_BOXES.drain();
        pr_info!("zcfs unregistered\n");
    }
}
