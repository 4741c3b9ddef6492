// SPDX-License-Identifier: GPL-2.0

//! zcfs as a zero-copy provider: loaned reads of its page-cache folios and
//! donated writes, under byte-range locks, with loans kept stable.
//!
//! - READ: `reqzcbuf` checks the limits and charges the mount's budget of
//!   pages on loan; it publishes no segments (the consumer may not look at
//!   a READ loan before its read). `read_xuio`, under the shared range lock,
//!   looks the range's page-cache folios up in batches, keeps the one
//!   reference per folio the lookup took, marks each folio lent, and
//!   publishes one segment per folio pointing into it, trimmed at end of
//!   file; a hole (no folio) is a segment of the zero page, and allocates
//!   nothing. Nothing is copied, and nothing is recorded per page: a
//!   writer tells a loaned folio by its references (see [`crate::cache`]).
//!   Refused (`EINVAL`) while the file is memory-mapped.
//! - WRITE: `reqzcbuf` allocates fresh folios laid out along the file's
//!   pages (offset loans) or from page 0 (anonymous loans): a page for
//!   each partial page at the loan's edges, with the bytes outside the
//!   loan zeroed (the consumer does not fill them), and for the whole
//!   pages between them the largest folios the file's cache takes that
//!   are aligned in the file to their size ([`folio_layout`]), one
//!   segment each. `write_xuio`, under the inode lock and the exclusive
//!   range lock, moves every folio of whole pages that lands aligned into
//!   the page cache (donation, by folio) and copies the others.
//! - Return: dropping the [`ZcLoan`] releases every folio it still holds,
//!   gives back the budget and the inode reference. A lent folio stays
//!   marked lent (`PG_owner_2`): a consumer may have handed its page to
//!   the network (`MSG_SPLICE_PAGES`), whose references outlive the loan,
//!   so writers copy it away while references beyond the page cache's
//!   remain.

#![deny(unsafe_code)]

use crate::cache;
use crate::folio::{self, Folio};
use crate::inode::{Inode, InodeLockGuard};
use crate::stats::{self, STATS};
use crate::zcvfs_api::box_cache::BoxCache;
use crate::zcvfs_api::inline_vec::InlineVec;
use crate::zcvfs_api::provider::{LoanRequest, Provider, SegVec, WriteOutcome, SEGS_INLINE};
use crate::zcvfs_api::xuio::{Rw, Segment};
use kernel::fs::File;
use kernel::page::PAGE_SIZE;
use kernel::prelude::*;
use kernel::sync::aref::ARef;
use kernel::sync::barrier::{smp_mb, Full};

/// Number of pages that `len` bytes starting `first_off` bytes into a
/// page span.
pub(crate) fn pages_spanned(first_off: usize, len: usize) -> usize {
    (first_off % PAGE_SIZE + len).div_ceil(PAGE_SIZE)
}

/// The folios of a WRITE loan of `len` bytes that starts `first_off`
/// bytes into page `index` of the file: `(order, offset in the folio,
/// length)` of each, in file order. A partial page (at either edge) is a
/// folio of its own; whole pages go in folios of the largest order, at
/// most `max_order`, that the loan's whole pages fill and that is aligned
/// in the file to its size, as the page cache would place them.
pub(crate) fn folio_layout(
    mut index: u64,
    first_off: usize,
    len: usize,
    max_order: u32,
) -> impl Iterator<Item = (u32, usize, usize)> {
    let mut off = first_off % PAGE_SIZE;
    let mut left = len;
    core::iter::from_fn(move || {
        if left == 0 {
            return None;
        }
        if off != 0 || left < PAGE_SIZE {
            let this = left.min(PAGE_SIZE - off);
            let piece = (0, off, this);
            left -= this;
            off = 0;
            index += 1;
            return Some(piece);
        }
        let whole = (left / PAGE_SIZE) as u64;
        // `whole >= 1`: its log fits; an index of 0 is aligned to any.
        let order = max_order.min(whole.ilog2()).min(index.trailing_zeros());
        let bytes = PAGE_SIZE << order;
        left -= bytes;
        index += 1 << order;
        Some((order, 0, bytes))
    })
}

/// The folios of a loan, one slot per segment: a loan of up to
/// [`SEGS_INLINE`] folios (or holes) keeps them (and its segments) inside
/// itself, so that it costs a single allocation.
type Folios = InlineVec<Option<ARef<Folio>>, SEGS_INLINE>;

