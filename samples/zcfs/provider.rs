// SPDX-License-Identifier: GPL-2.0

//! zcfs as a zero-copy provider: loaned reads of its page-cache folios and
//! donated writes, under byte-range locks, with loans kept stable.
//!
//! - READ: `reqzcbuf` checks the limits and charges the mount's budget of
//!   pages on loan; its segments are placeholders (the zero page) that the
//!   consumer may not look at. `read_xuio`, under the shared range lock,
//!   takes a reference on each page-cache folio of the range, records it as
//!   loaned in the inode, and publishes segments pointing into those very
//!   folios, trimmed at end of file; a hole (no folio) is a segment of the
//!   zero page, and allocates nothing. Nothing is copied. Refused
//!   (`EINVAL`) while the file is memory-mapped.
//! - WRITE: `reqzcbuf` allocates fresh zeroed folios laid out along the
//!   file's pages (offset loans) or from page 0 (anonymous loans);
//!   `write_xuio`, under the inode lock and the exclusive range lock, moves
//!   every whole aligned page into the page cache (donation) and copies the
//!   partial ones.
//! - Return: dropping the [`ZcLoan`] unmarks and releases every folio it
//!   still holds, gives back the budget and the inode reference. A lent
//!   folio stays marked lent (`PG_owner_2`): a consumer may have handed
//!   its page to the network (`MSG_SPLICE_PAGES`), whose references
//!   outlive the loan, so writers copy it away while references beyond
//!   the page cache's remain (see [`crate::cache`]).

#![deny(unsafe_code)]

use crate::cache;
use crate::folio::{self, Folio};
use crate::inode::Inode;
use crate::stats::{self, STATS};
use crate::zcvfs_api::inline_vec::InlineVec;
use crate::zcvfs_api::provider::{LoanRequest, Provider, SegVec, WriteOutcome, SEGS_INLINE};
use crate::zcvfs_api::xuio::Rw;
use kernel::fs::File;
use kernel::page::PAGE_SIZE;
use kernel::prelude::*;
use kernel::sync::aref::ARef;

/// The page-sized pieces of `len` bytes that start `first_off` bytes into
/// a page: `(offset in page, length)` of each.
pub(crate) fn layout(first_off: usize, len: usize) -> impl Iterator<Item = (usize, usize)> {
    let mut off = first_off % PAGE_SIZE;
    let mut left = len;
    core::iter::from_fn(move || {
        if left == 0 {
            return None;
        }
        let this = left.min(PAGE_SIZE - off);
        let piece = (off, this);
        left -= this;
        off = 0;
        Some(piece)
    })
}

/// Number of pages [`layout`] spans.
pub(crate) fn pages_spanned(first_off: usize, len: usize) -> usize {
    (first_off % PAGE_SIZE + len).div_ceil(PAGE_SIZE)
}

/// The folios of a loan, one slot per segment: a loan of up to
/// [`SEGS_INLINE`] pages keeps them (and its segments) inside itself, so
/// that it costs a single allocation.
type Folios = InlineVec<Option<ARef<Folio>>, SEGS_INLINE>;

/// READ: unmark and release the folios of a loan.
fn release_read(inode: &Inode, folios: &mut Folios, segs: &mut SegVec) {
    let state = inode.state();
    for f in folios.as_slice().iter().flatten() {
        state.unmark(f.addr());
    }
    folios.clear();
    segs.clear();
}

/// A zcfs loan.
///
/// # Invariants
///
/// - `budget` pages are charged to the mount of `inode`.
/// - READ: every folio in `folios` is recorded once in the inode's loan
///   set, and `segs` describe exactly the bytes read, in those folios; the
///   slot of a hole is `None` and its segment is the zero page.
/// - WRITE: `folios[i]`, while `Some`, is a fresh folio owned by the loan
///   and described by `segs[i]`; a donated folio's slot is `None`.
pub(crate) struct ZcLoan {
    inode: ARef<Inode>,
    rw: Rw,
    budget: u64,
    folios: Folios,
    pub(crate) segs: SegVec,
}

// `LoanBuffers` (an unsafe trait) is implemented next to the segments'
// construction, in `folio.rs`: this module is safe code.

impl ZcLoan {
    /// READ: forget the folios of a previous read.
    fn release_read(&mut self) {
        release_read(&self.inode, &mut self.folios, &mut self.segs);
    }

