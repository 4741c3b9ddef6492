// SPDX-License-Identifier: GPL-2.0

//! The xuios consumers request loans with (`zcvfs_xuio_alloc`,
//! `zcvfs_xuio_free`): a request needs one at a fixed address until its
//! return, and a loan at a time would otherwise cost a `kmalloc` and a
//! `kfree`. A freed xuio is kept as its CPU's spare (one per CPU) and
//! handed out again, zeroed, by the next allocation there.

use crate::helpers::{
    zcvfs_helper_spare_xuio_put, zcvfs_helper_spare_xuio_take, zcvfs_helper_spare_xuio_take_any,
};
use crate::zcvfs_api::bindings::RawXuio;
use kernel::prelude::*;

// INVARIANT (of the spares): a spare is null or the allocation of a
// `KBox<RawXuio>` (from `KBox::into_raw`) that nothing else refers to,
// owned by the per-CPU slot that holds it until a `take` moves it out.

/// A zeroed xuio, or null if memory is short.
pub(crate) fn alloc() -> *mut RawXuio {
    // SAFETY: a per-CPU exchange; no precondition.
    let p = unsafe { zcvfs_helper_spare_xuio_take() }.cast::<RawXuio>();
    if p.is_null() {
        return KBox::new(RawXuio::zeroed(), GFP_KERNEL)
            .map_or(core::ptr::null_mut(), KBox::into_raw);
    }
    // SAFETY: `p` is a `KBox<RawXuio>` allocation, ours now that it is
    // taken out of its slot (the spares' invariant), valid for a write.
    unsafe { p.write(RawXuio::zeroed()) };
    p
}

/// Free an xuio from [`alloc`]: it becomes this CPU's spare if the CPU has
/// none, else it goes back to the allocator.
///
/// # Safety
///
/// `p` is null or came from [`alloc`] and is not used after this call.
pub(crate) unsafe fn free(p: *mut RawXuio) {
    if p.is_null() {
        return;
    }
    // SAFETY: a per-CPU compare-and-exchange; `p` is a `KBox` allocation
    // that nothing else refers to (the caller's contract), so it may
    // become a spare.
    if unsafe { zcvfs_helper_spare_xuio_put(p.cast()) } {
        return;
    }
    // SAFETY: `p` came from `alloc`, hence from `KBox::into_raw`, and is
    // no longer used (the caller's contract).
    drop(unsafe { KBox::from_raw(p) });
}

/// Free every spare (module unload: no consumer is left).
pub(crate) fn drain() {
    loop {
        // SAFETY: per-CPU exchanges; no precondition.
        let p = unsafe { zcvfs_helper_spare_xuio_take_any() }.cast::<RawXuio>();
        if p.is_null() {
            return;
        }
        // SAFETY: a spare taken out of its slot is a `KBox<RawXuio>`
        // allocation that nothing else refers to (the spares' invariant).
        drop(unsafe { KBox::from_raw(p) });
    }
}
