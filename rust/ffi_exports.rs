// SPDX-License-Identifier: GPL-2.0

//! The C ABI of zcvfs.ko (`include/zcvfs/zcvfs.h`): `#[no_mangle]`
//! functions exported with `EXPORT_SYMBOL_GPL` by `zcvfs_exports.c`.
//!
//! Each one turns its raw arguments into references (null pointers get
//! `EINVAL`) and calls the safe implementation in [`crate::dispatch`]; the
//! `bio_vec` helpers (`zcvfs_bvec_*`) call their implementation in
//! [`crate::vfs`].

use crate::dispatch;
use crate::globals::FemChain;
use crate::module_ref::ModulePtr;
use crate::monitor_ops::{chain_of, FemArgPtr, MonitorOpsRef};
use crate::provider_ops::ProviderOpsRef;
use crate::vfs::{self, FsTypeRef};
use crate::xuio_alloc;
use crate::zcvfs_api::bindings::{
    RawCallerContext, RawFemArg, RawMonitorOps, RawProviderOps, RawXuio,
};
use crate::zcvfs_api::error::{to_errno as errno, to_id, to_ssize as ssize};
use kernel::bindings;
use kernel::ffi::{c_int, c_uint, c_void};
use kernel::fs::File;
use kernel::prelude::*;

/// # Safety
///
/// `file` is null or a file the caller holds a reference on for the call.
unsafe fn file_ref<'a>(file: *mut bindings::file) -> Result<&'a File> {
    if file.is_null() {
        return Err(EINVAL);
    }
    // SAFETY: non-null, and live for the call (the caller's contract).
    Ok(unsafe { File::from_raw_file(file) })
}

/// # Safety
///
/// `x` is null or points to a `struct xuio` the caller owns exclusively
/// for the call, whose segments (if any) are valid for the call
/// (`include/zcvfs/zcvfs.h`).
unsafe fn xuio_ref<'a>(x: *mut RawXuio) -> Result<&'a mut RawXuio> {
    if x.is_null() {
        return Err(EINVAL);
    }
    // SAFETY: non-null, valid and exclusive for the call, and its segments
    // (if any) valid for the call (the contract).
    Ok(unsafe { RawXuio::from_raw(x) })
}

/// # Safety
///
/// As for [`file_ref`] and [`xuio_ref`].
unsafe fn file_and_xuio<'a>(
    file: *mut bindings::file,
    x: *mut RawXuio,
) -> Result<(&'a File, &'a mut RawXuio)> {
    // SAFETY: the caller's contract.
    unsafe { Ok((file_ref(file)?, xuio_ref(x)?)) }
}

/// `fop_reqzcbuf` (see zcvfs.h).
///
/// # Safety
///
/// `file` and `xuio` are valid for the call; `ct` is null or valid.
#[no_mangle]
pub(crate) unsafe extern "C" fn fop_reqzcbuf(
    file: *mut bindings::file,
    rw: u32,
    xuio: *mut RawXuio,
    ct: *const RawCallerContext,
) -> c_int {
    // SAFETY: the caller's contract.
    errno(unsafe { file_and_xuio(file, xuio) }.and_then(|(f, x)| dispatch::reqzcbuf(f, rw, x, ct)))
}

/// `fop_retzcbuf` (see zcvfs.h).
///
/// # Safety
///
/// As for [`fop_reqzcbuf`], except that the file may be valid only through
/// the loan's own reference on it (zcvfs.h).
#[no_mangle]
pub(crate) unsafe extern "C" fn fop_retzcbuf(
    file: *mut bindings::file,
    xuio: *mut RawXuio,
    ct: *const RawCallerContext,
) -> c_int {
    // SAFETY: the caller's contract.
    let r = unsafe { file_and_xuio(file, xuio) }.and_then(|(f, x)| dispatch::retzcbuf(f, x, ct));
    // The loan's pins go last, after every use of `file`: their reference
    // on it may be the caller's only one (zcvfs.h).
    errno(r.map(drop))
}

/// `fop_read_xuio` (see zcvfs.h).
///
/// # Safety
///
/// As for [`fop_reqzcbuf`]; a plain xuio's segments are valid for the call.
#[no_mangle]
pub(crate) unsafe extern "C" fn fop_read_xuio(
    file: *mut bindings::file,
    xuio: *mut RawXuio,
    ct: *const RawCallerContext,
) -> isize {
    // SAFETY: the caller's contract.
    ssize(
        unsafe { file_and_xuio(file, xuio) }.and_then(|(f, x)| dispatch::rw_xuio(f, false, x, ct)),
    )
}

