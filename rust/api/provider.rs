// SPDX-License-Identifier: GPL-2.0

//! The provider's side: a filesystem that loans its buffers.
//!
//! Implement [`Provider`] (in the style of the kernel's `#[vtable]`
//! operation traits) and register it for a filesystem type with
//! [`Registration`] (a filesystem registers its own type with
//! `FsType::from_raw`, a test with [`super::fop::fs_type_of`]); then set
//! `VFSFT_ZEROCOPY_SUPPORTED` on each super_block that should offer
//! zero-copy ([`super::fop::SuperBlock::set_features`] in `fill_super`,
//! cleared again in `kill_sb`). The C ops table zcvfs calls is
//! [`ProviderOps::OPS`].
//!
//! A loan is a value of the provider's own type [`Provider::Loan`], boxed
//! and handed to zcvfs as the xuio's private handle; it comes back as
//! `&mut` for the read or write and by value for the return, so the
//! provider never sees a handle it did not create.

use super::inline_vec::InlineVec;
use super::xuio::Segment;
use kernel::prelude::*;
// The rest is the provider's: zcvfs.ko only uses `SegVec`.
#[cfg(any(zcvfs_role_provider, zcvfs_test_api))]
use {
    super::bindings::*,
    super::fop::FsType,
    super::xuio::Rw,
    core::marker::PhantomData,
    kernel::bindings,
    kernel::error::{from_result, to_result},
    kernel::ffi::c_int,
    kernel::fs::File,
    kernel::types::ForeignOwnable,
};

/// What a consumer asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg(any(zcvfs_role_provider, zcvfs_test_api))]
pub(crate) struct LoanRequest {
    /// Direction.
    pub(crate) rw: Rw,
    /// File offset, or `None` for anonymous WRITE buffers.
    pub(crate) offset: Option<u64>,
    /// Total length; the loan must cover exactly this much.
    pub(crate) len: usize,
}

/// What a provider reports about a write.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg(any(zcvfs_role_provider, zcvfs_test_api))]
pub(crate) struct WriteOutcome {
    /// Bytes written.
    pub(crate) bytes: usize,
    /// Whole pages moved into the page cache.
    pub(crate) pages_donated: u64,
    /// Pages whose data was copied.
    pub(crate) pages_copied: u64,
}

/// The buffers behind a loan.
///
/// zcvfs publishes the slice [`LoanBuffers::segments`] returns in the
/// consumer's xuio after each call of the provider, and the consumer reads
/// or writes the bytes it describes until its next call, with no borrow of
/// the loan that the compiler could check. Hence an `unsafe trait`.
///
/// # Safety
///
/// An implementation guarantees that, from each call of `segments` until
/// the loan is next borrowed mutably (the provider's next operation on it)
/// or dropped:
///
/// - the returned slice stays at its address, unchanged (the loan is boxed
///   by [`Provider::reqzcbuf`], so a slice stored in the loan itself
///   qualifies);
/// - for a WRITE loan before its write, nothing but the consumer accesses
///   the bytes of the segments (the consumer fills them through
///   [`super::xuio::WritableSegments`]);
/// - for a READ loan, nothing writes those bytes while the consumer may
///   read them, except as the page cache does for shared pages
///   (`write(2)` of the same range, which the provider orders against its
///   loans, e.g. by copy-on-write).
#[cfg(any(zcvfs_role_provider, zcvfs_test_api))]
pub(crate) unsafe trait LoanBuffers: Send {
    /// The segments currently loaned: after a request they cover the
    /// requested length (a READ loan may have none until its read, the
    /// consumer may not look at them before), after a read exactly the
    /// bytes read.
    fn segments(&self) -> &[Segment];
}

/// A zero-copy provider.
#[vtable]
#[cfg(any(zcvfs_role_provider, zcvfs_test_api))]
pub(crate) trait Provider: Sized + 'static {
    /// The provider's loan.
    type Loan: LoanBuffers;

    /// `VOP_REQZCBUF`: loan buffers covering exactly `req.len` bytes, or
    /// fail (`EINVAL` when it cannot or will not loan).
    fn reqzcbuf(file: &File, req: &LoanRequest) -> Result<KBox<Self::Loan>>;

    /// `VOP_RETZCBUF`: take the loan back. By default it is dropped.
    fn retzcbuf(_file: &File, loan: KBox<Self::Loan>) {
        drop(loan);
    }

    /// `VOP_READ`: fill the READ loan with `len` bytes at `offset`, trim
    /// its segments at end of file, return the bytes read.
    fn read_xuio(file: &File, loan: &mut Self::Loan, offset: u64, len: usize) -> Result<usize>;

    /// `VOP_WRITE`: write the WRITE loan's `len` bytes at `offset`.
    fn write_xuio(
        file: &File,
        loan: &mut Self::Loan,
        offset: u64,
        len: usize,
    ) -> Result<WriteOutcome>;
}

