// SPDX-License-Identifier: GPL-2.0

//! References on the module that owns a registration (a provider or a
//! monitor), so that its code and tables stay while zcvfs may call them.

use kernel::bindings;
use kernel::prelude::*;

/// A reference on a module (`try_module_get`), dropped with `module_put`.
///
/// # Invariants
///
/// Holds one reference on `self.0` (or `self.0` is null: built-in code).
pub(crate) struct ModuleRef(*mut bindings::module);

// SAFETY: module references may be dropped from any thread.
unsafe impl Send for ModuleRef {}
// SAFETY: a `ModuleRef` has no interior state.
unsafe impl Sync for ModuleRef {}

impl ModuleRef {
    /// Take a reference, failing (`ENOENT`) if the module is going away.
    pub(crate) fn get(owner: ModulePtr) -> Result<ModuleRef> {
        // SAFETY: `owner` is null or a module that registered something
        // with zcvfs and has not unregistered it (type invariant).
        if unsafe { bindings::try_module_get(owner.0) } {
            Ok(ModuleRef(owner.0))
        } else {
            Err(ENOENT)
        }
    }
}

impl Drop for ModuleRef {
    fn drop(&mut self) {
        // SAFETY: we hold a reference (type invariant).
        unsafe { bindings::module_put(self.0) }
    }
}

/// What keeps a loan's provider loaded.
///
/// A provider registered by the module of the filesystem it serves (zcfs)
/// is kept loaded by the loan's file: the file pins its mount, a mounted
/// super_block its filesystem type's module. Any other provider (one
/// registered for another module's type, as the test driver's for
/// tmpfs) needs a reference on its own module.
pub(crate) enum ModulePin {
    /// The provider is the filesystem's module, which the loan's file
    /// keeps (the loan holds both).
    ByFile,
    /// A reference on the provider's module (dropped with the pin).
    Ref { _module: ModuleRef },
}

impl ModulePin {
    /// A pin of `owner`, a provider's module, for a loan of a file whose
    /// filesystem type belongs to `fs_owner`.
    pub(crate) fn get(owner: ModulePtr, fs_owner: ModulePtr) -> Result<ModulePin> {
        if owner == fs_owner {
            return Ok(ModulePin::ByFile);
        }
        ModuleRef::get(owner).map(|m| ModulePin::Ref { _module: m })
    }
}

/// The owner module of a registration.
///
/// # Invariants
///
/// Null or a live module, as long as its registration with zcvfs lasts.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct ModulePtr(pub(crate) *mut bindings::module);

// SAFETY: a module pointer is only an identity; see `ModuleRef`.
unsafe impl Send for ModulePtr {}
// SAFETY: as above.
unsafe impl Sync for ModulePtr {}
