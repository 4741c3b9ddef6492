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

use super::fop::FsType;
use super::inline_vec::InlineVec;
use super::provider_ffi;
use super::xuio::{Rw, Segment};
use super::xuio_raw::RawProviderOps;
use core::marker::PhantomData;
use kernel::fs::File;
use kernel::prelude::*;

/// What a consumer asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoanRequest {
    /// Direction.
    pub rw: Rw,
    /// File offset, or `None` for anonymous WRITE buffers.
    pub offset: Option<u64>,
    /// Total length; the loan must cover exactly this much.
    pub len: usize,
}

/// What a provider reports about a write.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WriteOutcome {
    /// Bytes written.
    pub bytes: usize,
    /// Whole pages moved into the page cache.
    pub pages_donated: u64,
    /// Pages whose data was copied.
    pub pages_copied: u64,
}

/// The buffers behind a loan.
pub trait LoanBuffers: Send {
    /// The segments currently loaned: after a request they cover the
    /// requested length, after a read exactly the bytes read.
    fn segments(&self) -> &[Segment];
}

/// A zero-copy provider.
#[vtable]
pub trait Provider: Sized + 'static {
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
pub struct ProviderOps<T: Provider>(PhantomData<T>);

impl<T: Provider> ProviderOps<T> {
    /// The table handed to `zcvfs_register_provider`.
    pub const OPS: RawProviderOps = provider_ffi::ops_table::<T>();
}

/// A registered provider; dropping it unregisters it.
///
/// Outstanding loans keep working (they hold a reference on the module
/// that owns the provider); new requests then get `ENOTSUP`.
pub struct Registration<T: Provider> {
    fstype: FsType,
    _p: PhantomData<T>,
}

impl<T: Provider> Registration<T> {
    /// Register `T` for `fstype`, owned by `module`.
    pub fn register(fstype: FsType, module: &'static ThisModule) -> Result<Self> {
        provider_ffi::register(fstype, &ProviderOps::<T>::OPS, module)?;
        Ok(Registration {
            fstype,
            _p: PhantomData,
        })
    }
}

impl<T: Provider> Drop for Registration<T> {
    fn drop(&mut self) {
        if let Err(e) = provider_ffi::unregister(self.fstype) {
            pr_warn!("zcvfs: unregistering a provider failed: {:?}\n", e);
        }
    }
}

/// Segments a [`SegVec`] holds in place: a loan of up to this many pages
/// needs no allocation for its segments (like `struct bio`'s inline
/// `bio_vec`s).
pub const SEGS_INLINE: usize = 8;

/// The segments of a loan: a vector of `bio_vec` that can move between
/// threads with the loan (the pages it describes belong to the loan). The
/// first [`SEGS_INLINE`] live inside it.
#[derive(Default)]
pub struct SegVec {
    v: InlineVec<Segment, SEGS_INLINE>,
}

impl SegVec {
    /// Empty, with room for `n` segments (allocates only beyond
    /// [`SEGS_INLINE`]).
    pub fn with_capacity(n: usize) -> Result<Self> {
        Ok(SegVec {
            v: InlineVec::with_capacity(n)?,
        })
    }

    /// Append a segment.
    pub fn push(&mut self, s: Segment) -> Result {
        self.v.push(s)
    }

    /// Remove every segment.
    pub fn clear(&mut self) {
        self.v.clear();
    }

    /// The segments.
    pub fn as_slice(&self) -> &[Segment] {
        self.v.as_slice()
    }
}
