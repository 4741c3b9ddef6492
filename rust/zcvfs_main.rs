// SPDX-License-Identifier: GPL-2.0

//! zcvfs: copy-reduction (zero-copy) interfaces for Linux.
//!
//! The extension layer between a filesystem that loans its page-cache pages
//! (the provider) and an in-kernel server that consumes them (the consumer).
//! See `Documentation/zcvfs.rst`.
//!
//! Layout, one file per abstraction:
//! - `api/`: the shared Rust API (also compiled into providers/consumers);
//! - [`validate`], [`registry`], [`loans`], [`fem`], [`stats`]: the logic,
//!   safe Rust with KUnit tests (`#![deny(unsafe_code)]`);
//! - [`dispatch`]: the entry points' behaviour, safe Rust
//!   (`#![deny(unsafe_code)]`);
//! - [`globals`]: the global tables, each next to the type it holds;
//! - the abstractions over C, each with its `unsafe` code: [`vfs`] (VFS
//!   calls on a file), [`module_ref`] (module references), [`rcu_box`]
//!   (a value published under RCU), [`module_static`] (a pinned value
//!   from module load to unload), [`xuio_alloc`] (the consumers' xuios,
//!   a spare per CPU),
//!   [`provider_ops`] and [`monitor_ops`] (the C ops tables zcvfs calls),
//!   [`helpers`] (the declarations of `helpers/zcvfs_helpers.c`) and
//!   [`ffi_exports`] (the exported C ABI; `zcvfs_exports.c` exports it).

use kernel::prelude::*;

// The shared API, compiled into each module; `--cfg zcvfs_role_core` (set
// by rust/Kbuild) selects the parts zcvfs.ko uses, so none is dead here.
#[path = "api/mod.rs"]
mod zcvfs_api;

mod box_cache_tests;
mod dispatch;
mod fem;
mod ffi_exports;
mod globals;
mod helpers;
mod inline_vec_tests;
mod loans;
mod module_ref;
mod module_static;
mod monitor_ops;
mod provider_ops;
mod rcu_box;
mod registry;
mod stats;
mod validate;
mod vfs;
mod xuio_alloc;
mod xuio_tests;

module! {
    type: Zcvfs,
    name: "zcvfs",
    authors: ["zcvfs developers"],
    description: "Copy-reduction (zero-copy) VFS extension layer",
    license: "GPL",
}

/// The loaded module.
struct Zcvfs;

impl kernel::Module for Zcvfs {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        globals::init()?;
        globals::STATS.lock().init();
        pr_info!(
            "zero-copy extension layer loaded (kernel {}, page size {})\n",
            helpers::kernel_release(),
            kernel::page::PAGE_SIZE
        );
        Ok(Zcvfs)
    }
}

impl Drop for Zcvfs {
    fn drop(&mut self) {
        dispatch::shutdown();
        pr_info!("zero-copy extension layer unloaded\n");
    }
}