/// `fop_reqzcbuf_read` (see zcvfs.h).
///
/// # Safety
///
/// As for [`fop_reqzcbuf`].
#[no_mangle]
pub(crate) unsafe extern "C" fn fop_reqzcbuf_read(
    file: *mut bindings::file,
    xuio: *mut RawXuio,
    ct: *const RawCallerContext,
) -> isize {
    // SAFETY: the caller's contract.
    ssize(unsafe { file_and_xuio(file, xuio) }.and_then(|(f, x)| dispatch::reqzcbuf_read(f, x, ct)))
}

/// `fop_write_xuio` (see zcvfs.h).
///
/// # Safety
///
/// As for [`fop_read_xuio`].
#[no_mangle]
pub(crate) unsafe extern "C" fn fop_write_xuio(
    file: *mut bindings::file,
    xuio: *mut RawXuio,
    ct: *const RawCallerContext,
) -> isize {
    // SAFETY: the caller's contract.
    ssize(unsafe { file_and_xuio(file, xuio) }.and_then(|(f, x)| dispatch::rw_xuio(f, true, x, ct)))
}

/// `fop_truncate` (see zcvfs.h).
///
/// # Safety
///
/// `file` is valid for the call; `ct` is null or valid.
#[no_mangle]
pub(crate) unsafe extern "C" fn fop_truncate(
    file: *mut bindings::file,
    length: i64,
    ct: *const RawCallerContext,
) -> c_int {
    // SAFETY: the caller's contract.
    errno(unsafe { file_ref(file) }.and_then(|f| dispatch::truncate(f, length, ct)))
}

/// `zcvfs_xuio_alloc` (see zcvfs.h).
#[no_mangle]
pub(crate) extern "C" fn zcvfs_xuio_alloc() -> *mut RawXuio {
    xuio_alloc::alloc()
}

/// `zcvfs_xuio_free` (see zcvfs.h).
///
/// # Safety
///
/// `xuio` is null or came from `zcvfs_xuio_alloc` and is not used after
/// the call.
#[no_mangle]
pub(crate) unsafe extern "C" fn zcvfs_xuio_free(xuio: *mut RawXuio) {
    // SAFETY: the caller's contract.
    unsafe { xuio_alloc::free(xuio) }
}

/// `zcvfs_register_provider` (see zcvfs.h).
///
/// # Safety
///
/// `fstype` is a registered filesystem type; `ops` a table that lives as
/// long as `owner` (null for built-in code).
#[no_mangle]
pub(crate) unsafe extern "C" fn zcvfs_register_provider(
    fstype: *mut bindings::file_system_type,
    ops: *const RawProviderOps,
    owner: *mut bindings::module,
) -> c_int {
    if fstype.is_null() {
        return EINVAL.to_errno();
    }
    errno(
        ProviderOpsRef::new(ops)
            .and_then(|ops| dispatch::register_provider(FsTypeRef(fstype), ops, ModulePtr(owner))),
    )
}

/// `zcvfs_unregister_provider` (see zcvfs.h).
///
/// # Safety
///
/// `fstype` is a filesystem type (only its address is used).
#[no_mangle]
pub(crate) unsafe extern "C" fn zcvfs_unregister_provider(
    fstype: *mut bindings::file_system_type,
) -> c_int {
    errno(dispatch::unregister_provider(FsTypeRef(fstype)))
}

/// `zcvfs_sb_set_features` (see zcvfs.h).
///
/// # Safety
///
/// `sb` is a live super_block.
#[no_mangle]
pub(crate) unsafe extern "C" fn zcvfs_sb_set_features(
    sb: *mut bindings::super_block,
    features: u64,
) -> c_int {
    if sb.is_null() {
        return EINVAL.to_errno();
    }
    // SAFETY: `sb` is live (the caller's contract).
    let fstype = unsafe { (*sb).s_type };
    errno(dispatch::sb_set_features(
        sb as usize,
        fstype as usize,
        features,
    ))
}

/// `zcvfs_sb_clear_features` (see zcvfs.h).
///
/// # Safety
///
/// `sb` is a super_block (only its address is used).
#[no_mangle]
pub(crate) unsafe extern "C" fn zcvfs_sb_clear_features(
    sb: *mut bindings::super_block,
    features: u64,
) -> c_int {
    errno(dispatch::sb_clear_features(sb as usize, features))
}

/// `vfs_has_feature` (see zcvfs.h): 1 if the super_block has `feature`.
///
/// # Safety
///
/// `sb` is a super_block (only its address is used).
#[no_mangle]
pub(crate) unsafe extern "C" fn vfs_has_feature(
    sb: *mut bindings::super_block,
    feature: u64,
) -> c_int {
    c_int::from(dispatch::has_feature(sb as usize, feature))
}

