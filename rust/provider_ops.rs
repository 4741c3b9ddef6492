// SPDX-License-Identifier: GPL-2.0

//! A registered provider's C ops table (`struct zcvfs_provider_ops`).

use crate::zcvfs_api::bindings::{RawProviderOps, RawWriteResult, RawXuio};
use crate::zcvfs_api::error::from_ssize;
use crate::zcvfs_api::error::to_result;
use kernel::fs::File;
use kernel::prelude::*;

/// A provider's ops table.
///
/// # Invariants
///
/// Points to a `RawProviderOps` with all four operations set, that lives as
/// long as its owner module (which callers pin with a [`crate::module_ref::ModuleRef`]).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct ProviderOpsRef(*const RawProviderOps);

// SAFETY: ops tables are immutable.
unsafe impl Send for ProviderOpsRef {}
// SAFETY: as above.
unsafe impl Sync for ProviderOpsRef {}

impl ProviderOpsRef {
    /// Check and wrap a C ops table.
    pub(crate) fn new(ops: *const RawProviderOps) -> Result<Self> {
        if ops.is_null() {
            return Err(EINVAL);
        }
        // SAFETY: the provider passes a valid table it keeps for as long as
        // it is registered (include/zcvfs/zcvfs.h).
        let t = unsafe { &*ops };
        if t.reqzcbuf.is_none()
            || t.retzcbuf.is_none()
            || t.read_xuio.is_none()
            || t.write_xuio.is_none()
        {
            return Err(EINVAL);
        }
        Ok(ProviderOpsRef(ops))
    }

    fn ops(&self) -> &RawProviderOps {
        // SAFETY: valid while the owner module is pinned (type invariant).
        unsafe { &*self.0 }
    }

    /// `ops->reqzcbuf`.
    pub(crate) fn reqzcbuf(&self, file: &File, rw: u32, x: &mut RawXuio) -> Result {
        match self.ops().reqzcbuf {
            // SAFETY: `file` is live and `x` is exclusively borrowed; the
            // dispatch layer checked the request before.
            Some(f) => to_result(unsafe { f(file.as_ptr(), rw, x) }),
            None => Err(EINVAL),
        }
    }

    /// `ops->retzcbuf`.
    pub(crate) fn retzcbuf(&self, file: &File, x: &mut RawXuio) -> Result {
        match self.ops().retzcbuf {
            // SAFETY: as in `reqzcbuf`; `x` carries the loan's handle.
            Some(f) => to_result(unsafe { f(file.as_ptr(), x) }),
            None => Err(EINVAL),
        }
    }

    /// `ops->read_xuio`.
    pub(crate) fn read_xuio(&self, file: &File, x: &mut RawXuio) -> Result<usize> {
        match self.ops().read_xuio {
            // SAFETY: as in `retzcbuf`.
            Some(f) => from_ssize(unsafe { f(file.as_ptr(), x) }),
            None => Err(EINVAL),
        }
    }

    /// `ops->write_xuio`.
    pub(crate) fn write_xuio(
        &self,
        file: &File,
        x: &mut RawXuio,
        res: &mut RawWriteResult,
    ) -> Result<usize> {
        match self.ops().write_xuio {
            // SAFETY: as in `retzcbuf`; `res` is exclusively borrowed.
            Some(f) => from_ssize(unsafe { f(file.as_ptr(), x, res) }),
            None => Err(EINVAL),
        }
    }
}
