// SPDX-License-Identifier: GPL-2.0

//! File event monitors (FEM): interceptors stacked on an inode.
//!
//! Every zero-copy (and plain xuio) operation on a file passes through the
//! monitors installed on its inode, top of the stack first. A monitor
//! operation either passes the request on with [`FemCall::vnext`] (FEM's
//! `vnext_*`), possibly looking at the result, or vetoes it by returning an
//! error without calling `vnext`: then nothing happens to the file and
//! nothing is loaned. A return of buffers cannot be vetoed.

use super::bindings::*;
use super::error::to_result;
use super::error::{from_id, from_ssize};
use kernel::error::{from_result, VTABLE_DEFAULT_ERROR};
use kernel::ffi::c_void;
use kernel::fs::File;
use kernel::prelude::*;
use kernel::sync::{aref::ARef, Arc};
use kernel::types::ForeignOwnable;

/// The intercepted operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FemOp {
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
    pub(crate) const fn raw(self) -> u32 {
        match self {
            FemOp::Read => 0,
            FemOp::Write => 1,
            FemOp::ReqZcBuf => 2,
            FemOp::RetZcBuf => 3,
            FemOp::Truncate => 4,
        }
    }

    /// From the C value.
    pub(crate) fn from_raw(v: u32) -> Option<FemOp> {
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
pub(crate) struct FemCall<'a> {
    raw: &'a mut RawFemArg,
}

impl FemCall<'_> {
    /// The operation.
    pub(crate) fn op(&self) -> Option<FemOp> {
        FemOp::from_raw(self.raw.op)
    }

    /// The caller's context (`struct zcvfs_caller_context`): its name and
    /// id, if the caller passed one.
    pub(crate) fn caller(&self) -> Option<(&CStr, u64)> {
        arg_caller(self.raw)
    }

    /// Pass the request on (FEM's `vnext`): the next monitor, or the
    /// operation itself. Returns its result (bytes, or 0).
    pub(crate) fn vnext(&mut self) -> Result<isize> {
        vnext(self.raw)
    }
}

/// A file event monitor. Operations it does not implement pass through.
#[vtable]
pub(crate) trait Monitor: Send + Sync + Sized + 'static {
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
pub(crate) struct MonitorHandle<T: Monitor> {
    file: ARef<File>,
    id: i64,
    monitor: Arc<T>,
}

impl<T: Monitor> MonitorHandle<T> {
    /// Push `monitor` on top of the stack of `file`'s inode.
    pub(crate) fn install(
        file: &File,
        monitor: Arc<T>,
        module: &'static ThisModule,
    ) -> Result<Self> {
        let id = install(file, monitor.clone(), module)?;
        Ok(MonitorHandle {
            file: file.into(),
            id,
            monitor,
        })
    }

    /// The monitor.
    pub(crate) fn monitor(&self) -> &T {
        &self.monitor
    }

    /// zcvfs's id of the installed monitor.
    pub(crate) fn id(&self) -> i64 {
        self.id
    }
}

impl<T: Monitor> Drop for MonitorHandle<T> {
    fn drop(&mut self) {
        if let Err(e) = uninstall(&self.file, self.id) {
            pr_warn!("zcvfs: uninstalling monitor {} failed: {:?}\n", self.id, e);
        }
    }
}

fn arg_caller(arg: &RawFemArg) -> Option<(&CStr, u64)> {
    if arg.ct.is_null() {
        return None;
    }
    // SAFETY: a non-null `ct` is the caller's valid context for the call
    // (zcvfs.h), which outlives `arg`'s borrow.
    let ct = unsafe { &*arg.ct };
    let name = if ct.cc_name.is_null() {
        c""
    } else {
        // SAFETY: a non-null `cc_name` is a NUL-terminated string valid for
        // the call (zcvfs.h).
        unsafe { CStr::from_char_ptr(ct.cc_name) }
    };
    Some((name, ct.cc_id))
}

fn vnext(arg: &mut RawFemArg) -> Result<isize> {
    // SAFETY: `arg` is the live argument zcvfs passed to this monitor.
    let r = unsafe { zcvfs_vnext(arg) };
    // Bytes or 0: non-negative results fit back.
    from_ssize(r).map(|n| n as isize)
}

