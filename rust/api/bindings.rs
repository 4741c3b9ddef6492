// SPDX-License-Identifier: GPL-2.0

//! The bindings of the C ABI of zcvfs.ko (`include/zcvfs/xuio.h` and
//! `zcvfs.h`), written by hand: the `#[repr(C)]` mirror of its types, its
//! constants and the declarations of its exported functions. The one place
//! with `extern "C"` declarations of zcvfs's entry points; no logic, no
//! `unsafe` blocks: the abstractions ([`super::xuio`], [`super::fop`],
//! [`super::provider`], [`super::monitor`]) call these functions.
//!
//! The offsets are checked here at compile time against the same constants
//! that `rust/zcvfs_exports.c` checks with `static_assert`, so the C and the
//! Rust views of `struct xuio` cannot drift apart.

use core::mem::{offset_of, size_of};
use kernel::bindings;
#[cfg(any(zcvfs_role_provider, zcvfs_role_consumer, zcvfs_test_api))]
use kernel::ffi::c_int;
use kernel::ffi::{c_char, c_void};

/// `uio_extflag` bit: the structure is a `struct xuio`.
#[cfg(any(zcvfs_role_core, zcvfs_role_consumer, zcvfs_test_api))]
pub(crate) const UIO_XUIO: u32 = 0x004;
/// `uio_segflg`: the segments are `struct bio_vec` (pages).
pub(crate) const UIO_SEG_BVEC: u32 = 1;
/// `uio_segflg`: the segments are `struct kvec` (kernel buffers).
#[cfg(any(zcvfs_role_core, zcvfs_role_consumer, zcvfs_test_api))]
pub(crate) const UIO_SEG_KVEC: u32 = 2;
/// The most segments a plain xuio may carry.
#[cfg(zcvfs_role_core)]
pub(crate) const UIO_MAXSEGS: u32 = 1024;
/// `enum uio_rw`: read.
pub(crate) const UIO_READ: u32 = 0;
/// `enum uio_rw`: write.
pub(crate) const UIO_WRITE: u32 = 1;
/// `enum xuio_type`: asynchronous I/O.
#[cfg(any(zcvfs_role_core, zcvfs_role_consumer, zcvfs_test_api))]
pub(crate) const UIOTYPE_ASYNCIO: u32 = 0;
/// `enum xuio_type`: zero-copy.
#[cfg(any(zcvfs_role_core, zcvfs_role_consumer, zcvfs_test_api))]
pub(crate) const UIOTYPE_ZEROCOPY: u32 = 1;
/// `xu_zc_state`: never loaned.
#[cfg(any(zcvfs_role_core, zcvfs_role_consumer, zcvfs_test_api))]
pub(crate) const XUIO_ZC_NONE: u32 = 0;
/// `xu_zc_state`: buffers loaned.
#[cfg(any(zcvfs_role_core, zcvfs_role_consumer, zcvfs_test_api))]
pub(crate) const XUIO_ZC_LOANED: u32 = 1;
/// `xu_zc_state`: read done, READ segments valid.
#[cfg(any(zcvfs_role_core, zcvfs_role_consumer, zcvfs_test_api))]
pub(crate) const XUIO_ZC_FILLED: u32 = 2;
/// `xu_zc_state`: write done.
#[cfg(any(zcvfs_role_core, zcvfs_role_consumer, zcvfs_test_api))]
pub(crate) const XUIO_ZC_WRITTEN: u32 = 3;
/// `xu_zc_state`: buffers returned.
#[cfg(any(zcvfs_role_core, zcvfs_role_consumer, zcvfs_test_api))]
pub(crate) const XUIO_ZC_RETURNED: u32 = 4;
/// The VFS feature of zero-copy providers.
#[cfg(any(zcvfs_role_core, zcvfs_role_provider, zcvfs_test_api))]
pub(crate) const VFSFT_ZEROCOPY_SUPPORTED: u64 = 0x1_0000_0100;

