// SPDX-License-Identifier: GPL-2.0

//! The C glue of [`super::provider::Provider`]: the `extern "C"` functions
//! of its ops table and the registration calls.

use super::fop::FsType;
use super::provider::{LoanBuffers, LoanRequest, Provider, WriteOutcome};
use super::xuio::Rw;
use super::xuio_raw::*;
use kernel::bindings;
use kernel::error::{from_result, to_result};
use kernel::ffi::c_int;
use kernel::fs::File;
use kernel::prelude::*;
use kernel::types::ForeignOwnable;

// Pointers to opaque kernel structures: some bindgen types contain
// zero-length arrays, which the lint flags although only pointers cross.
#[allow(improper_ctypes)]
extern "C" {
    fn zcvfs_register_provider(
        fstype: *mut bindings::file_system_type,
        ops: *const RawProviderOps,
        owner: *mut bindings::module,
    ) -> c_int;
    fn zcvfs_unregister_provider(fstype: *mut bindings::file_system_type) -> c_int;
}

pub(super) fn register(
    fstype: FsType,
    ops: &'static RawProviderOps,
    module: &'static ThisModule,
) -> Result {
    // SAFETY: `fstype` is a registered filesystem type (type invariant),
    // `ops` is static, `module` is the caller's live module.
    to_result(unsafe { zcvfs_register_provider(fstype.0, ops, module.as_ptr()) })
}

pub(super) fn unregister(fstype: FsType) -> Result {
    // SAFETY: `fstype` is a filesystem type (type invariant).
    to_result(unsafe { zcvfs_unregister_provider(fstype.0) })
}

pub(super) const fn ops_table<T: Provider>() -> RawProviderOps {
    RawProviderOps {
        reqzcbuf: Some(reqzcbuf_cb::<T>),
        retzcbuf: Some(retzcbuf_cb::<T>),
        read_xuio: Some(read_cb::<T>),
        write_xuio: Some(write_cb::<T>),
    }
}

/// Publish the loan's current segments in the xuio.
fn publish<L: LoanBuffers>(x: &mut RawXuio, loan: &L) -> Result {
    let segs = loan.segments();
    x.xu_uio.uio_segs = segs.as_ptr().cast_mut().cast();
    x.xu_uio.uio_iovcnt = u32::try_from(segs.len())?;
    x.xu_uio.uio_segflg = UIO_SEG_BVEC;
    Ok(())
}

/// # Safety
///
/// zcvfs calls this with a live `file` and an exclusively owned, valid
/// `xuio` (its checks passed: `uio_resid > 0`, direction valid).
unsafe extern "C" fn reqzcbuf_cb<T: Provider>(
    file: *mut bindings::file,
    rw: u32,
    xuio: *mut RawXuio,
) -> c_int {
    from_result(|| {
        // SAFETY: see the function's safety section.
        let (file, x) = unsafe { (File::from_raw_file(file), &mut *xuio) };
        let req = LoanRequest {
            rw: Rw::from_raw(rw)?,
            offset: u64::try_from(x.xu_uio.uio_loffset).ok(),
            len: usize::try_from(x.xu_uio.uio_resid).map_err(|_| EINVAL)?,
        };
        let loan = T::reqzcbuf(file, &req)?;
        publish(x, &*loan)?;
        let mut zc = x.zc();
        zc.xu_zc_priv = loan.into_foreign();
        x.set_zc(zc);
        Ok(0)
    })
}

/// # Safety
///
/// zcvfs calls this once per successful `reqzcbuf_cb`, with the same
/// provider-private handle in the xuio, a live `file` and an exclusively
/// owned `xuio`.
unsafe extern "C" fn retzcbuf_cb<T: Provider>(
    file: *mut bindings::file,
    xuio: *mut RawXuio,
) -> c_int {
    // SAFETY: see the function's safety section.
    let (file, x) = unsafe { (File::from_raw_file(file), &mut *xuio) };
    let mut zc = x.zc();
    let handle = zc.xu_zc_priv;
    zc.xu_zc_priv = core::ptr::null_mut();
    x.set_zc(zc);
    x.xu_uio.uio_segs = core::ptr::null_mut();
    x.xu_uio.uio_iovcnt = 0;
    if handle.is_null() {
        return EINVAL.to_errno();
    }
    // SAFETY: `handle` came from `into_foreign` in `reqzcbuf_cb` for this
    // provider, and zcvfs returns each loan once.
    let loan = unsafe { KBox::<T::Loan>::from_foreign(handle) };
    T::retzcbuf(file, loan);
    0
}

/// # Safety
///
/// zcvfs calls this for a loan of this provider that is not returned, with
/// a live `file` and an exclusively owned `xuio` whose `uio_loffset >= 0`
/// and `uio_resid` is the loan's length.
unsafe extern "C" fn read_cb<T: Provider>(file: *mut bindings::file, xuio: *mut RawXuio) -> isize {
    from_result(|| {
        // SAFETY: see the function's safety section.
        let (file, x) = unsafe { (File::from_raw_file(file), &mut *xuio) };
        // SAFETY: the handle is this provider's live loan (see above); the
        // loan is not otherwise borrowed during the call.
        let loan = unsafe { KBox::<T::Loan>::borrow_mut(x.zc().xu_zc_priv) };
        let offset = u64::try_from(x.xu_uio.uio_loffset).map_err(|_| EINVAL)?;
        let len = usize::try_from(x.xu_uio.uio_resid).map_err(|_| EINVAL)?;
        let res = T::read_xuio(file, loan, offset, len);
        publish(x, loan)?;
        let n = res?;
        Ok(isize::try_from(n)?)
    })
}

/// # Safety
///
/// As for `read_cb`; `res` is valid for writes.
unsafe extern "C" fn write_cb<T: Provider>(
    file: *mut bindings::file,
    xuio: *mut RawXuio,
    res: *mut RawWriteResult,
) -> isize {
    from_result(|| {
        // SAFETY: see the function's safety section.
        let (file, x, res) = unsafe { (File::from_raw_file(file), &mut *xuio, &mut *res) };
        // SAFETY: as in `read_cb`.
        let loan = unsafe { KBox::<T::Loan>::borrow_mut(x.zc().xu_zc_priv) };
        let offset = u64::try_from(x.xu_uio.uio_loffset).map_err(|_| EINVAL)?;
        let len = usize::try_from(x.xu_uio.uio_resid).map_err(|_| EINVAL)?;
        let out: WriteOutcome = T::write_xuio(file, loan, offset, len)?;
        res.pages_donated = out.pages_donated;
        res.pages_copied = out.pages_copied;
        Ok(isize::try_from(out.bytes)?)
    })
}

// SAFETY: a `SegVec` only describes pages owned by the loan that holds it;
// page pointers may be used from any thread.
unsafe impl Send for super::provider::SegVec {}
// SAFETY: as above; shared access only reads the descriptions.
unsafe impl Sync for super::provider::SegVec {}
