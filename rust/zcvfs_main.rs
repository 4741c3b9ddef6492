// SPDX-License-Identifier: GPL-2.0

//! zcvfs: copy-reduction (zero-copy) interfaces for Linux.
//!
//! The extension layer between a filesystem that loans its page-cache pages
//! (the provider) and an in-kernel server that consumes them (the consumer).
//! See `Documentation/zcvfs.rst`.
//!
//! Layout:
//! - `api/`: the shared Rust API (also compiled into providers/consumers);
//! - [`validate`], [`registry`], [`loans`], [`fem`], [`stats`]: the logic,
//!   safe Rust with KUnit tests;
//! - [`dispatch`]: the entry points' behaviour, safe Rust;
//! - [`ffi_exports`], [`kernel_ffi`], [`globals`], [`helpers`]: the thin
//!   layer with all the `unsafe` code; `zcvfs_exports.c` exports the C ABI.

use kernel::prelude::*;

// Public so that the parts of the shared API this module does not use
// itself are neither dead code nor unreachable.
#[path = "api/mod.rs"]
pub mod zcvfs_api;

mod dispatch;
mod fem;
pub mod ffi_exports;
mod globals;
mod helpers;
mod inline_vec_tests;
mod kernel_ffi;
mod loans;
mod registry;
mod stats;
mod validate;
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
        globals::init();
        globals::STATS.lock().init();
        pr_info!(
            "zero-copy extension layer loaded (kernel {}, page size {})\n",
            helpers::kernel_release(),
            helpers::page_size()
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