/// READ: release the folios of a loan. They stay marked lent: a consumer
/// may still reference their pages (see [`crate::cache::needs_cow`]).
fn release_read(folios: &mut Folios, segs: &mut SegVec) {
    folios.clear();
    segs.clear();
}

/// A zcfs loan.
///
/// # Invariants
///
/// - `budget` pages are charged to the mount of `inode`.
/// - READ: every folio in `folios` is marked lent and referenced by the
///   loan, and `segs` describe exactly the bytes read, in those folios (one
///   segment per folio); the slot of a hole is `None` and its segment is
///   the zero page (one per page).
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
    /// WRITE: adds the fresh `folio`, with the segment of `len` bytes at
    /// `off` in it that the consumer fills.
    fn push_folio(&mut self, folio: ARef<Folio>, off: usize, len: usize) -> Result {
        let seg = folio.segment(off, len);
        self.folios.push(Some(folio))?;
        self.segs.push(seg)
    }

    /// READ: forget the folios of a previous read.
    fn release_read(&mut self) {
        release_read(&mut self.folios, &mut self.segs);
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
        // Whether the file is mapped is checked after the folios are
        // marked lent (below); the request checked it already.
        // A read that failed released what it had found (`read_xuio`).
        if !folios.as_slice().is_empty() {
            release_read(folios, segs);
        }
        let size = inode.size();
        let n = if offset >= size {
            0
        } else {
            // At most `len`.
            (size - offset).min(len as u64) as usize
        };
        let page = PAGE_SIZE as u64;
        let end = offset + n as u64;
        let mut pos = offset;
        let (mut holes, mut pages) = (0u64, 0u64);
        if n > 0 {
            state.note_lent();
        }
        while pos < end {
            let index = pos / page;
            let mut found = false;
            // One reference per folio, up to a batch of them per lookup.
            for folio in Folio::lookup(file, index, (end - 1) / page) {
                found = true;
                let start = folio.index() * page;
                let stop = (start + (folio.nr_pages() as u64) * page).min(end);
                if pos < start || stop <= pos {
                    // Cannot happen: the lookup is contiguous from `pos`'s
                    // page on.
                    return Err(EIO);
                }
                // Within the folio, at most `len`.
                let (off, flen) = ((pos - start) as usize, (stop - pos) as usize);
                let seg = folio.segment(off, flen);
                folio.lend();
                pages += pages_spanned(off, flen) as u64;
                folios.push(Some(folio))?;
                segs.push(seg)?;
                pos = stop;
            }
            if !found {
                // A hole: the zero page, no folio, nothing allocated.
                let plen = ((index + 1) * page).min(end) - pos;
                folios.push(None)?;
                segs.push(folio::zero_segment((pos % page) as usize, plen as usize))?;
                holes += 1;
                pos += plen;
            }
        }
        // A mapping that appeared meanwhile could write the folios: every
        // write fault after our marks sees them, one before them made the
        // file mapped (a full barrier here and in the fault orders the
        // marks before this check, as the mapping before the fault's).
        smp_mb(Full);
        if inode.mapped() {
            stats::add(&STATS.refused_mapped, 1);
            return Err(EINVAL);
        }
        stats::add(&STATS.read_loans, 1);
        stats::add(&STATS.read_pages_loaned, pages);
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
            let slot = self.folios.as_mut_slice().get_mut(i);
            let folio = slot.and_then(Option::take);
            // Whole pages, their folio aligned in the file to its size.
            let whole = folio.as_ref().is_some_and(|f| {
                let size = f.nr_pages() * PAGE_SIZE;
                seg.bv_offset == 0 && slen == size && pos % size as u64 == 0
            });
            let r = match (whole, folio) {
                (true, Some(folio)) => {
                    let nr = folio.nr_pages() as u64;
                    match cache::donate(&locked, folio, pos / PAGE_SIZE as u64) {
                        Ok(None) => {
                            out.pages_donated += nr;
                            Ok(slen)
                        }
                        // The cache holds these pages otherwise: copy.
                        Ok(Some(folio)) => {
                            self.folios.as_mut_slice()[i] = Some(folio);
                            copy(&locked, file, pos, seg, &mut out)
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
                    copy(&locked, file, pos, seg, &mut out)
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

/// WRITE: copies the segment `seg` of a loan into the file at `pos`,
/// through the page cache; a loaned target is copied away first (a whole
/// donated page would replace it instead, a partial copy changes it).
fn copy(
    locked: &InodeLockGuard<'_>,
    file: &File,
    pos: u64,
    seg: &Segment,
    out: &mut WriteOutcome,
) -> Result<usize> {
    let r = cache::cow_range(locked.inode(), pos, seg.bv_len.into())
        .and_then(|()| locked.copy_in(file, pos, seg));
    if let Ok(n) = r {
        out.pages_copied += pages_spanned(seg.bv_offset as usize, seg.bv_len as usize) as u64;
        stats::add(&STATS.write_bytes_copied, n as u64);
    }
    r
}

impl Drop for ZcLoan {
    fn drop(&mut self) {
        if self.rw == Rw::Read {
            self.release_read();
        }
        // Unconsumed write folios are freed with `folios`.
        self.inode.space().loan_put(self.budget);
    }
}

/// Spare loan boxes: a loan at a time allocates nothing (drained at module
/// exit).
pub(crate) static LOAN_BOXES: BoxCache<ZcLoan> = BoxCache::new();

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
        // From here on, dropping the loan gives everything back.
        // One segment and one slot per folio (READ: none until the read
        // finds the folios), inline for a few folios (a loan of large
        // folios usually fits); beyond that, room for one per page comes at
        // once.
        let mut loan = LOAN_BOXES.boxed(ZcLoan {
            inode,
            rw: req.rw,
            budget: npages as u64,
            folios: Folios::with_spill_capacity(npages),
            segs: SegVec::with_spill_capacity(npages),
        })?;
        if req.rw == Rw::Read {
            return Ok(loan);
        }
        let index = req.offset.unwrap_or(0) / PAGE_SIZE as u64;
        let max_order = loan.inode.max_folio_order();
        for (order, off, flen) in folio_layout(index, first, len, max_order) {
            if order == 0 {
                // The consumer fills the segment; only the rest of the
                // page (a partial edge of the loan) is zeroed here.
                let folio = Folio::alloc(0)?;
                folio.zero_outside(off, flen);
                loan.push_folio(folio, off, flen)?;
                continue;
            }
            // Whole pages: a large folio, or smaller ones where it cannot
            // be had (each aligned: `done` stays a multiple of the size).
            let (pages, mut o, mut done) = (1usize << order, order, 0usize);
            while done < pages {
                match Folio::alloc(o) {
                    Ok(folio) => {
                        loan.push_folio(folio, 0, PAGE_SIZE << o)?;
                        done += 1 << o;
                    }
                    Err(_) if o > 0 => o -= 1,
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(loan)
    }

    fn retzcbuf(_file: &File, loan: KBox<ZcLoan>) {
        LOAN_BOXES.recycle(loan);
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
    fn pages_spanned_by_a_range() {
        assert_eq!(pages_spanned(100, PAGE_SIZE), 2);
        assert_eq!(pages_spanned(0, PAGE_SIZE), 1);
        assert_eq!(pages_spanned(PAGE_SIZE - 1, 2), 2);
        assert_eq!(pages_spanned(0, 1), 1);
    }

    fn all(index: u64, off: usize, len: usize, max: u32) -> Result<KVec<(u32, usize, usize)>> {
        let mut v = KVec::new();
        for piece in folio_layout(index, off, len, max) {
            v.push(piece, GFP_KERNEL)?;
        }
        Ok(v)
    }

    #[test]
    fn write_folios_aligned_in_the_file() {
        let p = PAGE_SIZE;
        // 1 MiB at 0: one folio.
        let v = all(0, 0, 256 * p, 9).unwrap();
        assert_eq!(v.as_slice(), &[(8, 0, 256 * p)]);
        // No large folios: a page each.
        assert_eq!(all(0, 0, 3 * p, 0).unwrap().len(), 3);
        // A partial head, whole pages 1..8 aligned up and down, a tail.
        let v = all(0, 100, 8 * p, 9).unwrap();
        assert_eq!(
            v.as_slice(),
            &[
                (0, 100, p - 100),
                (0, 0, p),
                (1, 0, 2 * p),
                (2, 0, 4 * p),
                (0, 0, 100)
            ]
        );
        // At page 6: 2 pages, then 8, then what is left.
        let v = all(6, 0, 11 * p, 9).unwrap();
        assert_eq!(v.as_slice(), &[(1, 0, 2 * p), (3, 0, 8 * p), (0, 0, p)]);
        // The largest order caps; the total is the length.
        let v = all(0, 0, 64 * p + 5, 2).unwrap();
        assert_eq!(v.len(), 17);
        assert_eq!(v.iter().map(|x| x.2).sum::<usize>(), 64 * p + 5);
    }
}
