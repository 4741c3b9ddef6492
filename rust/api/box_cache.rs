// SPDX-License-Identifier: GPL-2.0

//! Spare allocations for boxed values of one type, kept for reuse.
//!
//! A provider boxes each loan it makes ([`super::provider::Provider`]) and
//! gets the box back at the return; a loan at a time would otherwise cost
//! a `kmalloc` and a `kfree`. [`BoxCache::boxed`] puts a value into a
//! spare box if there is one, and [`BoxCache::recycle`] drops a box's
//! value and keeps the allocation as a spare (up to [`SPARES`] of them,
//! like the per-CPU spare `struct xuio` of `zcvfs_xuio_alloc`).
//!
//! The spares are exchanged with single atomic operations: no lock, and
//! any number of CPUs may take and give back boxes at once (one that finds
//! no spare allocates, one that finds no free place frees).

use core::mem::MaybeUninit;
use kernel::prelude::*;
use kernel::sync::atomic::{Acquire, Atomic, Relaxed, Release};

/// How many spare boxes a cache keeps.
pub(crate) const SPARES: usize = 2;

/// Up to [`SPARES`] spare boxes for values of `T`.
///
/// # Invariants
///
/// Each slot is null or the pointer of a `KBox<MaybeUninit<T>>` given up
/// with `KBox::into_raw`, which the cache owns.
pub(crate) struct BoxCache<T> {
    slots: [Atomic<*mut MaybeUninit<T>>; SPARES],
}

// SAFETY: the cache only holds allocations (no `T` lives in a spare); any
// thread may free them.
unsafe impl<T> Send for BoxCache<T> {}
// SAFETY: the slots are only accessed atomically, and a box leaves a slot
// by one exchange, so exactly one thread owns it afterwards.
unsafe impl<T> Sync for BoxCache<T> {}

impl<T> BoxCache<T> {
    /// An empty cache (for a `static`).
    pub(crate) const fn new() -> Self {
        BoxCache {
            slots: [const { Atomic::new(core::ptr::null_mut()) }; SPARES],
        }
    }

    /// `value` in a box: a spare one, or a new one.
    pub(crate) fn boxed(&self, value: T) -> Result<KBox<T>> {
        for slot in &self.slots {
            // Acquire: the box's last owner is done with it.
            let p = slot.xchg(core::ptr::null_mut(), Acquire);
            if !p.is_null() {
                // SAFETY: a non-null slot holds a box the cache owns (type
                // invariant), which the exchange took out of it.
                let spare = unsafe { KBox::from_raw(p) };
                return Ok(KBox::write(spare, value));
            }
        }
        Ok(KBox::new(value, GFP_KERNEL)?)
    }

    /// Drop the value of `b` and keep its allocation as a spare, or free it
    /// if the cache has enough.
    pub(crate) fn recycle(&self, b: KBox<T>) {
        let p = KBox::into_raw(KBox::drop_contents(b));
        for slot in &self.slots {
            // Release: our use of the box happens before the next owner's.
            if slot.cmpxchg(core::ptr::null_mut(), p, Release).is_ok() {
                // INVARIANT: the slot now holds a box the cache owns.
                return;
            }
        }
        // SAFETY: `p` came from `KBox::into_raw` above and was not stored.
        drop(unsafe { KBox::from_raw(p) });
    }

    /// Free the spare boxes. A cache in a `static` is drained by its
    /// module's exit, when nothing can recycle into it any more.
    pub(crate) fn drain(&self) {
        for slot in &self.slots {
            let p = slot.xchg(core::ptr::null_mut(), Relaxed);
            if !p.is_null() {
                // SAFETY: as in `boxed`.
                drop(unsafe { KBox::from_raw(p) });
            }
        }
    }
}

impl<T> Drop for BoxCache<T> {
    fn drop(&mut self) {
        self.drain();
    }
}
