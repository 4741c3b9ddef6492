// SPDX-License-Identifier: GPL-2.0

//! The safe, owned extended uio.
//!
//! [`Xuio`] owns a `struct xuio` on the heap (its address stays fixed, as
//! zcvfs's loan table requires) and never holds caller-supplied segment
//! pointers: its segments, if any, are the ones a provider loaned through
//! zcvfs. That is what makes every `fop_*` call on it safe: zcvfs checks the
//! whole protocol state (direction, type, loaned/read/written/returned) and
//! answers misuse with an errno.

use super::bindings::*;
#[cfg(zcvfs_test_api)]
use super::error::from_ssize;
#[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
use super::error::to_result;
#[cfg(any(zcvfs_role_core, zcvfs_role_provider, zcvfs_test_api))]
use super::inline_vec::Vacant;
#[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
use core::marker::PhantomData;
use core::ops::Deref;
#[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
use core::sync::atomic::{AtomicUsize, Ordering};
#[cfg(any(zcvfs_role_core, zcvfs_role_consumer, zcvfs_test_api))]
use core::{ops::DerefMut, ptr::NonNull};
use kernel::bindings;
#[cfg(any(zcvfs_role_core, zcvfs_role_consumer, zcvfs_test_api))]
use kernel::ffi::c_void;
#[cfg(any(zcvfs_role_core, zcvfs_role_consumer, zcvfs_test_api))]
use kernel::page::{Page, PAGE_SIZE};
use kernel::prelude::*;

/// The direction of a loan (`enum uio_rw`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Rw {
    /// Buffers for a subsequent read.
    Read,
    /// Buffers for a subsequent write.
    Write,
}

impl Rw {
    /// The C value.
    #[cfg(any(zcvfs_role_core, zcvfs_role_consumer, zcvfs_test_api))]
    pub(crate) const fn raw(self) -> u32 {
        match self {
            Rw::Read => UIO_READ,
            Rw::Write => UIO_WRITE,
        }
    }

    /// From the C value.
    pub(crate) fn from_raw(v: u32) -> Result<Rw> {
        match v {
            UIO_READ => Ok(Rw::Read),
            UIO_WRITE => Ok(Rw::Write),
            _ => Err(EINVAL),
        }
    }
}

/// Where a zero-copy xuio is in its life (`xu_zc_state`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[cfg(any(zcvfs_role_core, zcvfs_role_consumer, zcvfs_test_api))]
pub(crate) enum ZcState {
    /// Never loaned.
    None,
    /// Buffers loaned.
    Loaned,
    /// Read done: READ segments are valid.
    Filled,
    /// Write done: the segments belong to the filesystem.
    Written,
    /// Buffers returned.
    Returned,
    /// A value this version does not know.
    Unknown(u32),
}

#[cfg(any(zcvfs_role_core, zcvfs_role_consumer, zcvfs_test_api))]
impl ZcState {
    /// From the C value.
    pub(crate) const fn from_raw(v: u32) -> ZcState {
        match v {
            XUIO_ZC_NONE => ZcState::None,
            XUIO_ZC_LOANED => ZcState::Loaned,
            XUIO_ZC_FILLED => ZcState::Filled,
            XUIO_ZC_WRITTEN => ZcState::Written,
            XUIO_ZC_RETURNED => ZcState::Returned,
            v => ZcState::Unknown(v),
        }
    }

    /// The C value.
    #[cfg(any(zcvfs_role_core, zcvfs_test_api))]
    pub(crate) const fn raw(self) -> u32 {
        match self {
            ZcState::None => XUIO_ZC_NONE,
            ZcState::Loaned => XUIO_ZC_LOANED,
            ZcState::Filled => XUIO_ZC_FILLED,
            ZcState::Written => XUIO_ZC_WRITTEN,
            ZcState::Returned => XUIO_ZC_RETURNED,
            ZcState::Unknown(v) => v,
        }
    }
}

/// The state of the asynchronous I/O extension.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[cfg(any(zcvfs_role_core, zcvfs_role_consumer, zcvfs_test_api))]
pub(crate) struct AioState {
    /// `xu_a_state`.
    pub(crate) state: u32,
    /// `xu_a_mbytes`.
    pub(crate) mbytes: i64,
}

/// The extension of an xuio, decoded from its type tag and union.
///
/// New extension types are new variants; the enum is `#[non_exhaustive]` so
/// that existing `match`es keep compiling.
#[non_exhaustive]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[cfg(any(zcvfs_role_core, zcvfs_role_consumer, zcvfs_test_api))]
pub(crate) enum XuioExt {
    /// A plain uio (`UIO_XUIO` not set).
    Plain,
    /// Zero-copy: direction, state and the provider's private handle.
    ZeroCopy {
        /// Direction (`None` if the C value is invalid).
        rw: Option<Rw>,
        /// Protocol state.
        state: ZcState,
        /// Provider private handle; never dereferenced here.
        handle: *mut c_void,
    },
    /// Asynchronous I/O.
    AsyncIo(AioState),
    /// A type tag this version does not know.
    Unknown(u32),
}

