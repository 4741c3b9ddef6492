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
use super::error::from_ssize;
use kernel::bindings;
use kernel::ffi::c_void;
use kernel::prelude::*;

/// The direction of a loan (`enum uio_rw`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Rw {
    /// Buffers for a subsequent read.
    Read,
    /// Buffers for a subsequent write.
    Write,
}

impl Rw {
    /// The C value.
    pub const fn raw(self) -> u32 {
        match self {
            Rw::Read => UIO_READ,
            Rw::Write => UIO_WRITE,
        }
    }

    /// From the C value.
    pub fn from_raw(v: u32) -> Result<Rw> {
        match v {
            UIO_READ => Ok(Rw::Read),
            UIO_WRITE => Ok(Rw::Write),
            _ => Err(EINVAL),
        }
    }
}

/// Where a zero-copy xuio is in its life (`xu_zc_state`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ZcState {
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

impl ZcState {
    /// From the C value.
    pub const fn from_raw(v: u32) -> ZcState {
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
    pub const fn raw(self) -> u32 {
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
pub struct AioState {
    /// `xu_a_state`.
    pub state: u32,
    /// `xu_a_mbytes`.
    pub mbytes: i64,
}

/// The extension of an xuio, decoded from its type tag and union.
///
/// New extension types are new variants; the enum is `#[non_exhaustive]` so
/// that existing `match`es keep compiling.
#[non_exhaustive]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum XuioExt {
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

impl XuioExt {
    /// Decode a raw xuio.
    pub fn of(raw: &RawXuio) -> XuioExt {
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

/// A loaned page segment (`struct bio_vec`).
pub type Segment = bindings::bio_vec;

/// An owned extended uio for the zero-copy protocol.
///
/// # Invariants
///
/// - `raw` is heap-allocated and never moves while zcvfs knows it.
/// - `raw.xu_uio.uio_segs`, when non-null, was set by zcvfs/a provider
///   through `fop_reqzcbuf` (never by the owner of this value), and zcvfs's
///   state in `raw.xu_ext.xu_zc` says whether it may be read.
pub struct Xuio {
    raw: KBox<RawXuio>,
}

impl Xuio {
    /// A fresh xuio for `fop_reqzcbuf`: `len` bytes at `offset` (`-1`:
    /// anonymous write buffers). The values are not checked here: zcvfs
    /// checks them.
    pub fn new_request(offset: i64, len: i64) -> Result<Self> {
        let mut raw = KBox::new(RawXuio::zeroed(), GFP_KERNEL)?;
        raw.xu_uio.uio_loffset = offset;
        raw.xu_uio.uio_resid = len;
        Ok(Xuio { raw })
    }

    /// The decoded extension.
    pub fn ext(&self) -> XuioExt {
        XuioExt::of(&self.raw)
    }

    /// The zero-copy state, or `None` if this is not a zero-copy xuio.
    pub fn zc_state(&self) -> Option<ZcState> {
        match self.ext() {
            XuioExt::ZeroCopy { state, .. } => Some(state),
            _ => None,
        }
    }

    /// `uio_resid`.
    pub fn resid(&self) -> i64 {
        self.raw.xu_uio.uio_resid
    }

    /// Set `uio_resid` (the length of the next request).
    pub fn set_resid(&mut self, len: i64) {
        self.raw.xu_uio.uio_resid = len;
    }

    /// `uio_loffset`.
    pub fn loffset(&self) -> i64 {
        self.raw.xu_uio.uio_loffset
    }

    /// Set `uio_loffset` (the offset of an anonymous write loan before the
    /// write).
    pub fn set_loffset(&mut self, offset: i64) {
        self.raw.xu_uio.uio_loffset = offset;
    }

    /// `uio_extflag`.
    pub fn extflag(&self) -> u32 {
        self.raw.xu_uio.uio_extflag
    }

    /// Turn this xuio into an asynchronous I/O one (the second extension
    /// type), which zero-copy operations reject. `EBUSY` while buffers are
    /// on loan through it (their return would be lost).
    pub fn make_async_io(&mut self, state: AioState) -> Result {
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
    pub(super) fn as_raw_mut(&mut self) -> *mut RawXuio {
        &mut *self.raw
    }

    /// The raw structure.
    pub fn raw(&self) -> &RawXuio {
        &self.raw
    }

    /// The loaned segments, when the protocol lets the owner touch them:
    /// a READ loan after a successful read, a WRITE loan before its write.
    /// Otherwise `EINVAL` (e.g. a READ loan before its read).
    pub fn segments(&self) -> Result<&[Segment]> {
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
    pub fn segments_len(&self) -> Result<usize> {
        Ok(self.segments()?.iter().map(|s| s.bv_len as usize).sum())
    }
}

impl Xuio {
    /// Copy loaned data from byte `skip` on into `buf` (when
    /// [`Xuio::segments`] allows access); returns bytes copied.
    pub fn copy_from(&self, skip: usize, buf: &mut [u8]) -> Result<usize> {
        copy_from_segments(self.segments()?, skip, buf)
    }

    /// Copy `data` into the loaned WRITE segments from byte `skip` on.
    pub fn copy_to(&mut self, skip: usize, data: &[u8]) -> Result<usize> {
        copy_to_segments(self.segments()?, skip, data)
    }
}

// SAFETY: an `Xuio` owns its structure; the pointers in it (loaned
// segments, provider handle) refer to memory owned by the loan, not to the
// thread, and zcvfs serialises the calls on it.
unsafe impl Send for Xuio {}
// SAFETY: shared access only reads the structure.
unsafe impl Sync for Xuio {}

/// Copy from segments into `buf`, skipping `skip` bytes of the segments.
pub(super) fn copy_from_segments(segs: &[Segment], skip: usize, buf: &mut [u8]) -> Result<usize> {
    let n = u32::try_from(segs.len())?;
    // SAFETY: `segs` are valid loaned segments (callers get them from
    // `Xuio::segments`) or owned pages (`fop::PageBuf`), `buf` is valid for
    // writes of its length; the helper never goes beyond either.
    from_ssize(unsafe {
        zcvfs_bvec_copy_from(segs.as_ptr(), n, skip, buf.as_mut_ptr().cast(), buf.len())
    })
}

/// Copy `buf` into segments, skipping `skip` bytes of the segments.
pub(super) fn copy_to_segments(segs: &[Segment], skip: usize, buf: &[u8]) -> Result<usize> {
    let n = u32::try_from(segs.len())?;
    // SAFETY: as in `copy_from_segments`; writing into the pages of a WRITE
    // loan is what the loan is for.
    from_ssize(unsafe {
        zcvfs_bvec_copy_to(segs.as_ptr(), n, skip, buf.as_ptr().cast(), buf.len())
    })
}

impl RawXuio {
    /// A zeroed xuio: no segments, no extension.
    pub const fn zeroed() -> Self {
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

    /// Whether `uio_extflag` says the structure is an xuio.
    pub fn is_xuio(&self) -> bool {
        self.xu_uio.uio_extflag & UIO_XUIO != 0
    }

    /// The zero-copy extension, whatever `xu_type` says.
    pub fn zc(&self) -> RawZc {
        // SAFETY: every member of the union is plain old data (integers and
        // raw pointers) that occupies a prefix of the 64-byte union, which is
        // always fully initialised (`zeroed` writes all of it and C callers
        // pass whole structures), so any bit pattern is a valid `RawZc`.
        unsafe { self.xu_ext.xu_zc }
    }

    /// The asynchronous I/O extension, whatever `xu_type` says.
    pub fn aio(&self) -> RawAio {
        // SAFETY: as in `zc`: plain old data, any bit pattern is valid.
        unsafe { self.xu_ext.xu_aio }
    }

    /// Replace the zero-copy extension.
    pub fn set_zc(&mut self, zc: RawZc) {
        self.xu_ext.xu_zc = zc;
    }

    /// Replace the asynchronous I/O extension.
    pub fn set_aio(&mut self, aio: RawAio) {
        self.xu_ext.xu_aio = aio;
    }
}
