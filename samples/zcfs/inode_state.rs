// SPDX-License-Identifier: GPL-2.0

//! Per-inode state of a regular file: its byte-range lock and whether any
//! of its folios was ever lent.
//!
//! Which folios are on loan is not recorded per inode: a loan holds a
//! reference on each folio it lends and marks the folio lent (`PG_owner_2`,
//! see [`crate::folio::Folio::lend`]), so a writer tells a loaned folio
//! by its references beyond the page cache's (see [`crate::cache`]). The
//! per-inode flag only spares the files never lent that check.

#![deny(unsafe_code)]

use crate::range_lock::RangeLock;
use kernel::prelude::*;
use kernel::sync::atomic::{Atomic, Relaxed};

/// The state of a regular file (`inode->i_private`).
#[pin_data]
pub(crate) struct InodeState {
    /// The byte-range lock.
    #[pin]
    pub(crate) range: RangeLock,
    /// A folio of the inode was ever lent; never cleared.
    ever_lent: Atomic<bool>,
}

impl InodeState {
    /// No range locked, nothing ever lent. Without `range_locks` (the
    /// test-only mount option `debug_norangelock`) the range lock locks
    /// nothing.
    pub(crate) fn new(range_locks: bool) -> impl PinInit<Self, Error> {
        try_pin_init!(InodeState {
            range <- RangeLock::new(range_locks),
            ever_lent: Atomic::new(false),
        })
    }

    /// A loan is about to lend folios of the inode. The caller orders this
    /// before its check of the file's mappings (a full barrier), as it
    /// does the folios' marks.
    pub(crate) fn note_lent(&self) {
        if !self.ever_lent.load(Relaxed) {
            self.ever_lent.store(true, Relaxed);
        }
    }

    /// Whether any folio of the inode was ever lent: only then may one
    /// be on loan, or be referenced by a consumer after its loan's return
    /// (a network send), so that writers must check its references.
    pub(crate) fn has_loans(&self) -> bool {
        self.ever_lent.load(Relaxed)
    }
}
