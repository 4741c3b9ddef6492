// SPDX-License-Identifier: GPL-2.0

//! Per-inode state of a regular file: its byte-range lock and the set of
//! its folios that are on loan.
//!
//! A folio is "on loan" from the moment a zero-copy read hands it out
//! until that loan is returned; it may have left the page cache meanwhile
//! (replaced by a copy, or truncated away). Whoever would modify a folio of
//! the page cache asks [`InodeState::is_loaned`] first, and copies it away
//! if so.

#![deny(unsafe_code)]

use crate::range_lock::RangeLock;
use kernel::prelude::*;
use kernel::rbtree::{RBTree, RBTreeNodeReservation};
use kernel::sync::{new_mutex, Mutex};

/// Most tree nodes an inode keeps for reuse (48 bytes each).
const SPARE_MAX: usize = 1024;

/// The loaned folios of one inode, by address, with the number of loans
/// holding each.
///
/// The nodes of removed entries are kept (up to [`SPARE_MAX`]) for the
/// next entries, so that loaning and returning pages allocates and frees
/// nothing in the steady state: one allocation and one free per page made
/// a loan of 1 MiB cost 55 copies of it under KASAN and kmemleak, which
/// record a stack trace for each.
///
/// # Invariants
///
/// Every key is the address of a folio that the counted loans hold a
/// reference on (so the address cannot be reused while it is a key); every
/// count is at least 1.
pub(crate) struct LoanedSet {
    tree: RBTree<usize, u32>,
    /// A folio of the inode was ever lent (its references may outlive the
    /// loan: writers must check them).
    ever: bool,
    spare: KVec<RBTreeNodeReservation<usize, u32>>,
}

/// The state of a regular file (`inode->i_private`).
#[pin_data]
pub(crate) struct InodeState {
    /// The byte-range lock.
    #[pin]
    pub(crate) range: RangeLock,
    #[pin]
    loaned: Mutex<LoanedSet>,
}

impl InodeState {
    /// No range locked, nothing on loan. Without `range_locks` (the
    /// test-only mount option `debug_norangelock`) the range lock locks
    /// nothing.
    pub(crate) fn new(range_locks: bool) -> impl PinInit<Self, Error> {
        try_pin_init!(InodeState {
            range <- RangeLock::new(range_locks),
            loaned <- new_mutex!(
                LoanedSet {
                    tree: RBTree::new(),
                    ever: false,
                    spare: KVec::new(),
                },
                "zcfs_loaned"
            ),
        })
    }

    /// Count one more loan of the folio at `folio`. The caller holds a
    /// reference on it until the matching [`InodeState::unmark`].
    pub(crate) fn mark(&self, folio: usize) -> Result {
        let mut set = self.loaned.lock();
        set.ever = true;
        if let Some(n) = set.tree.get_mut(&folio) {
            *n = n.checked_add(1).ok_or(EOVERFLOW)?;
            return Ok(());
        }
        let node = match set.spare.pop() {
            Some(r) => r,
            None => RBTreeNodeReservation::new(GFP_KERNEL)?,
        };
        // Not a key (checked above): nothing is replaced.
        let _ = set.tree.insert(node.into_node(folio, 1));
        Ok(())
    }

    /// One loan of `folio` less.
    pub(crate) fn unmark(&self, folio: usize) {
        let mut set = self.loaned.lock();
        let last = match set.tree.get_mut(&folio) {
            Some(n) => {
                *n -= 1;
                *n == 0
            }
            None => {
                pr_warn!("zcfs: unmark of a folio not on loan\n");
                false
            }
        };
        if last {
            if let Some(node) = set.tree.remove_node(&folio) {
                if set.spare.len() < SPARE_MAX {
                    // On allocation failure the node is simply freed.
                    let _ = set.spare.push(node.into_reservation(), GFP_KERNEL);
                }
            }
        }
    }

    /// Whether `folio` is on loan.
    pub(crate) fn is_loaned(&self, folio: usize) -> bool {
        self.loaned.lock().tree.get(&folio).is_some()
    }

    /// Whether any folio of the inode is on loan, or was: a lent folio
    /// may still be referenced by a consumer after the loan's return (a
    /// network send), so writers check its references.
    pub(crate) fn has_loans(&self) -> bool {
        let set = self.loaned.lock();
        set.ever || !set.tree.is_empty()
    }
}