#[cfg(any(zcvfs_role_core, zcvfs_role_consumer, zcvfs_test_api))]
impl XuioExt {
    /// Decode a raw xuio.
    pub(crate) fn of(raw: &RawXuio) -> XuioExt {
        if !raw.is_xuio() {
            return XuioExt::Plain;
        }
        match raw.xu_type {
            UIOTYPE_ZEROCOPY => {
                let zc = raw.zc();
                XuioExt::ZeroCopy {
                    rw: Rw::from_raw(zc.xu_zc_rw).ok(),
                    state: ZcState::from_raw(zc.xu_zc_state),
                    handle: zc.xu_zc_priv,
                }
            }
            UIOTYPE_ASYNCIO => {
                let aio = raw.aio();
                XuioExt::AsyncIo(AioState {
                    state: aio.xu_a_state,
                    mbytes: aio.xu_a_mbytes,
                })
            }
            t => XuioExt::Unknown(t),
        }
    }
}

/// A page segment (`struct bio_vec`): `bv_len` bytes at `bv_offset` in
/// `bv_page`, as a provider loans them or as a module's own pages.
///
/// Safe code reads the fields (through [`Deref`]) but cannot make a
/// segment: the constructors are `unsafe fn`s whose callers promise that
/// the bytes stay valid, so that the functions that copy into or out of a
/// slice of segments (the consumers' receives and sends, zcvfs's copies)
/// can be safe. Not `Clone`: a segment cannot be kept beyond the value
/// that owns it (a loan, a [`super::fop::PageBuf`], a provider's
/// [`super::provider::SegVec`]) except as a raw, inert `bio_vec` copy.
///
/// # Invariants
///
/// `bv_len` bytes at `bv_offset` of `bv_page` are memory of a page that
/// stays allocated while the segment is used (its owner holds a reference
/// on the page, or the page is static); `bv_len == 0` for the empty
/// segment, whose page is never touched.
#[repr(transparent)]
pub(crate) struct Segment(bindings::bio_vec);

impl Segment {
    /// A segment from a raw `bio_vec`.
    ///
    /// # Safety
    ///
    /// `bv.bv_page` is a page that stays allocated for as long as the
    /// segment is used (read or written through) and `bv.bv_offset +
    /// bv.bv_len` lies within that page (or its folio); whoever holds the
    /// segment may read those bytes.
    #[cfg(zcvfs_role_provider)]
    pub(crate) unsafe fn from_raw(bv: bindings::bio_vec) -> Self {
        // INVARIANT: the caller's contract.
        Segment(bv)
    }

    /// `len` bytes at `offset` of `page`; `EINVAL` if they do not fit.
    ///
    /// # Safety
    ///
    /// `page` stays allocated for as long as the segment is used (the
    /// caller keeps the `Page` with it).
    #[cfg(any(zcvfs_role_core, zcvfs_role_consumer, zcvfs_test_api))]
    pub(crate) unsafe fn from_page(page: &Page, offset: usize, len: usize) -> Result<Self> {
        if offset.checked_add(len).is_none_or(|end| end > PAGE_SIZE) {
            return Err(EINVAL);
        }
        // INVARIANT: within `page`, which the caller keeps.
        Ok(Segment(bindings::bio_vec {
            bv_page: page.as_ptr(),
            // Both at most `PAGE_SIZE`.
            bv_len: len as u32,
            bv_offset: offset as u32,
        }))
    }

    /// The empty segment: no bytes, no page.
    #[cfg(any(zcvfs_role_core, zcvfs_role_provider, zcvfs_test_api))]
    pub(crate) const fn empty() -> Self {
        // INVARIANT: `bv_len == 0`.
        Segment(bindings::bio_vec {
            bv_page: core::ptr::null_mut(),
            bv_len: 0,
            bv_offset: 0,
        })
    }

    /// Bytes in the segment.
    #[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
    pub(crate) fn len(&self) -> usize {
        self.0.bv_len as usize
    }

    /// The segments as the C `struct bio_vec` array they are, for calls
    /// that take one.
    #[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
    pub(crate) fn as_raw_slice(segs: &[Segment]) -> *const bindings::bio_vec {
        segs.as_ptr().cast()
    }

    /// Total bytes of `segs`.
    #[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
    pub(crate) fn total(segs: &[Segment]) -> usize {
        segs.iter().map(Segment::len).sum()
    }
}