/// `struct uio`: the embedded uio. Its fields are private to the API:
/// see the invariants of [`RawXuio`].
#[repr(C)]
pub(crate) struct RawUio {
    /// `uio_bvec` / `uio_kvec`: the segments, interpreted by `uio_segflg`.
    pub(super) uio_segs: *mut c_void,
    /// Number of segments.
    pub(super) uio_iovcnt: u32,
    /// `UIO_SEG_*`.
    pub(super) uio_segflg: u32,
    /// File offset; `-1` for anonymous write buffers.
    pub(super) uio_loffset: i64,
    /// Bytes still to transfer.
    pub(super) uio_resid: i64,
    /// `UIO_XUIO` when the structure is a `struct xuio`.
    pub(super) uio_extflag: u32,
    /// Zero.
    pub(super) uio_reserved: u32,
}

/// `struct xuio_zc`: the zero-copy extension.
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct RawZc {
    /// `enum uio_rw`.
    pub(crate) xu_zc_rw: u32,
    /// `XUIO_ZC_*`.
    pub(crate) xu_zc_state: u32,
    /// Provider private handle.
    pub(crate) xu_zc_priv: *mut c_void,
    /// zcvfs private loan cookie.
    pub(crate) xu_zc_loan: u64,
}

/// `struct xuio_aio`: the asynchronous I/O extension.
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct RawAio {
    /// State of the asynchronous I/O.
    pub(crate) xu_a_state: u32,
    /// Padding.
    pub(crate) xu_a_pad: u32,
    /// Bytes moved so far.
    pub(crate) xu_a_mbytes: i64,
    /// Pointer into the locked pages.
    pub(crate) xu_a_lcur: *mut c_void,
    /// Pointer into the current entry's page pointers.
    pub(crate) xu_a_lppp: *mut *mut c_void,
    /// Opaque hardware state.
    pub(crate) xu_a_hwst: [*mut c_void; 4],
}

/// The extension union of `struct xuio`.
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) union RawXuioExt {
    /// Asynchronous I/O.
    pub(crate) xu_aio: RawAio,
    /// Zero-copy.
    pub(crate) xu_zc: RawZc,
    /// Fixes the size so that new extensions keep the layout.
    pub(crate) xu_ext_pad: [u64; 8],
}

/// `struct xuio`.
///
/// Not `Clone`, and its fields are private to the API (`super::xuio` has
/// the accessors): safe code can neither point it at arbitrary segments
/// nor keep a copy beyond the segments' life.
///
/// # Invariants
///
/// `uio_segs` is null, or points to `uio_iovcnt` segments of the kind
/// `uio_segflg` says that are valid while the xuio is used: the caller's
/// (a plain xuio given to `fop_read_xuio`/`fop_write_xuio`, see
/// `RawXuio::from_raw`) or a provider's loan (published by the provider,
/// restored by zcvfs from its loan record).
#[repr(C)]
pub(crate) struct RawXuio {
    /// The embedded uio.
    pub(super) xu_uio: RawUio,
    /// `enum xuio_type`, valid when `uio_extflag` has `UIO_XUIO`.
    pub(super) xu_type: u32,
    /// Padding.
    pub(super) xu_pad: u32,
    /// The extension.
    pub(super) xu_ext: RawXuioExt,
}

/// `struct zcvfs_caller_context`.
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct RawCallerContext {
    /// Name of the caller (NUL-terminated), or null.
    pub(crate) cc_name: *const c_char,
    /// Caller-defined id.
    pub(crate) cc_id: u64,
    /// Caller-defined data.
    pub(crate) cc_data: *mut c_void,
}

/// `struct zcvfs_write_result`.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub(crate) struct RawWriteResult {
    /// Whole pages moved into the cache.
    pub(crate) pages_donated: u64,
    /// Pages whose data was copied.
    pub(crate) pages_copied: u64,
}

/// `struct zcvfs_provider_ops`.
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct RawProviderOps {
    /// Loan buffers.
    pub(crate) reqzcbuf:
        Option<unsafe extern "C" fn(*mut bindings::file, u32, *mut RawXuio) -> kernel::ffi::c_int>,
    /// Release loaned buffers.
    pub(crate) retzcbuf:
        Option<unsafe extern "C" fn(*mut bindings::file, *mut RawXuio) -> kernel::ffi::c_int>,
    /// Zero-copy read.
    pub(crate) read_xuio: Option<unsafe extern "C" fn(*mut bindings::file, *mut RawXuio) -> isize>,
    /// Zero-copy write.
    pub(crate) write_xuio: Option<
        unsafe extern "C" fn(*mut bindings::file, *mut RawXuio, *mut RawWriteResult) -> isize,
    >,
}