fn install<T: Monitor>(file: &File, monitor: Arc<T>, module: &'static ThisModule) -> Result<i64> {
    let data = monitor.into_foreign();
    // SAFETY: `file` is live; the ops table is static; `data` is an owned
    // `Arc<T>` reference that zcvfs releases with `release_cb::<T>`.
    let id = unsafe {
        zcvfs_monitor_install(file.as_ptr(), &MonitorOps::<T>::OPS, data, module.as_ptr())
    };
    let r = from_id(id);
    if r.is_err() {
        // SAFETY: zcvfs did not take `data` (it failed), so it is still ours.
        drop(unsafe { Arc::<T>::from_foreign(data) });
    }
    r
}

fn uninstall(file: &File, id: i64) -> Result {
    // SAFETY: `file` is live.
    to_result(unsafe { zcvfs_monitor_uninstall(file.as_ptr(), id) })
}

struct MonitorOps<T: Monitor>(core::marker::PhantomData<T>);

impl<T: Monitor> MonitorOps<T> {
    const OPS: RawMonitorOps = RawMonitorOps {
        read: if T::HAS_READ {
            Some(read_cb::<T>)
        } else {
            None
        },
        write: if T::HAS_WRITE {
            Some(write_cb::<T>)
        } else {
            None
        },
        reqzcbuf: if T::HAS_REQZCBUF {
            Some(reqzcbuf_cb::<T>)
        } else {
            None
        },
        retzcbuf: if T::HAS_RETZCBUF {
            Some(retzcbuf_cb::<T>)
        } else {
            None
        },
        truncate: if T::HAS_TRUNCATE {
            Some(truncate_cb::<T>)
        } else {
            None
        },
        release: Some(release_cb::<T>),
    };
}

/// # Safety
///
/// `arg` is a live argument from zcvfs whose `data` is the `Arc<T>` given
/// at installation, not yet released.
unsafe fn call<T: Monitor>(
    arg: *mut RawFemArg,
    f: impl FnOnce(&T, &mut FemCall<'_>) -> Result<isize>,
) -> isize {
    // SAFETY: see the function's safety section.
    let raw = unsafe { &mut *arg };
    // SAFETY: `data` is the installed `Arc<T>`, alive until `release_cb`,
    // which zcvfs calls only after every in-flight call ended.
    let mon = unsafe { Arc::<T>::borrow(raw.data) };
    from_result(|| f(&mon, &mut FemCall { raw }))
}

/// # Safety
///
/// zcvfs calls it as [`call`] requires.
unsafe extern "C" fn read_cb<T: Monitor>(arg: *mut RawFemArg) -> isize {
    // SAFETY: called by zcvfs as `call` requires.
    unsafe { call::<T>(arg, |m, c| m.read(c)) }
}

/// # Safety
///
/// zcvfs calls it as [`call`] requires.
unsafe extern "C" fn write_cb<T: Monitor>(arg: *mut RawFemArg) -> isize {
    // SAFETY: called by zcvfs as `call` requires.
    unsafe { call::<T>(arg, |m, c| m.write(c)) }
}

/// # Safety
///
/// zcvfs calls it as [`call`] requires.
unsafe extern "C" fn reqzcbuf_cb<T: Monitor>(arg: *mut RawFemArg) -> isize {
    // SAFETY: called by zcvfs as `call` requires.
    unsafe { call::<T>(arg, |m, c| m.reqzcbuf(c)) }
}

/// # Safety
///
/// zcvfs calls it as [`call`] requires.
unsafe extern "C" fn retzcbuf_cb<T: Monitor>(arg: *mut RawFemArg) -> isize {
    // SAFETY: called by zcvfs as `call` requires.
    unsafe { call::<T>(arg, |m, c| m.retzcbuf(c)) }
}

/// # Safety
///
/// zcvfs calls it as [`call`] requires.
unsafe extern "C" fn truncate_cb<T: Monitor>(arg: *mut RawFemArg) -> isize {
    // SAFETY: called by zcvfs as `call` requires.
    unsafe { call::<T>(arg, |m, c| m.truncate(c)) }
}

/// # Safety
///
/// zcvfs calls it once per successful installation, with its `data`, after
/// the last call that could use it.
unsafe extern "C" fn release_cb<T: Monitor>(data: *mut c_void) {
    // SAFETY: zcvfs calls this once, with the `data` of a successful
    // installation, after the last call that could use it.
    drop(unsafe { Arc::<T>::from_foreign(data) });
}