impl Deref for Segment {
    type Target = bindings::bio_vec;

    fn deref(&self) -> &bindings::bio_vec {
        &self.0
    }
}

#[cfg(any(zcvfs_role_core, zcvfs_role_provider, zcvfs_test_api))]
impl Vacant for Segment {
    fn vacant() -> Self {
        Segment::empty()
    }
}

// SAFETY: a segment describes page memory, which any thread may access;
// who may write it is decided by its owner (see `WritableSegments`).
unsafe impl Send for Segment {}
// SAFETY: shared access only reads the description.
unsafe impl Sync for Segment {}

/// Segments whose bytes the holder may write, for the call they are passed
/// to: the pages of a WRITE loan before its write
/// ([`super::consumer::WriteLoan::segments_mut`]) or pages of one's own
/// ([`super::fop::PageBuf::segments_mut`]).
///
/// A WRITE loan's pages are not zeroed by its provider (the consumer is
/// about to overwrite them), so what the consumer does not fill would put
/// stale memory into the file. The code that writes bytes through these
/// segments says so with [`WritableSegments::mark_filled`]; before the
/// write, the loan zeroes every byte no one marked ([`Xuio`] keeps the
/// mark), which is what a zeroed page would have held.
///
/// # Invariants
///
/// For `'a`, nothing else accesses the bytes the segments describe; `fill`,
/// if set, is the filled-prefix mark of the loan whose segments they are.
#[derive(Clone, Copy)]
#[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
pub(crate) struct WritableSegments<'a> {
    segs: &'a [Segment],
    fill: Option<&'a FillMark>,
    // Not `Send`: the exclusive right belongs to the borrowing thread.
    _not_send: PhantomData<*mut u8>,
}

#[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
impl<'a> WritableSegments<'a> {
    /// Segments to write (pages of one's own: nothing to track).
    ///
    /// # Safety
    ///
    /// For `'a`, the caller has exclusive use of the bytes `segs` describe
    /// (no other reader or writer, e.g. pages it allocated and has not
    /// shared).
    pub(crate) unsafe fn new(segs: &'a [Segment]) -> Self {
        // INVARIANT: the caller's contract; no mark.
        WritableSegments {
            segs,
            fill: None,
            _not_send: PhantomData,
        }
    }

    /// The segments.
    #[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
    pub(crate) fn as_slice(&self) -> &'a [Segment] {
        self.segs
    }

    /// Record that bytes `skip..skip + n` of the segments now hold data the
    /// caller wrote. A range past the filled prefix zeroes the gap before
    /// it (bytes the consumer skipped read as zero, as in a zeroed page).
    ///
    /// # Safety
    ///
    /// The caller wrote every one of those bytes (e.g. a receive or copy
    /// into them that returned `n`).
    #[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
    pub(crate) unsafe fn mark_filled(&self, skip: usize, n: usize) {
        let Some(fill) = self.fill else { return };
        if n == 0 {
            return;
        }
        let done = fill.0.load(Ordering::Relaxed);
        if skip > done {
            // The gap lies inside the segments (`skip + n` does); failing
            // here is impossible, and a failure would leave the gap to the
            // zeroing before the write, since the mark does not move.
            if zero_segments(self.segs, done, skip - done).is_err() {
                return;
            }
        }
        let end = skip.saturating_add(n);
        if end > done {
            fill.0.store(end, Ordering::Relaxed);
        }
    }
}

/// How much of a WRITE loan its consumer filled: the end of the filled
/// prefix of the segments, in bytes (see [`WritableSegments`]).
#[derive(Default)]
#[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
pub(crate) struct FillMark(AtomicUsize);

/// Zero `len` bytes of `segs` from byte `skip` on (`EINVAL` if shorter).
#[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
fn zero_segments(segs: &[Segment], skip: usize, len: usize) -> Result {
    let n = u32::try_from(segs.len())?;
    // SAFETY: the segments are valid (`Segment` invariant) and their bytes
    // are the caller's to write (both callers hold them as a loan's
    // writable segments); the helper checks `skip + len` against them.
    to_result(unsafe { zcvfs_bvec_zero(Segment::as_raw_slice(segs), n, skip, len) })
}

/// A `struct xuio` from `zcvfs_xuio_alloc`, given back with
/// `zcvfs_xuio_free` on drop (a loan at a time then costs no allocation:
/// zcvfs keeps the freed one as its CPU's spare).
///
/// # Invariants
///
/// `0` came from `zcvfs_xuio_alloc` (non-null, initialised, at a fixed
/// address) and is owned by this value.
#[cfg(any(zcvfs_role_core, zcvfs_role_consumer, zcvfs_test_api))]
struct XuioBox(NonNull<RawXuio>);

