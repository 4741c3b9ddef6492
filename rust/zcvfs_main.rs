// SPDX-License-Identifier: GPL-2.0

//! zcvfs: copy-reduction (zero-copy) interfaces for Linux.
//!
//! The extension layer between a filesystem that loans its page-cache pages
//! (the provider) and an in-kernel server that consumes them (the consumer).
//! See `Documentation/zcvfs.rst`.

use kernel::prelude::*;

mod helpers;

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
        pr_info!("zero-copy extension layer unloaded\n");
    }
}
