// SPDX-License-Identifier: GPL-2.0

//! The zero-copy send's `struct ubuf_info` (`struct zcnfsd_zc` in
//! `zcnfsd_net.c`) as an owned Rust value, [`ZcRef`], and the release
//! callback through which the completion drops the loan.

use super::pages::LoanedPages;
use core::marker::PhantomData;
use core::ptr::NonNull;
use kernel::ffi::c_void;
use kernel::prelude::*;

/// `struct zcnfsd_zc`: opaque here.
#[repr(C)]
pub(super) struct RawZc {
    _opaque: [u8; 0],
}

extern "C" {
    fn zcnfsd_zc_new(
        owner: *mut c_void,
        release: unsafe extern "C" fn(owner: *mut c_void),
    ) -> *mut RawZc;
    fn zcnfsd_zc_put(zc: *mut RawZc);
    fn zcnfsd_zc_in_flight() -> u64;
    #[cfg(CONFIG_KUNIT = "y")]
    fn zcnfsd_zc_attached() -> u64;
    fn zcnfsd_zc_wait_idle();
    fn zcnfsd_net_stack_copy_bytes() -> u64;
    fn zcnfsd_net_splice_bytes() -> u64;
    fn zcnfsd_zc_completions_total() -> u64;
    fn zcnfsd_zc_copied_completions_total() -> u64;
}

/// Drops the boxed owner: called once, by the completion's work item in
/// process context, after the network stack dropped its last reference.
///
/// # Safety
///
/// `owner` comes from `KBox::<T>::into_raw` in [`ZcRef::new`] and is not
/// used by anything else any more.
unsafe extern "C" fn release<T: LoanedPages>(owner: *mut c_void) {
    // SAFETY: by the function's safety requirements.
    drop(unsafe { KBox::from_raw(owner.cast::<T>()) });
}

/// The sender's reference to a zero-copy send that owns a loan `T`.
///
/// Dropping it drops the sender's reference on the `ubuf_info`; the loan is
/// dropped (returned) by the completion once the network stack dropped its
/// references too, in process context.
///
/// # Invariants
///
/// - `zc` is a `struct zcnfsd_zc` from `zcnfsd_zc_new` whose sender
///   reference this value holds (so the completion has not run).
/// - `owner` is the `KBox<T>` the `zc` owns; it stays valid while the
///   reference is held, and nothing mutates it.
pub(super) struct ZcRef<T: LoanedPages> {
    zc: NonNull<RawZc>,
    owner: NonNull<T>,
    _owns: PhantomData<T>,
}

impl<T: LoanedPages> ZcRef<T> {
    /// Hands `data` to a new zero-copy send. On failure `data` is dropped
    /// (the loan returned) here.
    pub(super) fn new(data: T) -> Result<ZcRef<T>> {
        let owner = KBox::into_raw(KBox::new(data, GFP_KERNEL)?);
        // SAFETY: `owner` is a valid `KBox<T>` pointer and `release::<T>`
        // drops exactly such a pointer; the C side calls it once.
        let zc = unsafe { zcnfsd_zc_new(owner.cast(), release::<T>) };
        let Some(zc) = NonNull::new(zc) else {
            // SAFETY: the C side did not take `owner`: it is still ours.
            drop(unsafe { KBox::from_raw(owner) });
            return Err(ENOMEM);
        };
        // INVARIANT: `zcnfsd_zc_new` returns with the sender's reference;
        // `owner` now belongs to `zc`.
        Ok(ZcRef {
            zc,
            // `KBox::into_raw` never returns null.
            owner: NonNull::new(owner).ok_or(EINVAL)?,
            _owns: PhantomData,
        })
    }

    /// The loan, alive while this reference is held.
    pub(super) fn owner(&self) -> &T {
        // SAFETY: by the type invariants `owner` is valid and not mutated
        // while `self` exists.
        unsafe { self.owner.as_ref() }
    }

    /// For `sock_sendmsg`'s `msg_ubuf`.
    pub(super) fn as_raw(&self) -> *mut RawZc {
        self.zc.as_ptr()
    }
}

impl<T: LoanedPages> Drop for ZcRef<T> {
    fn drop(&mut self) {
        // SAFETY: drops the sender's reference this value holds (invariant),
        // once.
        unsafe { zcnfsd_zc_put(self.zc.as_ptr()) }
    }
}

/// Zero-copy sends whose completion has not finished.
pub(super) fn in_flight() -> u64 {
    // SAFETY: reads an atomic counter.
    unsafe { zcnfsd_zc_in_flight() }
}

/// Completed zero-copy sends whose pages TCP had attached to skbs by
/// reference (an skb carried the `ubuf_info`), as opposed to copied.
#[cfg(CONFIG_KUNIT = "y")]
pub(super) fn attached() -> u64 {
    // SAFETY: reads an atomic counter.
    unsafe { zcnfsd_zc_attached() }
}

/// Blocks until every zero-copy completion ran and released its loan.
pub(super) fn wait_idle() {
    // SAFETY: process context (the callers are module exit and threads of
    // the module); the C side only waits and tears down its workqueue.
    unsafe { zcnfsd_zc_wait_idle() }
}

/// The socket layer's counters since load (see [`super::NetCounters`]).
pub(super) fn counters() -> super::NetCounters {
    // SAFETY: each reads an atomic counter.
    unsafe {
        super::NetCounters {
            stack_copy_bytes: zcnfsd_net_stack_copy_bytes(),
            splice_bytes: zcnfsd_net_splice_bytes(),
            zc_completions: zcnfsd_zc_completions_total(),
            zc_copied_completions: zcnfsd_zc_copied_completions_total(),
        }
    }
}
