// SPDX-License-Identifier: GPL-2.0

//! A pinned value that lives from module load to module unload, read
//! without a lock in between.

use core::marker::PhantomData;
use kernel::prelude::*;
use kernel::sync::atomic::{Acquire, Atomic, Full};

/// A `Pin<KBox<T>>` set once at module load and taken at module unload.
///
/// # Invariants
///
/// `ptr` is null or comes from [`KBox::into_raw`] of a pinned box owned by
/// this value: the value never moves and is freed only by
/// [`ModuleStatic::take`].
pub(crate) struct ModuleStatic<T> {
    ptr: Atomic<*mut T>,
    // Send/Sync as `Pin<KBox<T>>`.
    _owns: PhantomData<Pin<KBox<T>>>,
}

impl<T> ModuleStatic<T> {
    /// Not set.
    pub(crate) const fn new() -> Self {
        // INVARIANT: null.
        ModuleStatic {
            ptr: Atomic::new(core::ptr::null_mut()),
            _owns: PhantomData,
        }
    }

    /// Set the value (module load). `EBUSY` if it is set already.
    pub(crate) fn set(&self, v: Pin<KBox<T>>) -> Result {
        // SAFETY: the value is never moved out of its allocation: it is
        // only shared through `get` and given back pinned by `take`.
        let p = KBox::into_raw(unsafe { Pin::into_inner_unchecked(v) });
        // INVARIANT: `p` is a pinned box's allocation, owned from here on.
        match self.ptr.cmpxchg(core::ptr::null_mut(), p, Full) {
            Ok(_) => Ok(()),
            Err(_) => {
                // SAFETY: `p` was not published: still ours, still pinned.
                drop(unsafe { Pin::new_unchecked(KBox::from_raw(p)) });
                Err(EBUSY)
            }
        }
    }

    /// The value, if set.
    pub(crate) fn get(&self) -> Option<Pin<&T>> {
        let p = self.ptr.load(Acquire);
        // SAFETY: null or a live, pinned allocation (type invariant),
        // initialised before it was published (acquire pairs with the
        // fully ordered exchange in `set`); freed only by `take`, whose
        // caller guarantees that no reference from here is used any more.
        unsafe { p.as_ref().map(|r| Pin::new_unchecked(r)) }
    }

    /// Take the value back (module unload).
    ///
    /// # Safety
    ///
    /// No reference obtained from [`ModuleStatic::get`] is alive or will be
    /// used afterwards (every caller of the module is gone).
    pub(crate) unsafe fn take(&self) -> Option<Pin<KBox<T>>> {
        let p = self.ptr.xchg(core::ptr::null_mut(), Full);
        if p.is_null() {
            return None;
        }
        // SAFETY: `p` came from a pinned box owned here (type invariant);
        // the caller guarantees nobody uses it any more.
        Some(unsafe { Pin::new_unchecked(KBox::from_raw(p)) })
    }
}