/// The C ops table of a [`Provider`].
#[cfg(any(zcvfs_role_provider, zcvfs_test_api))]
pub(crate) struct ProviderOps<T: Provider>(PhantomData<T>);

#[cfg(any(zcvfs_role_provider, zcvfs_test_api))]
impl<T: Provider> ProviderOps<T> {
    /// The table handed to `zcvfs_register_provider`.
    pub(crate) const OPS: RawProviderOps = ops_table::<T>();
}

/// A registered provider; dropping it unregisters it.
///
/// Outstanding loans keep working (they hold a reference on the module
/// that owns the provider); new requests then get `ENOTSUP`.
#[cfg(any(zcvfs_role_provider, zcvfs_test_api))]
pub(crate) struct Registration<T: Provider> {
    fstype: FsType,
    _p: PhantomData<T>,
}

#[cfg(any(zcvfs_role_provider, zcvfs_test_api))]
impl<T: Provider> Registration<T> {
    /// Register `T` for `fstype`, owned by `module`.
    pub(crate) fn register(fstype: FsType, module: &'static ThisModule) -> Result<Self> {
        register(fstype, &ProviderOps::<T>::OPS, module)?;
        Ok(Registration {
            fstype,
            _p: PhantomData,
        })
    }
}

#[cfg(any(zcvfs_role_provider, zcvfs_test_api))]
impl<T: Provider> Drop for Registration<T> {
    fn drop(&mut self) {
        if let Err(e) = unregister(self.fstype) {
            pr_warn!("zcvfs: unregistering a provider failed: {:?}\n", e);
        }
    }
}

/// Segments a [`SegVec`] holds in place: a loan of up to this many pages
/// needs no allocation for its segments (like `struct bio`'s inline
/// `bio_vec`s).
pub(crate) const SEGS_INLINE: usize = 8;

/// The segments of a loan: a vector of [`Segment`]s that moves with the
/// loan (the pages it describes belong to the loan). The first
/// [`SEGS_INLINE`] live inside it.
#[derive(Default)]
pub(crate) struct SegVec {
    v: InlineVec<Segment, SEGS_INLINE>,
}

impl SegVec {
    /// Empty, with room for `n` segments (allocates only beyond
    /// [`SEGS_INLINE`]).
    #[cfg(any(zcvfs_role_core, zcvfs_test_api))]
    pub(crate) fn with_capacity(n: usize) -> Result<Self> {
        Ok(SegVec {
            v: InlineVec::with_capacity(n)?,
        })
    }

    /// Empty, allocating nothing until more than [`SEGS_INLINE`] segments
    /// arrive, and then room for `n` (see
    /// [`InlineVec::with_spill_capacity`]).
    #[cfg(zcvfs_role_provider)]
    pub(crate) fn with_spill_capacity(n: usize) -> Self {
        SegVec {
            v: InlineVec::with_spill_capacity(n),
        }
    }

    /// Append a segment.
    pub(crate) fn push(&mut self, s: Segment) -> Result {
        self.v.push(s)
    }

    /// Remove every segment.
    #[cfg(any(zcvfs_role_provider, zcvfs_test_api))]
    pub(crate) fn clear(&mut self) {
        self.v.clear();
    }

    /// The segments.
    pub(crate) fn as_slice(&self) -> &[Segment] {
        self.v.as_slice()
    }
}

#[cfg(any(zcvfs_role_provider, zcvfs_test_api))]
fn register(fstype: FsType, ops: &'static RawProviderOps, module: &'static ThisModule) -> Result {
    // SAFETY: `fstype` is a registered filesystem type (type invariant),
    // `ops` is static, `module` is the caller's live module.
    to_result(unsafe { zcvfs_register_provider(fstype.0, ops, module.as_ptr()) })
}

#[cfg(any(zcvfs_role_provider, zcvfs_test_api))]
fn unregister(fstype: FsType) -> Result {
    // SAFETY: `fstype` is a filesystem type (type invariant).
    to_result(unsafe { zcvfs_unregister_provider(fstype.0) })
}