    /// READ: hand out the page-cache folios of `len` bytes at `offset`.
    fn fill(&mut self, file: &File, offset: u64, len: usize) -> Result<usize> {
        let ZcLoan {
            inode,
            folios,
            segs,
            ..
        } = self;
        let state = inode.state();
        let _range = state.range.guard(offset, len as u64, false)?;
        if inode.mapped() {
            stats::add(&STATS.refused_mapped, 1);
            return Err(EINVAL);
        }
        release_read(inode, folios, segs);
        let size = inode.size();
        let n = if offset >= size {
            0
        } else {
            // At most `len`.
            (size - offset).min(len as u64) as usize
        };
        let first = (offset % PAGE_SIZE as u64) as usize;
        let pages = (offset / PAGE_SIZE as u64..).zip(layout(first, n));
        let mut holes = 0u64;
        for (index, (off, plen)) in pages {
            let Some(folio) = Folio::cached(file, index) else {
                // A hole: the zero page, no folio, nothing allocated.
                folios.push(None)?;
                segs.push(folio::zero_segment(off, plen))?;
                holes += 1;
                continue;
            };
            let seg = folio.segment(off, plen);
            folios.push(Some(folio))?;
            let marked = match folios.as_slice().last() {
                Some(Some(f)) => f.locked(|| -> Result {
                    state.mark(f.addr())?;
                    f.set_lent();
                    Ok(())
                }),
                _ => Err(EINVAL),
            };
            if let Err(e) = marked {
                // Not marked: must not be unmarked.
                folios.pop();
                return Err(e);
            }
            segs.push(seg)?;
        }
        // A mapping that appeared meanwhile could write the folios: every
        // write fault after our marks sees them (folio lock), one before
        // them made the file mapped.
        if inode.mapped() {
            stats::add(&STATS.refused_mapped, 1);
            return Err(EINVAL);
        }
        stats::add(&STATS.read_loans, 1);
        stats::add(&STATS.read_pages_loaned, folios.len() as u64 - holes);
        stats::add(&STATS.read_zero_pages, holes);
        stats::add(&STATS.read_bytes_loaned, n as u64);
        Ok(n)
    }

