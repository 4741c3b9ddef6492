// SPDX-License-Identifier: GPL-2.0

//! The credentials a request runs with: [`Ids`] and [`CredGuard`], the
//! override of the current thread's credentials as `nfsd_setuser()` makes
//! it (`fs/nfsd/auth.c`).

use super::helpers::{
    zcnfsd_cap_drop_nfsd_set, zcnfsd_cap_raise_nfsd_set, zcnfsd_gid_valid, zcnfsd_make_kgid,
    zcnfsd_make_kuid, zcnfsd_override_creds, zcnfsd_put_group_info, zcnfsd_revert_creds,
    zcnfsd_uid_valid,
};
use core::marker::PhantomData;
use core::ptr::NonNull;
use kernel::bindings;
use kernel::ffi::c_int;
use kernel::prelude::*;

/// `uid` of the initial user namespace as the kernel's `kuid_t`
/// (`make_kuid`), or `None` if it has no mapping.
pub(super) fn kuid(uid: u32) -> Option<bindings::kuid_t> {
    // SAFETY: a mapping of, and a predicate on, plain values.
    let (k, valid) = unsafe {
        let k = zcnfsd_make_kuid(uid);
        (k, zcnfsd_uid_valid(k))
    };
    valid.then_some(k)
}

/// `gid` of the initial user namespace as the kernel's `kgid_t`
/// (`make_kgid`), or `None` if it has no mapping.
pub(super) fn kgid(gid: u32) -> Option<bindings::kgid_t> {
    // SAFETY: a mapping of, and a predicate on, plain values.
    let (k, valid) = unsafe {
        let k = zcnfsd_make_kgid(gid);
        (k, zcnfsd_gid_valid(k))
    };
    valid.then_some(k)
}

/// Most supplementary groups of a request (AUTH_SYS carries at most 16).
pub(crate) const MAX_GROUPS: usize = 16;

/// The ids a request runs with (after squashing), in the initial user
/// namespace.
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
    /// Switches the current thread to `ids`, as `nfsd_setuser()` does: fsuid
    /// and fsgid, the supplementary groups (at most [`MAX_GROUPS`]; one with
    /// no mapping becomes the gid), and the file-system capabilities
    /// (`CAP_NFSD_SET`) for uid 0 only. `EINVAL` for a uid or gid that has
    /// no mapping, `ENOMEM`.
    pub(crate) fn new(ids: &Ids) -> Result<CredGuard> {
        let (Some(uid), Some(gid)) = (kuid(ids.uid), kgid(ids.gid)) else {
            return Err(EINVAL);
        };
        let n = usize::try_from(ids.ngroups).map_or(MAX_GROUPS, |n| n.min(MAX_GROUPS));
        // SAFETY: a copy of the current thread's credentials, which we own.
        let new = unsafe { bindings::prepare_creds() };
        if new.is_null() {
            return Err(ENOMEM);
        }
        // SAFETY: allocates a group_info of `n` (at most 16) groups.
        let gi = unsafe { bindings::groups_alloc(n as c_int) };
        if gi.is_null() {
            // SAFETY: `new` is ours, prepared above and never installed.
            unsafe { bindings::abort_creds(new) };
            return Err(ENOMEM);
        }
        // SAFETY: `gi` is ours, with room for `n` groups.
        let gids = unsafe { (*gi).gid.as_mut_slice(n) };
        for (slot, &g) in gids.iter_mut().zip(&ids.groups[..n]) {
            *slot = kgid(g).unwrap_or(gid);
        }
        // SAFETY: `new` and `gi` are ours and not shared yet: sorting the
        // groups, setting the ids and handing the groups to the credentials
        // (`set_groups` takes its own reference, ours is dropped) are what
        // `nfsd_setuser()` does to them.
        unsafe {
            bindings::groups_sort(gi);
            (*new).fsuid = uid;
            (*new).fsgid = gid;
            bindings::set_groups(new, gi);
            zcnfsd_put_group_info(gi);
            // GLOBAL_ROOT_UID is KUIDT_INIT(0).
            (*new).cap_effective = if bindings::uid_eq((*new).fsuid, bindings::kuid_t { val: 0 }) {
                zcnfsd_cap_raise_nfsd_set((*new).cap_effective, (*new).cap_permitted)
            } else {
                zcnfsd_cap_drop_nfsd_set((*new).cap_effective)
            };
        }
        // SAFETY: `new` is a complete set of credentials whose reference we
        // pass to the current thread until `drop` takes it back
        // (`override_creds` takes no reference of its own).
        let old = unsafe { zcnfsd_override_creds(new) };
        // INVARIANT: `new` is installed on this thread, `old` is what it
        // replaced.
        NonNull::new(old.cast_mut())
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
        // nest only in order); reverting restores `old` and returns ours,
        // whose reference we drop.
        unsafe { bindings::put_cred(zcnfsd_revert_creds(self.old.as_ptr())) }
    }
}