#[cfg(any(zcvfs_role_provider, zcvfs_test_api))]
const fn ops_table<T: Provider>() -> RawProviderOps {
    RawProviderOps {
        reqzcbuf: Some(reqzcbuf_cb::<T>),
        retzcbuf: Some(retzcbuf_cb::<T>),
        read_xuio: Some(read_cb::<T>),
        write_xuio: Some(write_cb::<T>),
    }
}

/// Publish the loan's current segments in the xuio.
#[cfg(any(zcvfs_role_provider, zcvfs_test_api))]
fn publish<L: LoanBuffers>(x: &mut RawXuio, loan: &L) -> Result {
    // INVARIANT (of `RawXuio`): the segments stay valid until the loan's
    // next operation or return (`LoanBuffers` contract).
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
#[cfg(any(zcvfs_role_provider, zcvfs_test_api))]
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
        x.xu_ext.xu_zc = zc;
        Ok(0)
    })
}

/// # Safety
///
/// zcvfs calls this once per successful `reqzcbuf_cb`, with the same
/// provider-private handle in the xuio, a live `file` and an exclusively
/// owned `xuio`.
#[cfg(any(zcvfs_role_provider, zcvfs_test_api))]
unsafe extern "C" fn retzcbuf_cb<T: Provider>(
    file: *mut bindings::file,
    xuio: *mut RawXuio,
) -> c_int {
    // SAFETY: see the function's safety section.
    let (file, x) = unsafe { (File::from_raw_file(file), &mut *xuio) };
    let mut zc = x.zc();
    let handle = zc.xu_zc_priv;
    zc.xu_zc_priv = core::ptr::null_mut();
    x.xu_ext.xu_zc = zc;
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

/// The loan of a read or write, and its offset and length.
///
/// # Safety
///
/// The handle in `x` is null or this provider's live loan (from
/// `reqzcbuf_cb`, not returned), which nothing else borrows for `'a`.
#[cfg(any(zcvfs_role_provider, zcvfs_test_api))]
unsafe fn loan_io<'a, T: Provider>(x: &RawXuio) -> Result<(&'a mut T::Loan, u64, usize)> {
    let handle = x.zc().xu_zc_priv;
    if handle.is_null() {
        return Err(EINVAL);
    }
    let offset = u64::try_from(x.xu_uio.uio_loffset).map_err(|_| EINVAL)?;
    let len = usize::try_from(x.xu_uio.uio_resid).map_err(|_| EINVAL)?;
    // SAFETY: the caller's contract.
    Ok((unsafe { KBox::<T::Loan>::borrow_mut(handle) }, offset, len))
}

/// # Safety
///
/// zcvfs calls this for a loan of this provider that is not returned, with
/// a live `file` and an exclusively owned `xuio` whose `uio_loffset >= 0`
/// and `uio_resid` is the loan's length.
#[cfg(any(zcvfs_role_provider, zcvfs_test_api))]
unsafe extern "C" fn read_cb<T: Provider>(file: *mut bindings::file, xuio: *mut RawXuio) -> isize {
    from_result(|| {
        // SAFETY: see the function's safety section.
        let (file, x) = unsafe { (File::from_raw_file(file), &mut *xuio) };
        // SAFETY: the handle is this provider's live loan, not otherwise
        // borrowed during the call (see above).
        let (loan, offset, len) = unsafe { loan_io::<T>(x)? };
        let res = T::read_xuio(file, loan, offset, len);
        publish(x, loan)?;
        let n = res?;
        Ok(isize::try_from(n)?)
    })
}

/// # Safety
///
/// As for `read_cb`; `res` is valid for writes.
#[cfg(any(zcvfs_role_provider, zcvfs_test_api))]
unsafe extern "C" fn write_cb<T: Provider>(
    file: *mut bindings::file,
    xuio: *mut RawXuio,
    res: *mut RawWriteResult,
) -> isize {
    from_result(|| {
        // SAFETY: see the function's safety section.
        let (file, x, res) = unsafe { (File::from_raw_file(file), &mut *xuio, &mut *res) };
        // SAFETY: as in `read_cb`.
        let (loan, offset, len) = unsafe { loan_io::<T>(x)? };
        let out: WriteOutcome = T::write_xuio(file, loan, offset, len)?;
        res.pages_donated = out.pages_donated;
        res.pages_copied = out.pages_copied;
        Ok(isize::try_from(out.bytes)?)
    })
}