#[cfg(any(zcvfs_role_core, zcvfs_role_consumer, zcvfs_test_api))]
impl XuioBox {
    /// A zeroed xuio (`ENOMEM` if memory is short).
    fn new() -> Result<Self> {
        // SAFETY: no precondition.
        let p = unsafe { zcvfs_xuio_alloc() };
        // INVARIANT: from `zcvfs_xuio_alloc`, checked non-null, zeroed
        // (a valid `RawXuio`), ours.
        NonNull::new(p).map(XuioBox).ok_or(ENOMEM)
    }
}

#[cfg(any(zcvfs_role_core, zcvfs_role_consumer, zcvfs_test_api))]
impl Deref for XuioBox {
    type Target = RawXuio;

    fn deref(&self) -> &RawXuio {
        // SAFETY: valid and owned by `self` (type invariant).
        unsafe { self.0.as_ref() }
    }
}

#[cfg(any(zcvfs_role_core, zcvfs_role_consumer, zcvfs_test_api))]
impl DerefMut for XuioBox {
    fn deref_mut(&mut self) -> &mut RawXuio {
        // SAFETY: valid and owned by `self` (type invariant), borrowed
        // exclusively through `&mut self`.
        unsafe { self.0.as_mut() }
    }
}

#[cfg(any(zcvfs_role_core, zcvfs_role_consumer, zcvfs_test_api))]
impl Drop for XuioBox {
    fn drop(&mut self) {
        // SAFETY: from `zcvfs_xuio_alloc` and owned (type invariant); never
        // used again.
        unsafe { zcvfs_xuio_free(self.0.as_ptr()) }
    }
}

/// An owned extended uio for the zero-copy protocol.
///
/// # Invariants
///
/// - `raw` is heap-allocated and never moves while zcvfs knows it.
/// - `raw.xu_uio.uio_segs`, when non-null, was set by zcvfs/a provider
///   through `fop_reqzcbuf` (never by the owner of this value), and zcvfs's
///   state in `raw.xu_ext.xu_zc` says whether it may be read.
#[cfg(any(zcvfs_role_core, zcvfs_role_consumer, zcvfs_test_api))]
pub(crate) struct Xuio {
    raw: XuioBox,
    // What the consumer filled of a WRITE loan (reset by each request).
    #[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
    fill: FillMark,
}

#[cfg(any(zcvfs_role_core, zcvfs_role_consumer, zcvfs_test_api))]
impl Xuio {
    /// A fresh xuio for `fop_reqzcbuf`: `len` bytes at `offset` (`-1`:
    /// anonymous write buffers). The values are not checked here: zcvfs
    /// checks them.
    pub(crate) fn new_request(offset: i64, len: i64) -> Result<Self> {
        let mut raw = XuioBox::new()?;
        raw.xu_uio.uio_loffset = offset;
        raw.xu_uio.uio_resid = len;
        Ok(Xuio {
            raw,
            #[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
            fill: FillMark::default(),
        })
    }

    /// The decoded extension.
    pub(crate) fn ext(&self) -> XuioExt {
        XuioExt::of(&self.raw)
    }

    /// The zero-copy state, or `None` if this is not a zero-copy xuio.
    #[cfg(any(zcvfs_role_core, zcvfs_test_api))]
    pub(crate) fn zc_state(&self) -> Option<ZcState> {
        match self.ext() {
            XuioExt::ZeroCopy { state, .. } => Some(state),
            _ => None,
        }
    }

    /// `uio_resid`.
    #[cfg(zcvfs_role_core)]
    pub(crate) fn resid(&self) -> i64 {
        self.raw.xu_uio.uio_resid
    }

    /// Set `uio_resid` (the length of the next request).
    #[cfg(zcvfs_test_api)]
    pub(crate) fn set_resid(&mut self, len: i64) {
        self.raw.xu_uio.uio_resid = len;
    }

    /// `uio_loffset`.
    #[cfg(zcvfs_role_core)]
    pub(crate) fn loffset(&self) -> i64 {
        self.raw.xu_uio.uio_loffset
    }

    /// Set `uio_loffset` (the offset of an anonymous write loan before the
    /// write).
    #[cfg(zcvfs_test_api)]
    pub(crate) fn set_loffset(&mut self, offset: i64) {
        self.raw.xu_uio.uio_loffset = offset;
    }

    /// `uio_extflag`.
    #[cfg(zcvfs_role_core)]
    pub(crate) fn extflag(&self) -> u32 {
        self.raw.xu_uio.uio_extflag
    }

