// SPDX-License-Identifier: GPL-2.0

//! The consumer's side of zero-copy, with the protocol in the types.
//!
//! - [`ReadData::request`] loans READ buffers and reads into them in one
//!   call (`fop_reqzcbuf_read`): the segments are reachable only through
//!   the [`ReadData`] it yields, after the read. (The two steps,
//!   [`ReadLoan::request`] then [`ReadLoan::read`], are built for the
//!   tests of the protocol.)
//! - [`WriteLoan::request`] loans WRITE buffers to fill;
//!   [`WriteLoan::write`] consumes the loan.
//! - Dropping a loan (in any state) returns it: exactly one `fop_retzcbuf`
//!   per loan, releasing whatever is still loaned.
//!
//! A consumer falls back to the copy path ([`super::fop::read_plain`]) when
//! a request fails with `ENOTSUP` (the filesystem has no zero-copy) or
//! `EINVAL` (the provider will not loan now).
#![deny(unsafe_code)]

use super::fop::{CallerContext, Loan};
use super::xuio::{Rw, Segment, WritableSegments};
use kernel::fs::File;
use kernel::prelude::*;

/// Loaned READ buffers, not read yet: no access to the segments.
pub(crate) struct ReadLoan {
    loan: Loan,
}

impl ReadLoan {
    /// `VOP_REQZCBUF(UIO_READ)` for `len` bytes at `offset`. (The two
    /// steps are built for the tests of the protocol; a consumer makes
    /// them in one call, [`ReadData::request`].)
    #[cfg(zcvfs_test_api)]
    pub(crate) fn request(
        file: &File,
        offset: u64,
        len: usize,
        ct: Option<&'static CallerContext>,
    ) -> Result<ReadLoan> {
        let offset = i64::try_from(offset).map_err(|_| EOVERFLOW)?;
        Ok(ReadLoan {
            loan: Loan::request(file, Rw::Read, offset, len, ct)?,
        })
    }

    /// `VOP_READ` with the loan. On success the segments hold the file's
    /// data (trimmed at end of file). On failure the loan is returned.
    #[cfg(zcvfs_test_api)]
    pub(crate) fn read(mut self) -> Result<ReadData> {
        let len = self.loan.read()?;
        Ok(ReadData { loan: self, len })
    }
}

/// A READ loan after a successful read: the segments are valid until drop.
pub(crate) struct ReadData {
    loan: ReadLoan,
    len: usize,
}

impl ReadData {
    /// [`ReadLoan::request`] and [`ReadLoan::read`] in one call
    /// (`fop_reqzcbuf_read`), which costs zcvfs one entry and one update
    /// of its loan table instead of two. On failure nothing is on loan.
    pub(crate) fn request(
        file: &File,
        offset: u64,
        len: usize,
        ct: Option<&'static CallerContext>,
    ) -> Result<ReadData> {
        let offset = i64::try_from(offset).map_err(|_| EOVERFLOW)?;
        let (loan, len) = Loan::request_read(file, offset, len, ct)?;
        Ok(ReadData {
            loan: ReadLoan { loan },
            len,
        })
    }

    /// Bytes read (the segments cover exactly this many).
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Whether the read hit end of file at once.
    #[cfg(zcvfs_role_consumer)]
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The loaned segments, for an `ITER_BVEC` iterator.
    pub(crate) fn segments(&self) -> &[Segment] {
        // `Filled` is guaranteed by construction; fall back to nothing.
        self.loan.loan.xuio().segments().unwrap_or(&[])
    }
}

/// Loaned WRITE buffers: fill them, then write.
pub(crate) struct WriteLoan {
    loan: Loan,
}

impl WriteLoan {
    /// `VOP_REQZCBUF(UIO_WRITE)` for `len` bytes at `offset`, or anonymous
    /// buffers (`None`) whose offset is set later with
    /// [`WriteLoan::set_offset`].
    pub(crate) fn request(
        file: &File,
        offset: Option<u64>,
        len: usize,
        ct: Option<&'static CallerContext>,
    ) -> Result<WriteLoan> {
        let offset = match offset {
            Some(o) => i64::try_from(o).map_err(|_| EOVERFLOW)?,
            None => -1,
        };
        Ok(WriteLoan {
            loan: Loan::request(file, Rw::Write, offset, len, ct)?,
        })
    }

    /// The segments to fill, e.g. with a receive from a socket
    /// (`EINVAL` never happens before the write, which consumes the loan).
    pub(crate) fn segments_mut(&mut self) -> Result<WritableSegments<'_>> {
        self.loan.segments_mut()
    }

    /// Set the file offset of anonymous buffers before the write. (Built
    /// where it is used: zcnfsd knows a WRITE's offset before it asks for
    /// the loan, and asks for an offset loan.)
    #[cfg(zcvfs_test_api)]
    pub(crate) fn set_offset(&mut self, offset: u64) -> Result {
        self.loan
            .set_loffset(i64::try_from(offset).map_err(|_| EOVERFLOW)?);
        Ok(())
    }

    /// `VOP_WRITE` with the loan, then its return. The loan is consumed:
    /// after a write the caller never touches the segments again.
    pub(crate) fn write(mut self) -> Result<usize> {
        self.loan.write()
        // `self` drops here: the one return.
    }
}
