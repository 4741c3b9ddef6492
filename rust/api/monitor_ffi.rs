// SPDX-License-Identifier: GPL-2.0

//! The C glue of [`super::monitor::Monitor`].

use super::monitor::{FemCall, Monitor};
use super::xuio_raw::{RawFemArg, RawMonitorOps};
use kernel::bindings;
use kernel::error::{from_result, to_result};
use kernel::ffi::{c_int, c_void};
use kernel::fs::File;
use kernel::prelude::*;
use kernel::sync::Arc;
use kernel::types::ForeignOwnable;

// Pointers to opaque kernel structures: some bindgen types contain
// zero-length arrays, which the lint flags although only pointers cross.
#[allow(improper_ctypes)]
extern "C" {
    fn zcvfs_vnext(arg: *mut RawFemArg) -> isize;
    fn zcvfs_monitor_install(
        file: *mut bindings::file,
        ops: *const RawMonitorOps,
        data: *mut c_void,
        owner: *mut bindings::module,
    ) -> i64;
    fn zcvfs_monitor_uninstall(file: *mut bindings::file, id: i64) -> c_int;
}

pub(super) fn arg_file(arg: &RawFemArg) -> &File {
    // SAFETY: zcvfs passes a live file in every `zcvfs_fem_arg` for the
    // duration of the call, and `arg` is borrowed for less than that.
    unsafe { File::from_raw_file(arg.file) }
}

pub(super) fn arg_caller(arg: &RawFemArg) -> Option<(&CStr, u64)> {
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

pub(super) fn vnext(arg: &mut RawFemArg) -> Result<isize> {
    // SAFETY: `arg` is the live argument zcvfs passed to this monitor.
    let r = unsafe { zcvfs_vnext(arg) };
    if r < 0 {
        // Errno values fit in an i32.
        Err(Error::from_errno(r as i32))
    } else {
        Ok(r)
    }
}

pub(super) fn install<T: Monitor>(
    file: &File,
    monitor: Arc<T>,
    module: &'static ThisModule,
) -> Result<i64> {
    let data = monitor.into_foreign();
    // SAFETY: `file` is live; the ops table is static; `data` is an owned
    // `Arc<T>` reference that zcvfs releases with `release_cb::<T>`.
    let id = unsafe {
        zcvfs_monitor_install(file.as_ptr(), &MonitorOps::<T>::OPS, data, module.as_ptr())
    };
    if id < 0 {
        // SAFETY: zcvfs did not take `data` (it failed), so it is still ours.
        drop(unsafe { Arc::<T>::from_foreign(data) });
        // Errno values fit in an i32.
        return Err(Error::from_errno(id as i32));
    }
    Ok(id)
}

pub(super) fn uninstall(file: &File, id: i64) -> Result {
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
