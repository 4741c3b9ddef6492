// SPDX-License-Identifier: GPL-2.0

//! The credentials a request runs with: [`Ids`] and [`CredGuard`], the
//! override of the current thread's credentials (`zcnfsd_cred_override`
//! and `zcnfsd_cred_revert` in `zcnfsd_vfs.c`).

use core::marker::PhantomData;
use core::ptr::NonNull;
use kernel::bindings;
use kernel::error::from_err_ptr;
use kernel::prelude::*;

// Pointers to opaque kernel structures only.
#[allow(improper_ctypes)]
extern "C" {
    fn zcnfsd_cred_override(ids: *const Ids) -> *const bindings::cred;
    fn zcnfsd_cred_revert(old: *const bindings::cred);
}

/// Most supplementary groups of a request (AUTH_SYS carries at most 16).
pub(crate) const MAX_GROUPS: usize = 16;

/// `struct zcnfsd_ids`: the ids a request runs with.
#[repr(C)]
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub(crate) struct Ids {
    pub(crate) uid: u32,
    pub(crate) gid: u32,
    pub(crate) ngroups: u32,
    pub(crate) groups: [u32; MAX_GROUPS],
}

/// The current thread runs with a request's credentials until this is
/// dropped (`override_creds` of credentials prepared as `nfsd_setuser`
/// does; `revert_creds` and `put_cred` on drop).
///
/// # Invariants
///
/// `old` is what `override_creds` returned on this thread; the thread's
/// credentials are the prepared ones, whose reference this value owns.
pub(crate) struct CredGuard {
    old: NonNull<bindings::cred>,
    /// Reverted on the thread that overrode: neither `Send` nor `Sync`.
    _not_send: PhantomData<*const ()>,
}

impl CredGuard {
    /// Switches the current thread to `ids` (uid 0: with the file-system
    /// capabilities, any other uid: without). `EINVAL` for an id that has
    /// no mapping, `ENOMEM`.
    pub(crate) fn new(ids: &Ids) -> Result<CredGuard> {
        // SAFETY: `ids` is a valid `struct zcnfsd_ids` for the call.
        let old = from_err_ptr(unsafe { zcnfsd_cred_override(ids) }.cast_mut())?;
        // INVARIANT: on success the helper installed new credentials and
        // returned the previous ones.
        NonNull::new(old)
            .map(|old| CredGuard {
                old,
                _not_send: PhantomData,
            })
            .ok_or(EINVAL)
    }
}

impl Drop for CredGuard {
    fn drop(&mut self) {
        // SAFETY: the guard is dropped on the thread that overrode (not
        // `Send`), with the prepared credentials still installed (guards
        // nest only in order); reverting restores `old` and drops ours.
        unsafe { zcnfsd_cred_revert(self.old.as_ptr()) }
    }
}
