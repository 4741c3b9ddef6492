// SPDX-License-Identifier: GPL-2.0

//! [`LoanedPages`]: pages that may be sent by reference, and the one place
//! where zcnfsd's socket layer reads the zcvfs [`Segment`]s of a loan.

use crate::zcvfs_api::consumer::ReadData;
use crate::zcvfs_api::xuio::Segment;

/// Pages on loan that can be sent by reference: `len()` bytes in
/// `segments()`. Dropping the value may sleep (it runs in process
/// context).
///
/// # Safety
///
/// Implementers guarantee that:
/// - every segment of `segments()` is a valid `bio_vec` over a page that
///   stays alive as long as the value exists;
/// - the network may keep references to the pages after the value is
///   dropped, and their owner keeps the sent bytes stable for those
///   references (copies a page away before changing it while references
///   beyond its own remain).
pub(super) unsafe trait LoanedPages: Send + 'static {
    /// The pages.
    fn segments(&self) -> &[Segment];
    /// Bytes to send, from the start of the segments.
    fn len(&self) -> usize;
}

// SAFETY: a READ loan's segments are the provider's page-cache pages,
// valid and unchanged until the loan is returned (the consumer contract);
// providers copy a page away before changing
// it while references beyond theirs remain (the stable-snapshot rule of zcvfs.rst; zcfs does,
// see Documentation/zcfs.rst).
unsafe impl LoanedPages for ReadData {
    fn segments(&self) -> &[Segment] {
        ReadData::segments(self)
    }

    fn len(&self) -> usize {
        ReadData::len(self)
    }
}

/// The total length of `segs`.
pub(super) fn total_len(segs: &[Segment]) -> usize {
    segs.iter().map(|s| s.bv_len as usize).sum()
}
