// SPDX-License-Identifier: GPL-2.0

//! File event monitors (FEM): interceptors stacked on an inode.
//!
//! Every zero-copy (and plain xuio) operation on a file passes through the
//! monitors installed on its inode, top of the stack first. A monitor
//! operation either passes the request on with [`FemCall::vnext`] (FEM's
//! `vnext_*`), possibly looking at the result, or vetoes it by returning an
//! error without calling `vnext`: then nothing happens to the file and
//! nothing is loaned. A return of buffers cannot be vetoed.

use super::monitor_ffi;
use super::xuio::Rw;
use super::xuio_raw::RawFemArg;
use kernel::error::VTABLE_DEFAULT_ERROR;
use kernel::fs::File;
use kernel::prelude::*;
use kernel::sync::{aref::ARef, Arc};

/// The intercepted operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FemOp {
    /// `fop_read_xuio`.
    Read,
    /// `fop_write_xuio`.
    Write,
    /// `fop_reqzcbuf`.
    ReqZcBuf,
    /// `fop_retzcbuf`.
    RetZcBuf,
    /// `fop_truncate`.
    Truncate,
}

impl FemOp {
    /// The C value (`enum zcvfs_fem_op`).
    pub const fn raw(self) -> u32 {
        match self {
            FemOp::Read => 0,
            FemOp::Write => 1,
            FemOp::ReqZcBuf => 2,
            FemOp::RetZcBuf => 3,
            FemOp::Truncate => 4,
        }
    }

    /// From the C value.
    pub fn from_raw(v: u32) -> Option<FemOp> {
        Some(match v {
            0 => FemOp::Read,
            1 => FemOp::Write,
            2 => FemOp::ReqZcBuf,
            3 => FemOp::RetZcBuf,
            4 => FemOp::Truncate,
            _ => return None,
        })
    }
}

/// One intercepted call, as a monitor sees it.
pub struct FemCall<'a> {
    pub(super) raw: &'a mut RawFemArg,
}

impl FemCall<'_> {
    /// The operation.
    pub fn op(&self) -> Option<FemOp> {
        FemOp::from_raw(self.raw.op)
    }

    /// The direction, for a request of buffers.
    pub fn rw(&self) -> Option<Rw> {
        Rw::from_raw(self.raw.rw).ok()
    }

    /// The new size, for a truncate.
    pub fn length(&self) -> i64 {
        self.raw.length
    }

    /// The caller's context (`struct zcvfs_caller_context`): its name and
    /// id, if the caller passed one.
    pub fn caller(&self) -> Option<(&CStr, u64)> {
        monitor_ffi::arg_caller(self.raw)
    }

    /// The file.
    pub fn file(&self) -> &File {
        monitor_ffi::arg_file(self.raw)
    }

    /// Pass the request on (FEM's `vnext`): the next monitor, or the
    /// operation itself. Returns its result (bytes, or 0).
    pub fn vnext(&mut self) -> Result<isize> {
        monitor_ffi::vnext(self.raw)
    }
}

/// A file event monitor. Operations it does not implement pass through.
#[vtable]
pub trait Monitor: Send + Sync + Sized + 'static {
    /// Intercepts `fop_read_xuio`.
    fn read(&self, _call: &mut FemCall<'_>) -> Result<isize> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
    /// Intercepts `fop_write_xuio`.
    fn write(&self, _call: &mut FemCall<'_>) -> Result<isize> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
    /// Intercepts `fop_reqzcbuf`.
    fn reqzcbuf(&self, _call: &mut FemCall<'_>) -> Result<isize> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
    /// Observes `fop_retzcbuf` (its result is ignored: returns happen).
    fn retzcbuf(&self, _call: &mut FemCall<'_>) -> Result<isize> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
    /// Intercepts `fop_truncate`.
    fn truncate(&self, _call: &mut FemCall<'_>) -> Result<isize> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// A monitor installed on a file's inode; dropping it uninstalls it.
///
/// The monitor object is shared with zcvfs, which drops its reference
/// after the last in-flight call.
pub struct MonitorHandle<T: Monitor> {
    file: ARef<File>,
    id: i64,
    monitor: Arc<T>,
}

impl<T: Monitor> MonitorHandle<T> {
    /// Push `monitor` on top of the stack of `file`'s inode.
    pub fn install(file: &File, monitor: Arc<T>, module: &'static ThisModule) -> Result<Self> {
        let id = monitor_ffi::install(file, monitor.clone(), module)?;
        Ok(MonitorHandle {
            file: file.into(),
            id,
            monitor,
        })
    }

    /// The monitor.
    pub fn monitor(&self) -> &T {
        &self.monitor
    }

    /// zcvfs's id of the installed monitor.
    pub fn id(&self) -> i64 {
        self.id
    }
}

impl<T: Monitor> Drop for MonitorHandle<T> {
    fn drop(&mut self) {
        if let Err(e) = monitor_ffi::uninstall(&self.file, self.id) {
            pr_warn!("zcvfs: uninstalling monitor {} failed: {:?}\n", self.id, e);
        }
    }
}