    /// Turn this xuio into an asynchronous I/O one (the second extension
    /// type), which zero-copy operations reject. `EBUSY` while buffers are
    /// on loan through it (their return would be lost).
    #[cfg(any(zcvfs_role_core, zcvfs_test_api))]
    pub(crate) fn make_async_io(&mut self, state: AioState) -> Result {
        if matches!(
            self.zc_state(),
            Some(ZcState::Loaned | ZcState::Filled | ZcState::Written)
        ) {
            return Err(EBUSY);
        }
        self.raw.xu_uio.uio_extflag |= UIO_XUIO;
        self.raw.xu_type = UIOTYPE_ASYNCIO;
        self.raw.set_aio(RawAio {
            xu_a_state: state.state,
            xu_a_pad: 0,
            xu_a_mbytes: state.mbytes,
            xu_a_lcur: core::ptr::null_mut(),
            xu_a_lppp: core::ptr::null_mut(),
            xu_a_hwst: [core::ptr::null_mut(); 4],
        });
        Ok(())
    }

    /// The raw structure, for the `fop_*` calls.
    #[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
    pub(super) fn as_raw_mut(&mut self) -> *mut RawXuio {
        &mut *self.raw
    }

    /// The raw structure.
    pub(crate) fn raw(&self) -> &RawXuio {
        &self.raw
    }

    /// The loaned segments, when the protocol lets the owner touch them:
    /// a READ loan after a successful read, a WRITE loan before its write.
    /// Otherwise `EINVAL` (e.g. a READ loan before its read).
    pub(crate) fn segments(&self) -> Result<&[Segment]> {
        if !self.segments_accessible() {
            return Err(EINVAL);
        }
        let raw = self.raw();
        let n = raw.xu_uio.uio_iovcnt as usize;
        let p = raw.xu_uio.uio_segs as *const Segment;
        if n == 0 || p.is_null() {
            return Ok(&[]);
        }
        // SAFETY: by the type invariant only zcvfs set `uio_segs` and
        // `uio_iovcnt`, from the provider's loan, and the state (checked
        // above) says the loan is live and its segments are published. The
        // loan stays allocated until `fop_retzcbuf`, which needs `&mut` of
        // the `Xuio`, so not while this shared borrow lives.
        Ok(unsafe { core::slice::from_raw_parts(p, n) })
    }

    /// Whether the protocol lets the owner touch the segments now.
    fn segments_accessible(&self) -> bool {
        let ok = matches!(
            self.ext(),
            XuioExt::ZeroCopy {
                rw: Some(Rw::Read),
                state: ZcState::Filled,
                ..
            } | XuioExt::ZeroCopy {
                rw: Some(Rw::Write),
                state: ZcState::Loaned,
                ..
            }
        );
        ok && self.raw.xu_uio.uio_segflg == UIO_SEG_BVEC
    }

    /// Total length of the loaned segments (see [`Xuio::segments`]).
    #[cfg(zcvfs_test_api)]
    pub(crate) fn segments_len(&self) -> Result<usize> {
        Ok(Segment::total(self.segments()?))
    }
}

#[cfg(any(zcvfs_role_core, zcvfs_role_consumer, zcvfs_test_api))]
impl Xuio {
    /// Copy loaned data from byte `skip` on into `buf` (when
    /// [`Xuio::segments`] allows access); returns bytes copied.
    #[cfg(zcvfs_test_api)]
    pub(crate) fn copy_from(&self, skip: usize, buf: &mut [u8]) -> Result<usize> {
        copy_from_segments(self.segments()?, skip, buf)
    }

    /// Copy `data` into the loaned WRITE segments from byte `skip` on
    /// (when [`Xuio::segments_mut`] allows it).
    #[cfg(zcvfs_test_api)]
    pub(crate) fn copy_to(&mut self, skip: usize, data: &[u8]) -> Result<usize> {
        copy_to_segments(self.segments_mut()?, skip, data)
    }

    /// The loaned segments to fill: a WRITE loan before its write (a READ
    /// loan's pages are the file's cache, never written by the consumer).
    /// Otherwise `EINVAL`.
    #[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
    pub(crate) fn segments_mut(&mut self) -> Result<WritableSegments<'_>> {
        if !matches!(
            self.ext(),
            XuioExt::ZeroCopy {
                rw: Some(Rw::Write),
                state: ZcState::Loaned,
                ..
            }
        ) {
            return Err(EINVAL);
        }
        let segs = self.segments()?;
        // INVARIANT: `self.fill` is this loan's mark.
        // SAFETY: the segments of a WRITE loan before its write are the
        // consumer's to fill (the provider's contract, `LoanBuffers`), and
        // `&mut self` keeps every other use of the xuio out for `'_`.
        let mut w = unsafe { WritableSegments::new(segs) };
        w.fill = Some(&self.fill);
        Ok(w)
    }

    /// A new loan starts unfilled (`fop::reqzcbuf`).
    #[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
    pub(super) fn reset_fill(&mut self) {
        self.fill.0.store(0, Ordering::Relaxed);
    }

    /// Before the write of a WRITE loan: zero what the consumer did not
    /// fill (past the mark), so stale page contents never reach the file.
    /// Anything else is left to zcvfs's checks.
    #[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
    pub(super) fn zero_unfilled(&mut self) -> Result {
        let done = self.fill.0.load(Ordering::Relaxed);
        let Ok(segs) = self.segments_mut() else {
            return Ok(());
        };
        let segs = segs.as_slice();
        let total = Segment::total(segs);
        if done < total {
            zero_segments(segs, done, total - done)?;
        }
        Ok(())
    }
}