/// `struct zcvfs_fem_arg`.
#[repr(C)]
pub(crate) struct RawFemArg {
    /// `enum zcvfs_fem_op`.
    pub(crate) op: u32,
    /// `enum uio_rw`, for reqzcbuf.
    pub(crate) rw: u32,
    /// The file.
    pub(crate) file: *mut bindings::file,
    /// The xuio, or null for truncate.
    pub(crate) xuio: *mut RawXuio,
    /// The new size, for truncate.
    pub(crate) length: i64,
    /// The caller context, or null.
    pub(crate) ct: *const RawCallerContext,
    /// The called monitor's private data.
    pub(crate) data: *mut c_void,
    /// zcvfs private chain state.
    pub(crate) chain: *mut c_void,
}

/// A monitor operation.
pub(crate) type RawFemFn = unsafe extern "C" fn(*mut RawFemArg) -> isize;

/// `struct zcvfs_monitor_ops`.
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct RawMonitorOps {
    /// Read.
    pub(crate) read: Option<RawFemFn>,
    /// Write.
    pub(crate) write: Option<RawFemFn>,
    /// Request of buffers.
    pub(crate) reqzcbuf: Option<RawFemFn>,
    /// Return of buffers.
    pub(crate) retzcbuf: Option<RawFemFn>,
    /// Truncate.
    pub(crate) truncate: Option<RawFemFn>,
    /// Release of the private data.
    pub(crate) release: Option<unsafe extern "C" fn(*mut c_void)>,
}

// The layout constants of `include/zcvfs/xuio.h` (`XUIO_OFF_*`, `XUIO_SIZE`).
const _: () = assert!(offset_of!(RawXuio, xu_uio) == 0);
const _: () = assert!(offset_of!(RawUio, uio_iovcnt) == 8);
const _: () = assert!(offset_of!(RawUio, uio_loffset) == 16);
const _: () = assert!(offset_of!(RawUio, uio_resid) == 24);
const _: () = assert!(offset_of!(RawUio, uio_extflag) == 32);
const _: () = assert!(offset_of!(RawXuio, xu_type) == 40);
const _: () = assert!(offset_of!(RawXuio, xu_ext) == 48);
const _: () = assert!(offset_of!(RawXuio, xu_ext) + offset_of!(RawZc, xu_zc_priv) == 56);
const _: () = assert!(offset_of!(RawXuio, xu_ext) + offset_of!(RawZc, xu_zc_loan) == 64);
const _: () = assert!(size_of::<RawXuio>() == 112);
const _: () = assert!(size_of::<RawAio>() == 64);
const _: () = assert!(size_of::<RawFemArg>() == 56);
const _: () = assert!(size_of::<RawProviderOps>() == 32);
const _: () = assert!(size_of::<RawMonitorOps>() == 48);

