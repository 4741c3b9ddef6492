// SPDX-License-Identifier: GPL-2.0

//! An installed monitor's C ops table (`struct zcvfs_monitor_ops`) and the
//! argument a chain of monitors shares (`struct zcvfs_fem_arg`).

use crate::zcvfs_api::bindings::{RawFemArg, RawFemFn, RawMonitorOps};
use kernel::ffi::c_void;
use kernel::prelude::*;

/// A monitor's ops table and private data.
///
/// # Invariants
///
/// `ops` points to a valid table that lives as long as its owner module,
/// which the holder pins with a [`crate::module_ref::ModuleRef`]; `data` is the monitor's,
/// released with `ops.release` exactly once, by [`MonitorOpsRef::release`].
pub(crate) struct MonitorOpsRef {
    ops: *const RawMonitorOps,
    data: *mut c_void,
}

// SAFETY: monitors must be callable from any thread (zcvfs.h).
unsafe impl Send for MonitorOpsRef {}
// SAFETY: as above.
unsafe impl Sync for MonitorOpsRef {}

impl MonitorOpsRef {
    /// Wrap a C monitor table.
    pub(crate) fn new(ops: *const RawMonitorOps, data: *mut c_void) -> Result<Self> {
        if ops.is_null() {
            return Err(EINVAL);
        }
        Ok(MonitorOpsRef { ops, data })
    }

    fn ops(&self) -> &RawMonitorOps {
        // SAFETY: valid while the owner module is pinned (type invariant).
        unsafe { &*self.ops }
    }

    /// The operation for `op` (`enum zcvfs_fem_op`), if the monitor has one.
    pub(crate) fn op(&self, op: u32) -> Option<RawFemFn> {
        let t = self.ops();
        match op {
            0 => t.read,
            1 => t.write,
            2 => t.reqzcbuf,
            3 => t.retzcbuf,
            4 => t.truncate,
            _ => None,
        }
    }

    /// The monitor's private data.
    pub(crate) fn data(&self) -> *mut c_void {
        self.data
    }

    /// Release the private data (once: consumes the reference).
    pub(crate) fn release(self) {
        if let Some(f) = self.ops().release {
            // SAFETY: called once, after the last call (type invariant).
            unsafe { f(self.data) }
        }
    }
}

/// A monitor argument on the dispatcher's stack, shared with C monitors
/// through a raw pointer for the duration of one chain.
///
/// # Invariants
///
/// Points to a live `RawFemArg` for `'a`, which nothing else borrows while
/// the chain runs (the dispatcher only uses this pointer).
#[derive(Clone, Copy)]
pub(crate) struct FemArgPtr<'a>(*mut RawFemArg, core::marker::PhantomData<&'a mut RawFemArg>);

impl<'a> FemArgPtr<'a> {
    /// Share `arg` for a chain.
    pub(crate) fn new(arg: &'a mut RawFemArg) -> Self {
        FemArgPtr(arg, core::marker::PhantomData)
    }

    /// Recover the pointer a monitor passed to `zcvfs_vnext`.
    ///
    /// # Safety
    ///
    /// `arg` is the argument zcvfs passed to the calling monitor, whose
    /// chain is still running.
    pub(crate) unsafe fn from_raw(arg: *mut RawFemArg) -> Self {
        FemArgPtr(arg, core::marker::PhantomData)
    }

    /// The operation (`enum zcvfs_fem_op`).
    pub(crate) fn op(self) -> u32 {
        // SAFETY: live (type invariant); a plain read.
        unsafe { (*self.0).op }
    }

    /// The chain pointer stored in the argument.
    pub(crate) fn chain(self) -> *const c_void {
        // SAFETY: live (type invariant); a plain read.
        unsafe { (*self.0).chain }
    }

    /// Call monitor operation `f` with its private `data`.
    pub(crate) fn call(self, f: RawFemFn, data: *mut c_void) -> isize {
        // SAFETY: live and not otherwise borrowed (type invariant); the
        // monitor's module is pinned by the chain's snapshot.
        unsafe {
            (*self.0).data = data;
            f(self.0)
        }
    }
}

/// Recover the chain of a monitor argument.
///
/// # Safety
///
/// `p` comes from a `FemArgPtr` of a running chain of this type.
pub(crate) unsafe fn chain_of<'c, L, A>(p: *const c_void) -> &'c crate::fem::Chain<'c, L, A> {
    // SAFETY: the dispatcher stored a pointer to its chain, which lives on
    // its stack until the chain ends, after every monitor returned.
    unsafe { &*p.cast() }
}