// SAFETY: an `Xuio` owns its structure; the pointers in it (loaned
// segments, provider handle) refer to memory owned by the loan, not to the
// thread, and zcvfs serialises the calls on it.
#[cfg(any(zcvfs_role_core, zcvfs_role_consumer, zcvfs_test_api))]
unsafe impl Send for Xuio {}
// SAFETY: shared access only reads the structure.
#[cfg(any(zcvfs_role_core, zcvfs_role_consumer, zcvfs_test_api))]
unsafe impl Sync for Xuio {}

/// Copy from segments into `buf`, skipping `skip` bytes of the segments.
#[cfg(zcvfs_test_api)]
pub(super) fn copy_from_segments(segs: &[Segment], skip: usize, buf: &mut [u8]) -> Result<usize> {
    let n = u32::try_from(segs.len())?;
    // SAFETY: the segments are valid (`Segment` invariant) and readable by
    // their holder; `buf` is valid for writes of its length; the helper
    // never goes beyond either.
    from_ssize(unsafe {
        zcvfs_bvec_copy_from(
            Segment::as_raw_slice(segs),
            n,
            skip,
            buf.as_mut_ptr().cast(),
            buf.len(),
        )
    })
}

/// Copy `buf` into segments, skipping `skip` bytes of the segments.
#[cfg(zcvfs_test_api)]
pub(super) fn copy_to_segments(
    segs: WritableSegments<'_>,
    skip: usize,
    buf: &[u8],
) -> Result<usize> {
    let raw = segs.as_slice();
    let n = u32::try_from(raw.len())?;
    // SAFETY: the segments are valid (`Segment` invariant) and nothing else
    // accesses their bytes (`WritableSegments` invariant); `buf` is valid
    // for reads of its length; the helper never goes beyond either.
    let copied = from_ssize(unsafe {
        zcvfs_bvec_copy_to(
            Segment::as_raw_slice(raw),
            n,
            skip,
            buf.as_ptr().cast(),
            buf.len(),
        )
    })?;
    // SAFETY: the copy just wrote those bytes.
    unsafe { segs.mark_filled(skip, copied) };
    Ok(copied)
}

impl RawXuio {
    /// A zeroed xuio: no segments, no extension.
    #[cfg(any(zcvfs_role_core, zcvfs_role_consumer, zcvfs_test_api))]
    pub(crate) const fn zeroed() -> Self {
        // INVARIANT: no segments.
        RawXuio {
            xu_uio: RawUio {
                uio_segs: core::ptr::null_mut(),
                uio_iovcnt: 0,
                uio_segflg: 0,
                uio_loffset: 0,
                uio_resid: 0,
                uio_extflag: 0,
                uio_reserved: 0,
            },
            xu_type: 0,
            xu_pad: 0,
            xu_ext: RawXuioExt { xu_ext_pad: [0; 8] },
        }
    }

