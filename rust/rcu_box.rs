// SPDX-License-Identifier: GPL-2.0

//! A boxed value published under RCU: readers see the current value
//! without taking a lock; a writer replaces it and gets the old one back
//! once no reader can still see it.

use core::marker::PhantomData;
use kernel::prelude::*;
use kernel::sync::atomic::{Acquire, Atomic, Full};
use kernel::sync::rcu;

/// An RCU-published `KBox<T>` (or nothing).
///
/// Readers call [`RcuBox::get`] inside an RCU read-side critical section
/// and get a shared reference for its duration; the value is never changed
/// in place, only replaced as a whole by [`RcuBox::replace`], which waits
/// for a grace period before it hands the old value back.
///
/// # Invariants
///
/// `ptr` is null or comes from [`KBox::into_raw`] and is owned by this
/// value; a pointer that was published here is freed (or handed out) only
/// after it was unpublished and an RCU grace period elapsed.
pub(crate) struct RcuBox<T> {
    ptr: Atomic<*mut T>,
    // Send/Sync as `KBox<T>`: readers on other threads share `&T`, the
    // value is dropped on whatever thread replaces it.
    _owns: PhantomData<KBox<T>>,
}

impl<T> RcuBox<T> {
    /// Nothing published.
    pub(crate) const fn new() -> Self {
        // INVARIANT: null.
        RcuBox {
            ptr: Atomic::new(core::ptr::null_mut()),
            _owns: PhantomData,
        }
    }

    /// The current value, for as long as the read-side section `g` lasts.
    pub(crate) fn get<'g>(&self, _g: &'g rcu::Guard) -> Option<&'g T> {
        let p = self.ptr.load(Acquire);
        // SAFETY: `p` is null or a live `KBox` allocation (type invariant),
        // initialised before it was published (the release in `replace`
        // pairs with the acquire load above) and never changed in place;
        // it is freed only after a grace period that begins after it is
        // unpublished, which cannot end while `_g` holds the read lock.
        unsafe { p.as_ref() }
    }

    /// Publish `new` (or nothing) and return the previous value once no
    /// reader can still see it. Sleeps (waits for a grace period) when
    /// there was a previous value; writers serialise among themselves.
    pub(crate) fn replace(&self, new: Option<KBox<T>>) -> Option<KBox<T>> {
        let p = new.map_or(core::ptr::null_mut(), KBox::into_raw);
        // Fully ordered: the new value's initialisation is visible before
        // its pointer is.
        // INVARIANT: `p` is null or from `KBox::into_raw`, now owned here.
        let old = self.ptr.xchg(p, Full);
        if old.is_null() {
            return None;
        }
        rcu::synchronize_rcu();
        // SAFETY: `old` came from `KBox::into_raw` (type invariant); it is
        // unpublished (the exchange above) and the grace period ended
        // every reader that could have loaded it, so it is ours alone.
        Some(unsafe { KBox::from_raw(old) })
    }
}
