// SPDX-License-Identifier: GPL-2.0

//! The `zcfs` filesystem type and its super blocks: registration with the
//! VFS (the type itself is a static of `zcfs_vfs.c`, with its parameter
//! table), a mount's `s_fs_info` ([`SbInfo`]: its options and
//! [`Space`]), and a mounted zcfs super_block ([`ZcfsSb`]). The mount's
//! callbacks are [`crate::mount`]'s.

use crate::options::RawOpts;
use crate::space::Space;
use crate::zcvfs_api::error::to_result;
use crate::zcvfs_api::fop::FsType;
use kernel::bindings;
use kernel::ffi::c_void;
use kernel::prelude::*;
use kernel::types::{ForeignOwnable, Opaque};

// Pointers to opaque kernel structures: some bindgen types contain
// zero-length arrays, which the lint flags although only pointers cross.
#[allow(improper_ctypes)]
extern "C" {
    static mut zcfs_fs_type: bindings::file_system_type;
    fn zcfs_totalram_pages() -> usize;
}

/// A zcfs mount's `s_fs_info`: made by
/// `init_fs_context`, filled by the parsing of the options
/// ([`crate::options::apply`]), handed to the super_block by `get_tree`,
/// freed by `kill_sb` ([`crate::mount`]).
///
/// # Invariants
///
/// `space` is null until `get_tree`, then the mount's `KBox<Space>` in
/// its foreign form, owned by this value and freed with it.
pub(crate) struct SbInfo {
    /// The options.
    pub(crate) opts: RawOpts,
    /// The mount's [`Space`] (a `KBox<Space>`'s foreign form), made by
    /// `get_tree`.
    pub(crate) space: *mut c_void,
    /// Parsing: `size=` in pages (0: no limit).
    pub(crate) max_blocks: usize,
    /// Parsing: `size=` (or `nr_blocks=`) was given.
    pub(crate) size_given: bool,
    /// Parsing: `max_loan_pages=` was given.
    pub(crate) max_loan_pages_given: bool,
}

/// A mounted zcfs super_block.
///
/// # Invariants
///
/// A `&ZcfsSb` is a live zcfs super_block, set up by `get_tree` (its
/// `s_fs_info` holds its options and its [`Space`]), for at least the
/// lifetime of the borrow.
#[repr(transparent)]
pub(crate) struct ZcfsSb(Opaque<bindings::super_block>);

impl ZcfsSb {
    /// The super_block at `ptr`.
    ///
    /// # Safety
    ///
    /// `ptr` is a live zcfs super_block that `get_tree` set up, for `'a`
    /// (a callback of a mounted zcfs: `statfs`, `show_options`).
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::super_block) -> &'a ZcfsSb {
        // SAFETY: see the function's safety section; `ZcfsSb` is
        // `repr(transparent)` over `struct super_block`.
        unsafe { &*ptr.cast::<ZcfsSb>() }
    }

    fn info(&self) -> &SbInfo {
        // SAFETY: a set-up zcfs super_block (invariant): its `s_fs_info`
        // is its `SbInfo`, set before the super_block is visible and freed
        // after it is killed; only the parsing of a new mount writes one.
        unsafe { &*(*self.0.get()).s_fs_info.cast::<SbInfo>() }
    }

    /// The mount's options.
    pub(crate) fn opts(&self) -> RawOpts {
        self.info().opts
    }

    /// The mount's space and loan budget.
    pub(crate) fn space(&self) -> &Space {
        // SAFETY: a set-up zcfs super_block (invariant): `get_tree` made
        // its space, freed only after the super_block is killed.
        unsafe { space(self.info().space) }
    }
}

/// The pages of RAM (`totalram_pages`).
pub(crate) fn ram_pages() -> u64 {
    // SAFETY: reads a counter.
    unsafe { zcfs_totalram_pages() as u64 }
}

/// The `zcfs` filesystem type, for its provider registration.
pub(crate) fn fs_type() -> FsType {
    // SAFETY: `zcfs_fs_type` is a static of this module; the module keeps
    // its registration only until it is unloaded.
    unsafe { FsType::from_raw(&raw mut zcfs_fs_type) }
}

/// `register_filesystem` of `zcfs`.
pub(crate) fn register_fs() -> Result {
    // SAFETY: called once at module load; the type is a static.
    to_result(unsafe { bindings::register_filesystem(&raw mut zcfs_fs_type) })
}

/// `unregister_filesystem` of `zcfs` (at module unload: nothing is mounted,
/// the type's owner reference sees to that).
pub(crate) fn unregister_fs() {
    // SAFETY: registered by `register_fs` at load.
    unsafe { bindings::unregister_filesystem(&raw mut zcfs_fs_type) };
}

/// The mount's space.
///
/// # Safety
///
/// `p` is a `KBox<Space>` in its foreign form (made by `get_tree`), not
/// freed for `'a`.
unsafe fn space<'a>(p: *mut c_void) -> &'a Space {
    // SAFETY: see the function's safety section.
    unsafe { <KBox<Space> as ForeignOwnable>::borrow(p) }
}
