// SPDX-License-Identifier: GPL-2.0

//! Changes to a file's page cache that keep loans stable: copy-on-write of
//! lent folios, and donation of a write loan's folios.
//!
//! A loaned READ buffer is a stable snapshot: a folio
//! that is on loan, or that was lent and is still referenced by someone
//! else (a consumer that handed its page to the network and returned the
//! loan), is never changed in place. Whoever would change it (write(2), a
//! zero-copy write of part of a page, truncate, a write fault through
//! mmap) first replaces it in the cache by a private copy of the same size
//! ([`cow`]). Whole pages of a write loan replace the cached folio instead
//! ([`donate`]); the loans of the replaced folio keep it.

#![deny(unsafe_code)]

use crate::folio::{Folio, LockedFolio};
use crate::inode::{Inode, InodeLockGuard};
use crate::space;
use crate::stats::{self, STATS};
use kernel::page::PAGE_SIZE;
use kernel::prelude::*;
use kernel::sync::aref::ARef;
use kernel::sync::barrier::{smp_mb, Full};

/// Whether the locked page-cache folio `folio`, of which the caller holds
/// `held` references, must be copied away before it is changed: it was
/// lent ([`Folio::lend`]) and someone holds a reference beyond the page
/// cache's, the mappings' and the caller's (`folio_expected_ref_count`):
/// a loan, or a consumer that kept the page after the loan's return (a
/// network send). A folio still in a per-CPU LRU batch (not yet on an LRU
/// list) has one reference more, which cannot be told apart (modules
/// cannot drain the batches): it is copied too, which is safe and rare
/// (only lent folios, only until they reach an LRU list).
///
/// A lent folio that nobody else references is lent no more. Loans mark
/// folios without their lock: a loan takes its reference, then (after a
/// full barrier) sets the mark; here the mark is cleared, then (after a
/// full barrier) the references are read again, so a loan that took its
/// reference meanwhile is seen, or sees the mark cleared and sets it again.
pub(crate) fn needs_cow(folio: &LockedFolio, held: i32) -> bool {
    if !folio.test_lent() {
        return false;
    }
    let referenced = || folio.ref_count() > folio.expected_ref_count() + held;
    if referenced() {
        return true;
    }
    folio.clear_lent();
    smp_mb(Full);
    if referenced() {
        folio.lend();
        return true;
    }
    false
}

/// Replaces the locked page-cache folio `old` by a private copy of the
/// same size; `old` keeps its data for its loans. The copy needs free
/// blocks of the mount (`ENOSPC`): it is charged as it enters the cache,
/// and `old`'s charge is given back as `old` leaves it (from then on only
/// loans hold it, bounded by `max_loan_pages`).
pub(crate) fn cow(inode: &Inode, old: &LockedFolio) -> Result {
    let space = inode.space();
    let pages = old.nr_pages() as u64;
    if !space.charge(pages) {
        return Err(ENOSPC);
    }
    let r = Folio::alloc_copy(old).and_then(|new| inode.replace_cached(old, &new));
    space.uncharge(pages);
    if r.is_ok() {
        stats::add(&STATS.cow_pages, pages);
    }
    r
}

/// Copies away every folio of `len` bytes at `pos` that [`needs_cow`], so
/// that the range can be modified in place. The caller holds the inode
/// lock and the range's byte-range lock (exclusive).
pub(crate) fn cow_range(inode: &Inode, pos: u64, len: u64) -> Result {
    if len == 0 || !inode.state().has_loans() {
        return Ok(());
    }
    let end = pos.checked_add(len - 1).ok_or(EINVAL)?;
    let page = PAGE_SIZE as u64;
    // Our reference from the lookup: one held.
    inode.for_each_cached_folio(pos / page, end / page, |folio| {
        if needs_cow(folio, 1) {
            cow(inode, folio)?;
        }
        Ok(())
    })
}

/// A write fault on the locked page-cache folio `folio`, of which the
/// fault holds one reference: `true` if it was copied away (the fault is
/// retried on the copy), `false` if it may be written in place. The
/// caller ordered the fault after the file's mappings were made (a full
/// barrier): a loan made meanwhile either marked the folio before, or sees
/// the file mapped after, and is refused.
pub(crate) fn cow_for_write_fault(inode: &Inode, folio: &LockedFolio) -> Result<bool> {
    if !inode.state().has_loans() || !needs_cow(folio, 1) {
        return Ok(false);
    }
    cow(inode, folio)?;
    Ok(true)
}

/// Moves `folio`, whole pages of a write loan (in no cache) that start
/// at page `index` (aligned to the folio's size), into the page cache,
/// replacing what is there: `Ok(None)`. It replaces a cached folio of the
/// same pages, taking over its charge; into pages that hold nothing it is
/// added and charged (`ENOSPC` for a page when the mount is full). Where
/// the cache holds the pages otherwise (a larger folio around them,
/// smaller folios among them), or a large folio cannot be charged, the
/// folio is handed back (`Ok(Some(folio))`) for the caller to copy its
/// bytes in instead: the copy changes the cached folios in place, and
/// writes what fits on a nearly full mount. On failure the folio is
/// handed back too.
pub(crate) fn donate(
    locked: &InodeLockGuard<'_>,
    folio: ARef<Folio>,
    index: u64,
) -> Result<Option<ARef<Folio>>, (Error, ARef<Folio>)> {
    let inode = locked.inode();
    let nr = folio.nr_pages();
    loop {
        if let Some(old) = inode.lock_cached_folio(index) {
            if old.index() != index || old.nr_pages() != nr {
                return Ok(Some(folio));
            }
            // The cache took its own reference; ours is dropped.
            return match inode.replace_cached(&old, &folio) {
                Ok(()) => Ok(None),
                Err(e) => Err((e, folio)),
            };
        }
        if !inode.space().charge(nr as u64) {
            if nr > 1 {
                return Ok(Some(folio));
            }
            return Err((ENOSPC, folio));
        }
        let added = inode.add_cached(&folio, index).map(|added| {
            // Counted before it is unlocked (and may be truncated).
            space::inode_charged(inode, nr as u64);
            added.mark_dirty();
        });
        match added {
            Ok(()) => return Ok(None),
            Err(e) => {
                inode.space().uncharge(nr as u64);
                if e != EEXIST {
                    return Err((e, folio));
                }
                // Some of the pages are cached (a large folio's range
                // holds smaller folios): copy. A page that someone added
                // meanwhile is replaced.
                if nr > 1 {
                    return Ok(Some(folio));
                }
            }
        }
    }
}
