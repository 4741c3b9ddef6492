// SPDX-License-Identifier: GPL-2.0

//! Changes to a file's page cache that keep loans stable: copy-on-write of
//! lent folios, and donation of a write loan's folios.
//!
//! A loaned READ buffer is a stable snapshot: a folio
//! that is on loan, or that was lent and is still referenced by someone
//! else (a consumer that handed its page to the network and returned the
//! loan), is never changed in place. Whoever would change it (write(2), a
//! zero-copy write of part of a page, truncate, a write fault through
//! mmap) first replaces it in the cache by a private copy ([`cow`]). Whole
//! pages of a write loan replace the cached folio instead ([`donate`]);
//! the loans of the replaced folio keep it.

#![deny(unsafe_code)]

use crate::folio::{Folio, LockedFolio};
use crate::inode::{Inode, InodeLockGuard};
use crate::stats::{self, STATS};
use kernel::page::PAGE_SIZE;
use kernel::prelude::*;
use kernel::sync::aref::ARef;

/// Whether the locked page-cache folio `folio`, of which the caller holds
/// `held` references, must be copied away before it is changed: it is on
/// loan, or it was lent and someone still holds a reference beyond the
/// page cache's, the mappings' and the caller's
/// (`folio_expected_ref_count`). A folio still in a per-CPU LRU batch
/// (not yet on an LRU list) has one reference more, which cannot be told
/// apart (modules cannot drain the batches): it is copied too, which is
/// safe and rare (only lent folios, only until they reach an LRU list).
/// A lent folio that nobody else references is lent no more.
pub(crate) fn needs_cow(inode: &Inode, folio: &LockedFolio, held: i32) -> bool {
    if inode.state().is_loaned(folio.addr()) {
        return true;
    }
    if !folio.test_lent() {
        return false;
    }
    if folio.ref_count() > folio.expected_ref_count() + held {
        return true;
    }
    folio.clear_lent();
    false
}

/// Replaces the locked page-cache folio `old` by a private copy; `old`
/// keeps its data for its loans. The copy needs a free block of the mount
/// (`ENOSPC`): it is charged as it enters the cache, and `old`'s charge is
/// given back as `old` leaves it (from then on only loans hold it, bounded
/// by `max_loan_pages`).
pub(crate) fn cow(inode: &Inode, old: &LockedFolio) -> Result {
    let space = inode.space();
    if !space.charge(1) {
        return Err(ENOSPC);
    }
    let r = Folio::alloc_copy(old).and_then(|new| inode.replace_cached(old, &new));
    space.uncharge(1);
    if r.is_ok() {
        stats::add(&STATS.cow_pages, 1);
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
        if needs_cow(inode, folio, 1) {
            cow(inode, folio)?;
        }
        Ok(())
    })
}

/// A write fault on the locked page-cache folio `folio`, of which the
/// fault holds one reference: `true` if it was copied away (the fault is
/// retried on the copy), `false` if it may be written in place.
pub(crate) fn cow_for_write_fault(inode: &Inode, folio: &LockedFolio) -> Result<bool> {
    if !inode.state().has_loans() || !needs_cow(inode, folio, 1) {
        return Ok(false);
    }
    cow(inode, folio)?;
    Ok(true)
}

/// Moves `folio`, a whole page of a write loan (in no cache), into the
/// page cache at page `index`, replacing what is there. A replacement
/// takes over the charge of the folio it replaces; a new page of the file
/// is charged (`ENOSPC` when the mount is full). On failure the folio is
/// handed back.
pub(crate) fn donate(
    locked: &InodeLockGuard<'_>,
    folio: ARef<Folio>,
    index: u64,
) -> Result<(), (Error, ARef<Folio>)> {
    let inode = locked.inode();
    loop {
        if let Some(old) = inode.lock_cached_folio(index) {
            // The cache took its own reference; ours is dropped.
            return inode.replace_cached(&old, &folio).map_err(|e| (e, folio));
        }
        if !inode.space().charge(1) {
            return Err((ENOSPC, folio));
        }
        match inode.add_cached(&folio, index) {
            Ok(()) => return Ok(()),
            Err(e) => {
                inode.space().uncharge(1);
                // Someone added a folio meanwhile: replace it.
                if e != EEXIST {
                    return Err((e, folio));
                }
            }
        }
    }
}