    /// The xuio a C caller passed to an entry point.
    ///
    /// # Safety
    ///
    /// `ptr` points to a `struct xuio` that the caller owns exclusively for
    /// `'a`, and whose `uio_segs`, if not null, points to `uio_iovcnt`
    /// segments of the kind `uio_segflg` says that stay valid for `'a`
    /// (`include/zcvfs/zcvfs.h`).
    #[cfg(zcvfs_role_core)]
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut RawXuio) -> &'a mut RawXuio {
        // SAFETY: the caller's contract; it also gives the invariant.
        unsafe { &mut *ptr }
    }

    /// Whether `uio_extflag` says the structure is an xuio.
    #[cfg(any(zcvfs_role_core, zcvfs_role_consumer, zcvfs_test_api))]
    pub(crate) fn is_xuio(&self) -> bool {
        self.xu_uio.uio_extflag & UIO_XUIO != 0
    }

    /// `uio_loffset`.
    #[cfg(any(zcvfs_role_core, zcvfs_test_api))]
    pub(crate) fn loffset(&self) -> i64 {
        self.xu_uio.uio_loffset
    }

    /// Set `uio_loffset`.
    #[cfg(zcvfs_role_core)]
    pub(crate) fn set_loffset(&mut self, offset: i64) {
        self.xu_uio.uio_loffset = offset;
    }

    /// `uio_resid`.
    #[cfg(any(zcvfs_role_core, zcvfs_test_api))]
    pub(crate) fn resid(&self) -> i64 {
        self.xu_uio.uio_resid
    }

    /// Set `uio_resid`.
    #[cfg(zcvfs_role_core)]
    pub(crate) fn set_resid(&mut self, resid: i64) {
        self.xu_uio.uio_resid = resid;
    }

    /// `uio_iovcnt`.
    #[cfg(any(zcvfs_role_core, zcvfs_test_api))]
    pub(crate) fn iovcnt(&self) -> u32 {
        self.xu_uio.uio_iovcnt
    }

    /// `uio_segflg`.
    #[cfg(zcvfs_role_core)]
    pub(crate) fn segflg(&self) -> u32 {
        self.xu_uio.uio_segflg
    }

    /// `uio_extflag`.
    #[cfg(zcvfs_test_api)]
    pub(crate) fn extflag(&self) -> u32 {
        self.xu_uio.uio_extflag
    }

    /// `xu_type`.
    #[cfg(zcvfs_test_api)]
    pub(crate) fn xtype(&self) -> u32 {
        self.xu_type
    }

    /// Mark the structure as an xuio of type `Some(xu_type)`, or as a plain
    /// uio (`None`; `xu_type` is left as it is).
    #[cfg(zcvfs_role_core)]
    pub(crate) fn set_xuio(&mut self, xuio: Option<u32>) {
        match xuio {
            Some(t) => {
                self.xu_uio.uio_extflag |= UIO_XUIO;
                self.xu_type = t;
            }
            None => self.xu_uio.uio_extflag &= !UIO_XUIO,
        }
    }

    /// The zero-copy extension, whatever `xu_type` says.
    pub(crate) fn zc(&self) -> RawZc {
        // SAFETY: every member of the union is plain old data (integers and
        // raw pointers) that occupies a prefix of the 64-byte union, which is
        // always fully initialised (`zeroed` writes all of it and C callers
        // pass whole structures), so any bit pattern is a valid `RawZc`.
        unsafe { self.xu_ext.xu_zc }
    }

    /// The asynchronous I/O extension, whatever `xu_type` says.
    #[cfg(any(zcvfs_role_core, zcvfs_role_consumer, zcvfs_test_api))]
    pub(crate) fn aio(&self) -> RawAio {
        // SAFETY: as in `zc`: plain old data, any bit pattern is valid.
        unsafe { self.xu_ext.xu_aio }
    }

    /// Set the zero-copy direction, state and loan cookie. The provider's
    /// handle is kept (see [`RawXuio::publish`] and [`RawXuio::clear_loan`]).
    #[cfg(zcvfs_role_core)]
    pub(crate) fn set_zc_state(&mut self, rw: u32, state: u32, loan: u64) {
        let priv_ = self.zc().xu_zc_priv;
        self.xu_ext.xu_zc = RawZc {
            xu_zc_rw: rw,
            xu_zc_state: state,
            xu_zc_priv: priv_,
            xu_zc_loan: loan,
        };
    }

    /// Replace the asynchronous I/O extension (its pointers are never
    /// dereferenced by zcvfs, nor is a zero-copy handle read back from an
    /// xuio: zcvfs keeps its own in the loan record).
    #[cfg(any(zcvfs_role_core, zcvfs_test_api))]
    pub(crate) fn set_aio(&mut self, aio: RawAio) {
        self.xu_ext.xu_aio = aio;
    }

    /// Forget the segments and the provider's handle (set them to null) and
    /// set the zero-copy state; `XUIO_ZC_NONE` also makes the structure a
    /// plain uio again.
    #[cfg(zcvfs_role_core)]
    pub(crate) fn clear_loan(&mut self, rw: u32, state: u32) {
        // INVARIANT: no segments.
        self.xu_uio.uio_segs = core::ptr::null_mut();
        self.xu_uio.uio_iovcnt = 0;
        self.xu_ext.xu_zc = RawZc {
            xu_zc_rw: rw,
            xu_zc_state: state,
            xu_zc_priv: core::ptr::null_mut(),
            xu_zc_loan: 0,
        };
        if state == XUIO_ZC_NONE {
            self.xu_uio.uio_extflag &= !UIO_XUIO;
            self.xu_uio.uio_segflg = 0;
        }
    }

    /// What a provider published in the xuio (its segments and handle),
    /// for zcvfs's loan record.
    #[cfg(zcvfs_role_core)]
    pub(crate) fn published(&self) -> Published {
        // INVARIANT: taken from the xuio (its invariant).
        Published {
            segs: self.xu_uio.uio_segs,
            nsegs: self.xu_uio.uio_iovcnt,
            handle: self.zc().xu_zc_priv,
        }
    }

    /// Put a loan's recorded segments and handle back, before zcvfs calls
    /// its provider, so that nothing a caller wrote there can mislead it.
    #[cfg(zcvfs_role_core)]
    pub(crate) fn restore(&mut self, p: &Published) {
        // INVARIANT: `p` was taken from an xuio whose loan is still
        // recorded, so its segments are still loaned.
        self.xu_uio.uio_segs = p.segs;
        self.xu_uio.uio_iovcnt = p.nsegs;
        self.xu_uio.uio_segflg = UIO_SEG_BVEC;
        let mut zc = self.zc();
        zc.xu_zc_priv = p.handle;
        self.xu_ext.xu_zc = zc;
    }

    /// The segments as C sees them (`uio_segs`, `uio_iovcnt`,
    /// `uio_segflg`), for the VFS path of a plain xuio.
    #[cfg(zcvfs_role_core)]
    pub(crate) fn raw_segments(&self) -> (*mut c_void, u32, u32) {
        (
            self.xu_uio.uio_segs,
            self.xu_uio.uio_iovcnt,
            self.xu_uio.uio_segflg,
        )
    }

    /// Total length of the segments of a plain xuio, or `EINVAL` for a null
    /// array or an overflow. `uio_iovcnt` must have been checked against
    /// `UIO_MAXSEGS`.
    #[cfg(zcvfs_role_core)]
    pub(crate) fn plain_segments_total(&self) -> Result<u64> {
        let n = self.xu_uio.uio_iovcnt as usize;
        if self.xu_uio.uio_segs.is_null() {
            return Err(EINVAL);
        }
        let mut total: u64 = 0;
        if self.xu_uio.uio_segflg == UIO_SEG_BVEC {
            // SAFETY: non-null `uio_segs` point to `n` segments of the kind
            // `uio_segflg` says, valid while `self` is used (invariant).
            let segs = unsafe {
                core::slice::from_raw_parts(self.xu_uio.uio_segs as *const bindings::bio_vec, n)
            };
            for s in segs {
                total += u64::from(s.bv_len);
            }
        } else {
            // SAFETY: as above, for `struct kvec`.
            let segs = unsafe {
                core::slice::from_raw_parts(self.xu_uio.uio_segs as *const bindings::kvec, n)
            };
            for s in segs {
                total = total.checked_add(s.iov_len as u64).ok_or(EINVAL)?;
            }
        }
        Ok(total)
    }

    /// Total length of the `bio_vec` segments a provider published, or
    /// `None` if they are not `bio_vec`s or implausibly many.
    #[cfg(zcvfs_role_core)]
    pub(crate) fn loaned_segments_total(&self) -> Option<u64> {
        let n = self.xu_uio.uio_iovcnt as usize;
        if self.xu_uio.uio_segflg != UIO_SEG_BVEC || n > (1 << 20) {
            return None;
        }
        if n == 0 {
            return Some(0);
        }
        if self.xu_uio.uio_segs.is_null() {
            return None;
        }
        // SAFETY: non-null `uio_segs` point to `n` `bio_vec`s (`uio_segflg`)
        // valid while `self` is used (invariant).
        let segs = unsafe {
            core::slice::from_raw_parts(self.xu_uio.uio_segs as *const bindings::bio_vec, n)
        };
        Some(segs.iter().map(|s| u64::from(s.bv_len)).sum())
    }
}

/// What a provider published in an xuio: its segments and its handle, as
/// zcvfs records them with the loan.
///
/// # Invariants
///
/// Taken from an xuio ([`RawXuio::published`]) or null (`default()`):
/// safe code cannot make one that points anywhere else. Its pointers stay valid while the loan is recorded;
/// zcvfs drops the record at the loan's return.
#[derive(Default, PartialEq, Eq)]
#[cfg(zcvfs_role_core)]
pub(crate) struct Published {
    segs: *mut c_void,
    nsegs: u32,
    handle: *mut c_void,
}

// SAFETY: the pointers belong to a loan, not to a thread; zcvfs uses them
// under its loan table's lock or with the loan marked busy.
#[cfg(zcvfs_role_core)]
unsafe impl Send for Published {}
// SAFETY: shared access only reads the values.
#[cfg(zcvfs_role_core)]
unsafe impl Sync for Published {}