/// `zcvfs_vnext` (see zcvfs.h).
///
/// # Safety
///
/// `arg` is the argument zcvfs passed to the calling monitor operation.
#[no_mangle]
pub(crate) unsafe extern "C" fn zcvfs_vnext(arg: *mut RawFemArg) -> isize {
    if arg.is_null() {
        return EINVAL.to_errno() as isize;
    }
    // SAFETY: the caller's contract.
    let arg = unsafe { FemArgPtr::from_raw(arg) };
    let p = arg.chain();
    if p.is_null() {
        return EINVAL.to_errno() as isize;
    }
    // SAFETY: `run_chain` stored its live `FemChain` in the argument.
    let chain: &FemChain<'_, '_> = unsafe { chain_of(p) };
    chain.vnext(arg)
}

/// `zcvfs_monitor_install` (see zcvfs.h).
///
/// # Safety
///
/// `file` is valid for the call; `ops` lives as long as `owner`; `data` is
/// the monitor's, released with `ops->release` after a successful install.
#[no_mangle]
pub(crate) unsafe extern "C" fn zcvfs_monitor_install(
    file: *mut bindings::file,
    ops: *const RawMonitorOps,
    data: *mut c_void,
    owner: *mut bindings::module,
) -> i64 {
    // SAFETY: the caller's contract.
    let r = unsafe { file_ref(file) }.and_then(|f| {
        let ops = MonitorOpsRef::new(ops, data)?;
        dispatch::monitor_install(f, ops, ModulePtr(owner))
    });
    to_id(r)
}

/// `zcvfs_monitor_uninstall` (see zcvfs.h).
///
/// # Safety
///
/// `file` is valid for the call.
#[no_mangle]
pub(crate) unsafe extern "C" fn zcvfs_monitor_uninstall(
    file: *mut bindings::file,
    id: i64,
) -> c_int {
    // SAFETY: the caller's contract.
    errno(unsafe { file_ref(file) }.and_then(|f| dispatch::monitor_uninstall(f, id)))
}

/// `zcvfs_bvec_total` (see zcvfs.h).
///
/// # Safety
///
/// `segs` points to `nr` readable `struct bio_vec` (or `nr` is 0).
#[no_mangle]
pub(crate) unsafe extern "C" fn zcvfs_bvec_total(
    segs: *const bindings::bio_vec,
    nr: c_uint,
) -> usize {
    // SAFETY: the caller's contract.
    unsafe { vfs::bvec_total(segs, nr as usize) }
}

/// `zcvfs_bvec_iter` (see zcvfs.h).
///
/// # Safety
///
/// `iter` is valid for writes; `segs` points to `nr` readable `struct
/// bio_vec` (or `nr` is 0), which outlive the use of `iter`.
#[no_mangle]
pub(crate) unsafe extern "C" fn zcvfs_bvec_iter(
    iter: *mut bindings::iov_iter,
    dir: c_uint,
    segs: *const bindings::bio_vec,
    nr: c_uint,
    skip: usize,
    len: usize,
) -> c_int {
    // SAFETY: the caller's contract.
    errno(unsafe { vfs::bvec_iter(iter, dir, segs, nr, skip, len) })
}

/// `zcvfs_bvec_copy_from` (see zcvfs.h).
///
/// # Safety
///
/// `segs` points to `nsegs` readable `struct bio_vec` (or `nsegs` is 0)
/// whose pages are readable; `buf` is valid for writes of `len` bytes.
#[no_mangle]
pub(crate) unsafe extern "C" fn zcvfs_bvec_copy_from(
    segs: *const bindings::bio_vec,
    nsegs: u32,
    skip: usize,
    buf: *mut c_void,
    len: usize,
) -> isize {
    // SAFETY: the caller's contract.
    ssize(unsafe { vfs::bvec_copy_from(segs, nsegs, skip, buf, len) })
}

/// `zcvfs_bvec_copy_to` (see zcvfs.h).
///
/// # Safety
///
/// `segs` points to `nsegs` readable `struct bio_vec` (or `nsegs` is 0)
/// whose pages are the caller's to write; `buf` is valid for reads of
/// `len` bytes.
#[no_mangle]
pub(crate) unsafe extern "C" fn zcvfs_bvec_copy_to(
    segs: *const bindings::bio_vec,
    nsegs: u32,
    skip: usize,
    buf: *const c_void,
    len: usize,
) -> isize {
    // SAFETY: the caller's contract.
    ssize(unsafe { vfs::bvec_copy_to(segs, nsegs, skip, buf, len) })
}

/// `zcvfs_bvec_zero` (see zcvfs.h).
///
/// # Safety
///
/// `segs` points to `nsegs` readable `struct bio_vec` (or `nsegs` is 0)
/// whose pages are the caller's to write.
#[no_mangle]
pub(crate) unsafe extern "C" fn zcvfs_bvec_zero(
    segs: *const bindings::bio_vec,
    nsegs: u32,
    skip: usize,
    len: usize,
) -> c_int {
    // SAFETY: the caller's contract.
    errno(unsafe { vfs::bvec_zero(segs, nsegs, skip, len) })
}