// Pointers to opaque kernel structures: some bindgen types contain
// zero-length arrays, which the lint flags although only pointers cross.
#[allow(improper_ctypes)]
extern "C" {
    /// `fop_reqzcbuf`.
    #[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
    pub(crate) fn fop_reqzcbuf(
        file: *mut bindings::file,
        rw: u32,
        xuio: *mut RawXuio,
        ct: *const RawCallerContext,
    ) -> c_int;
    /// `fop_retzcbuf`.
    #[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
    pub(crate) fn fop_retzcbuf(
        file: *mut bindings::file,
        xuio: *mut RawXuio,
        ct: *const RawCallerContext,
    ) -> c_int;
    /// `fop_read_xuio`.
    #[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
    pub(crate) fn fop_read_xuio(
        file: *mut bindings::file,
        xuio: *mut RawXuio,
        ct: *const RawCallerContext,
    ) -> isize;
    /// `fop_reqzcbuf_read`.
    #[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
    pub(crate) fn fop_reqzcbuf_read(
        file: *mut bindings::file,
        xuio: *mut RawXuio,
        ct: *const RawCallerContext,
    ) -> isize;
    /// `fop_write_xuio`.
    #[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
    pub(crate) fn fop_write_xuio(
        file: *mut bindings::file,
        xuio: *mut RawXuio,
        ct: *const RawCallerContext,
    ) -> isize;
    /// `zcvfs_xuio_alloc`.
    #[cfg(any(zcvfs_role_core, zcvfs_role_consumer, zcvfs_test_api))]
    pub(crate) fn zcvfs_xuio_alloc() -> *mut RawXuio;
    /// `zcvfs_xuio_free`.
    #[cfg(any(zcvfs_role_core, zcvfs_role_consumer, zcvfs_test_api))]
    pub(crate) fn zcvfs_xuio_free(xuio: *mut RawXuio);
    /// `fop_truncate`.
    #[cfg(zcvfs_test_api)]
    pub(crate) fn fop_truncate(
        file: *mut bindings::file,
        length: i64,
        ct: *const RawCallerContext,
    ) -> c_int;
    /// `vfs_has_feature`.
    #[cfg(zcvfs_test_api)]
    pub(crate) fn vfs_has_feature(sb: *mut bindings::super_block, feature: u64) -> c_int;
    /// `zcvfs_sb_set_features`.
    #[cfg(any(zcvfs_role_provider, zcvfs_test_api))]
    pub(crate) fn zcvfs_sb_set_features(sb: *mut bindings::super_block, features: u64) -> c_int;
    /// `zcvfs_sb_clear_features`.
    #[cfg(any(zcvfs_role_provider, zcvfs_test_api))]
    pub(crate) fn zcvfs_sb_clear_features(sb: *mut bindings::super_block, features: u64) -> c_int;
    /// `zcvfs_register_provider`.
    #[cfg(any(zcvfs_role_provider, zcvfs_test_api))]
    pub(crate) fn zcvfs_register_provider(
        fstype: *mut bindings::file_system_type,
        ops: *const RawProviderOps,
        owner: *mut bindings::module,
    ) -> c_int;
    /// `zcvfs_unregister_provider`.
    #[cfg(any(zcvfs_role_provider, zcvfs_test_api))]
    pub(crate) fn zcvfs_unregister_provider(fstype: *mut bindings::file_system_type) -> c_int;
    /// `zcvfs_vnext`.
    #[cfg(zcvfs_role_monitor)]
    pub(crate) fn zcvfs_vnext(arg: *mut RawFemArg) -> isize;
    /// `zcvfs_monitor_install`.
    #[cfg(zcvfs_role_monitor)]
    pub(crate) fn zcvfs_monitor_install(
        file: *mut bindings::file,
        ops: *const RawMonitorOps,
        data: *mut c_void,
        owner: *mut bindings::module,
    ) -> i64;
    /// `zcvfs_monitor_uninstall`.
    #[cfg(zcvfs_role_monitor)]
    pub(crate) fn zcvfs_monitor_uninstall(file: *mut bindings::file, id: i64) -> c_int;
    /// `zcvfs_bvec_copy_from`: copy from `bio_vec` segments into a buffer.
    #[cfg(zcvfs_test_api)]
    pub(crate) fn zcvfs_bvec_copy_from(
        segs: *const bindings::bio_vec,
        nsegs: u32,
        skip: usize,
        buf: *mut c_void,
        len: usize,
    ) -> isize;
    /// `zcvfs_bvec_copy_to`: copy a buffer into `bio_vec` segments.
    #[cfg(zcvfs_test_api)]
    pub(crate) fn zcvfs_bvec_copy_to(
        segs: *const bindings::bio_vec,
        nsegs: u32,
        skip: usize,
        buf: *const c_void,
        len: usize,
    ) -> isize;
    /// `zcvfs_bvec_iter`: an `ITER_BVEC` iterator over `len` bytes of
    /// `bio_vec` segments from byte `skip` on (a consumer's socket I/O on
    /// a loan's segments).
    #[cfg(zcvfs_role_consumer)]
    pub(crate) fn zcvfs_bvec_iter(
        iter: *mut bindings::iov_iter,
        dir: core::ffi::c_uint,
        segs: *const bindings::bio_vec,
        nr: core::ffi::c_uint,
        skip: usize,
        len: usize,
    ) -> c_int;
    /// `zcvfs_bvec_zero`: zero `len` bytes of `bio_vec` segments from byte
    /// `skip` on.
    #[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
    pub(crate) fn zcvfs_bvec_zero(
        segs: *const bindings::bio_vec,
        nsegs: u32,
        skip: usize,
        len: usize,
    ) -> c_int;
}
