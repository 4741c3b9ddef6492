// SPDX-License-Identifier: GPL-2.0

//! A mount's space: the pages its page cache may hold (`size=`, as tmpfs's
//! `nr_blocks`) and the pages its loans may pin (`max_loan_pages`).
//!
//! Every folio is charged before it enters a file's cache (a write, a fault
//! of a hole, a donation, a copy-on-write), and its charge is given back
//! when it leaves (truncate, eviction: [`recalc`] counts what left). A
//! copy-on-write needs a free block while both the lent folio and its copy
//! exist, then gives the lent folio's charge back: from then on only its
//! loans hold it, and they are bounded by the loan budget.
//!
//! Each inode counts the pages of the charged folios that entered its
//! cache ([`inode_charged`], [`CacheInode::charges`]); [`recalc`] compares
//! that count with the pages its cache holds, as `shmem_recalc_inode()`
//! does, and gives the difference back. The count is an atomic in the
//! inode container (`crate::inode_ops::InodeInfo`, which embeds the
//! `struct inode` that `alloc_inode` returns): every zcfs inode with pages
//! has one (symlinks too), while the Rust state of `i_private` exists for
//! regular files only.

#![deny(unsafe_code)]

use crate::inode::CacheInode;
use kernel::prelude::*;
use kernel::sync::atomic::{Atomic, Full, Relaxed};

/// The space of one mount (its super_block's, owned by its
/// `crate::super_block::SbInfo`).
///
/// # Invariants
///
/// `used_blocks` is the number of pages charged and not given back, and is
/// at most `max_blocks` when that is not 0, except for the moment between
/// a charge that passes the limit and its undoing; the same for
/// `pages_on_loan` and `max_loan_pages`.
pub(crate) struct Space {
    /// Pages the mount may hold in its page cache; 0: no limit.
    max_blocks: Atomic<u64>,
    /// Pages it holds.
    used_blocks: Atomic<i64>,
    /// Pages its loans may pin, at most.
    max_loan_pages: u64,
    /// Pages its loans pin.
    pages_on_loan: Atomic<u64>,
}

impl Space {
    /// Nothing used, nothing on loan.
    pub(crate) fn new(max_blocks: u64, max_loan_pages: u64) -> Self {
        Space {
            max_blocks: Atomic::new(max_blocks),
            used_blocks: Atomic::new(0),
            max_loan_pages,
            pages_on_loan: Atomic::new(0),
        }
    }

    /// Charges `pages` before they enter a file's cache: `false` (the
    /// caller fails with `ENOSPC`) if that would pass `size=`.
    pub(crate) fn charge(&self, pages: u64) -> bool {
        let Ok(n) = i64::try_from(pages) else {
            return false;
        };
        let max = self.max_blocks.load(Relaxed);
        let used = self.used_blocks.fetch_add(n, Full) + n;
        // As the C `(unsigned long)` comparison: never negative in practice.
        if max != 0 && used as u64 > max {
            self.used_blocks.fetch_sub(n, Full);
            return false;
        }
        true
    }

    /// Gives back what [`Space::charge`] charged.
    pub(crate) fn uncharge(&self, pages: u64) {
        // A page count fits an i64.
        self.used_blocks.fetch_sub(pages as i64, Full);
    }

    /// `size=` in pages (0: no limit).
    pub(crate) fn max_blocks(&self) -> u64 {
        self.max_blocks.load(Relaxed)
    }

    /// Pages charged.
    pub(crate) fn used_blocks(&self) -> u64 {
        u64::try_from(self.used_blocks.load(Relaxed)).unwrap_or(0)
    }

    /// What `statfs` reports of a mount with `size=` (as
    /// `shmem_statfs()`): its blocks and the free ones (`f_blocks`,
    /// `f_bfree` and `f_bavail`); `None` without a limit, where
    /// `simple_statfs()`'s numbers stand.
    pub(crate) fn statfs_blocks(&self) -> Option<(u64, u64)> {
        let max = self.max_blocks();
        let used = self.used_blocks();
        if max == 0 {
            return None;
        }
        Some((max, max.saturating_sub(used)))
    }

    /// Remount with a new `size=`: `EINVAL` if the mount already holds
    /// more.
    pub(crate) fn resize(&self, max_blocks: u64) -> Result {
        if max_blocks != 0 && self.used_blocks() > max_blocks {
            return Err(EINVAL);
        }
        self.max_blocks.store(max_blocks, Relaxed);
        Ok(())
    }

    /// Charges `pages` to the pages on loan: `false` if that would pass
    /// `max_loan_pages`.
    pub(crate) fn loan_take(&self, pages: u64) -> bool {
        let n = self
            .pages_on_loan
            .fetch_add(pages, Full)
            .wrapping_add(pages);
        if n > self.max_loan_pages {
            self.pages_on_loan.fetch_sub(pages, Full);
            return false;
        }
        true
    }

    /// Gives back what [`Space::loan_take`] charged.
    pub(crate) fn loan_put(&self, pages: u64) {
        self.pages_on_loan.fetch_sub(pages, Full);
    }
}

/// A charged folio of `pages` pages entered `inode`'s cache: counted
/// until it leaves it ([`recalc`]). Called before the folio is unlocked,
/// so that no truncation can remove it uncounted.
pub(crate) fn inode_charged(inode: &CacheInode, pages: u64) {
    // A page count fits an i64.
    inode.charges().fetch_add(pages as i64, Full);
}

/// Gives back the charges of the folios that left `inode`'s cache
/// (truncate, eviction), as `shmem_recalc_inode()` does: the inode holds
/// `nrpages` pages. A folio that was added but not yet counted
/// ([`inode_charged`]) makes the difference negative: nothing is given
/// back then.
pub(crate) fn recalc(inode: &CacheInode) {
    let charges = inode.charges();
    let mut alloced = charges.load(Relaxed);
    loop {
        // Page counts fit an i64.
        let freed = alloced - inode.cached_pages() as i64;
        if freed <= 0 {
            return;
        }
        match charges.cmpxchg(alloced, alloced - freed, Full) {
            Ok(_) => {
                inode.space().uncharge(freed as u64);
                return;
            }
            Err(now) => alloced = now,
        }
    }
}

#[kunit_tests(zcfs_space_acct)]
mod tests {
    use super::*;

    #[test]
    fn blocks_and_loans() {
        let s = Space::new(4, 2);
        assert!(s.charge(3));
        assert!(!s.charge(2));
        assert_eq!(s.used_blocks(), 3);
        assert!(s.charge(1));
        assert!(s.resize(3).is_err());
        s.uncharge(2);
        assert!(s.resize(3).is_ok());
        assert_eq!(s.max_blocks(), 3);
        assert_eq!(s.statfs_blocks(), Some((3, 1)));
        assert!(s.resize(0).is_ok());
        assert_eq!(s.statfs_blocks(), None);
        assert!(s.charge(100));
        assert!(s.loan_take(2));
        assert!(!s.loan_take(1));
        s.loan_put(1);
        assert!(s.loan_take(1));
    }
}
