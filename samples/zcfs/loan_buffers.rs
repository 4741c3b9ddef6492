// SPDX-License-Identifier: GPL-2.0

//! zcfs's loan as the consumer sees it: [`LoanBuffers`], an unsafe trait,
//! implemented for [`ZcLoan`] here, apart from the safe provider logic.

use crate::provider::ZcLoan;
use crate::zcvfs_api::provider::LoanBuffers;
use crate::zcvfs_api::xuio::Segment;

// SAFETY: a loan's segments live in the boxed loan and change only in its
// operations; each was made by `folio::page_segment` over a folio reference
// the loan holds (or over the static zero page); a WRITE loan's folios are
// fresh and its own until the write, and a READ loan's folios are recorded
// as lent, so writers of the file copy them before changing them
// (`cache.rs`).
unsafe impl LoanBuffers for ZcLoan {
    fn segments(&self) -> &[Segment] {
        self.segs.as_slice()
    }
}
