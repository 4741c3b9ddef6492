// SPDX-License-Identifier: GPL-2.0

//! zcfs's own counters, in `/sys/kernel/debug/zcfs/stats` (`name value`
//! lines). zcvfs counts requests, returns, loans outstanding and bytes
//! per filesystem type; these say what zcfs did with the pages.

#![deny(unsafe_code)]

use core::fmt;
use kernel::sync::atomic::{Atomic, Relaxed};

/// The counters.
pub(crate) struct Stats {
    /// Read loans filled.
    pub(crate) read_loans: Atomic<u64>,
    /// Page-cache pages handed out by read loans.
    pub(crate) read_pages_loaned: Atomic<u64>,
    /// Pages of holes handed out by read loans as the zero page.
    pub(crate) read_zero_pages: Atomic<u64>,
    /// Bytes handed out by read loans.
    pub(crate) read_bytes_loaned: Atomic<u64>,
    /// Write loans written.
    pub(crate) write_loans: Atomic<u64>,
    /// Whole pages of write loans moved into the page cache.
    pub(crate) write_pages_donated: Atomic<u64>,
    /// Partial pages of write loans copied into the page cache.
    pub(crate) write_pages_copied: Atomic<u64>,
    /// Bytes of those copies.
    pub(crate) write_bytes_copied: Atomic<u64>,
    /// Loaned folios replaced in the cache by a copy before a change.
    pub(crate) cow_pages: Atomic<u64>,
    /// Requests refused: below `min_loan` or above `max_loan`.
    pub(crate) refused_size: Atomic<u64>,
    /// Requests refused: `max_loan_pages` reached.
    pub(crate) refused_budget: Atomic<u64>,
    /// Read requests or reads refused: the file is memory-mapped.
    pub(crate) refused_mapped: Atomic<u64>,
}

/// The module's counters.
pub(crate) static STATS: Stats = Stats {
    read_loans: Atomic::new(0),
    read_pages_loaned: Atomic::new(0),
    read_zero_pages: Atomic::new(0),
    read_bytes_loaned: Atomic::new(0),
    write_loans: Atomic::new(0),
    write_pages_donated: Atomic::new(0),
    write_pages_copied: Atomic::new(0),
    write_bytes_copied: Atomic::new(0),
    cow_pages: Atomic::new(0),
    refused_size: Atomic::new(0),
    refused_budget: Atomic::new(0),
    refused_mapped: Atomic::new(0),
};

/// Add `n` to a counter (nothing to do, no atomic operation, for 0).
pub(crate) fn add(c: &Atomic<u64>, n: u64) {
    if n != 0 {
        c.add(n, Relaxed);
    }
}

/// What debugfs shows: the global counters.
pub(crate) struct StatsView;

impl fmt::Debug for StatsView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &STATS;
        let rows: [(&str, &Atomic<u64>); 12] = [
            ("read_loans", &s.read_loans),
            ("read_pages_loaned", &s.read_pages_loaned),
            ("read_zero_pages", &s.read_zero_pages),
            ("read_bytes_loaned", &s.read_bytes_loaned),
            ("write_loans", &s.write_loans),
            ("write_pages_donated", &s.write_pages_donated),
            ("write_pages_copied", &s.write_pages_copied),
            ("write_bytes_copied", &s.write_bytes_copied),
            ("cow_pages", &s.cow_pages),
            ("refused_size", &s.refused_size),
            ("refused_budget", &s.refused_budget),
            ("refused_mapped", &s.refused_mapped),
        ];
        for (i, (name, v)) in rows.iter().enumerate() {
            if i + 1 == rows.len() {
                // debugfs's writer adds the final newline.
                write!(f, "{name} {}", v.load(Relaxed))?;
            } else {
                writeln!(f, "{name} {}", v.load(Relaxed))?;
            }
        }
        Ok(())
    }
}