    /// WRITE: write the loan's `len` bytes at `offset`.
    fn write(&mut self, file: &File, offset: u64, len: usize) -> Result<WriteOutcome> {
        let total: usize = self.segs.as_slice().iter().map(|s| s.bv_len as usize).sum();
        if total != len || offset.checked_add(len as u64).is_none() {
            return Err(EINVAL);
        }
        let locked = self.inode.lock();
        let state = self.inode.state();
        let _range = state.range.guard(offset, len as u64, true)?;
        locked.write_prepare(file, offset, len)?;
        let mut out = WriteOutcome::default();
        let mut pos = offset;
        let segs = self.segs.as_slice();
        let mut failed = None;
        for (i, seg) in segs.iter().enumerate() {
            let slen = seg.bv_len as usize;
            let whole = pos % PAGE_SIZE as u64 == 0 && seg.bv_offset == 0 && slen == PAGE_SIZE;
            let slot = self.folios.as_mut_slice().get_mut(i);
            let r = match (whole, slot.and_then(Option::take)) {
                (true, Some(folio)) => {
                    match cache::donate(&locked, folio, pos / PAGE_SIZE as u64) {
                        Ok(()) => {
                            out.pages_donated += 1;
                            Ok(slen)
                        }
                        Err((e, folio)) => {
                            self.folios.as_mut_slice()[i] = Some(folio);
                            Err(e)
                        }
                    }
                }
                (_, folio) => {
                    if let Some(f) = folio {
                        self.folios.as_mut_slice()[i] = Some(f);
                    }
                    // A whole donated page replaces a loaned one in the
                    // cache; a partial copy would change it: copy it away.
                    let r = cache::cow_range(locked.inode(), pos, slen as u64)
                        .and_then(|()| locked.copy_in(file, pos, seg));
                    if let Ok(n) = r {
                        out.pages_copied += 1;
                        stats::add(&STATS.write_bytes_copied, n as u64);
                    }
                    r
                }
            };
            match r {
                Ok(n) if n == slen => {
                    out.bytes += n;
                    pos += n as u64;
                }
                Ok(n) => {
                    out.bytes += n;
                    failed = Some(EIO);
                    break;
                }
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        if out.bytes > 0 {
            // As write(2): a write that wrote nothing does not extend.
            locked.extend_size(offset + out.bytes as u64)?;
        }
        stats::add(&STATS.write_pages_donated, out.pages_donated);
        stats::add(&STATS.write_pages_copied, out.pages_copied);
        stats::add(&STATS.write_loans, 1);
        match failed {
            // What was written stays written, as for a short write(2).
            Some(e) if out.bytes == 0 => Err(e),
            _ => Ok(out),
        }
    }
}

impl Drop for ZcLoan {
    fn drop(&mut self) {
        if self.rw == Rw::Read {
            self.release_read();
        }
        // Unconsumed write folios are freed with `folios`.
        self.inode.space().loan_put(self.budget);
        stats::sub(&STATS.loans_outstanding, 1);
    }
}

/// The zcfs provider.
pub(crate) struct Zcfs;

#[vtable]
impl Provider for Zcfs {
    type Loan = ZcLoan;

    fn reqzcbuf(file: &File, req: &LoanRequest) -> Result<KBox<ZcLoan>> {
        let inode = Inode::of_file(file)?;
        let opts = inode.opts();
        let len = req.len;
        if (len as u64) < opts.min_loan || len as u64 > opts.max_loan {
            stats::add(&STATS.refused_size, 1);
            return Err(EINVAL);
        }
        let first = match (req.rw, req.offset) {
            (Rw::Read, None) => return Err(EINVAL),
            (Rw::Read, Some(_)) if inode.mapped() => {
                stats::add(&STATS.refused_mapped, 1);
                return Err(EINVAL);
            }
            (_, Some(o)) => (o % PAGE_SIZE as u64) as usize,
            (Rw::Write, None) => 0,
        };
        let npages = pages_spanned(first, len);
        if !inode.space().loan_take(npages as u64) {
            stats::add(&STATS.refused_budget, 1);
            return Err(EINVAL);
        }
        stats::add(&STATS.loans_outstanding, 1);
        // From here on, dropping the loan gives everything back.
        let mut loan = KBox::new(
            ZcLoan {
                inode,
                rw: req.rw,
                budget: npages as u64,
                folios: Folios::new(),
                segs: SegVec::default(),
            },
            GFP_KERNEL,
        )?;
        loan.segs = SegVec::with_capacity(npages)?;
        loan.folios = Folios::with_capacity(npages)?;
        for (off, plen) in layout(first, len) {
            let seg = match req.rw {
                Rw::Read => folio::zero_segment(off, plen),
                Rw::Write => {
                    let folio = Folio::alloc_zeroed()?;
                    let seg = folio.segment(off, plen);
                    loan.folios.push(Some(folio))?;
                    seg
                }
            };
            loan.segs.push(seg)?;
        }
        Ok(loan)
    }

    fn read_xuio(file: &File, loan: &mut ZcLoan, offset: u64, len: usize) -> Result<usize> {
        if loan.rw != Rw::Read {
            return Err(EINVAL);
        }
        let r = loan.fill(file, offset, len);
        if r.is_err() {
            // Nothing half-filled stays on loan.
            loan.release_read();
        }
        r
    }

    fn write_xuio(file: &File, loan: &mut ZcLoan, offset: u64, len: usize) -> Result<WriteOutcome> {
        if loan.rw != Rw::Write {
            return Err(EINVAL);
        }
        loan.write(file, offset, len)
    }
}

#[kunit_tests(zcfs_layout)]
mod tests {
    use super::*;

    #[test]
    fn aligned_and_unaligned() {
        let mut it = layout(0, 2 * PAGE_SIZE + 10);
        assert_eq!(it.next(), Some((0, PAGE_SIZE)));
        assert_eq!(it.next(), Some((0, PAGE_SIZE)));
        assert_eq!(it.next(), Some((0, 10)));
        assert_eq!(it.next(), None);
        let mut it = layout(100, PAGE_SIZE);
        assert_eq!(it.next(), Some((100, PAGE_SIZE - 100)));
        assert_eq!(it.next(), Some((0, 100)));
        assert_eq!(it.next(), None);
        assert_eq!(layout(5, 0).count(), 0);
        assert_eq!(pages_spanned(100, PAGE_SIZE), 2);
        assert_eq!(pages_spanned(0, PAGE_SIZE), 1);
        assert_eq!(pages_spanned(PAGE_SIZE - 1, 2), 2);
        assert_eq!(pages_spanned(0, 1), 1);
    }
}
