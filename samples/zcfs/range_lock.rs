// SPDX-License-Identifier: GPL-2.0

//! Byte-range locks: the provider's own `zfs_rangelock`.
//!
//! Readers of a range share it; a writer excludes every reader and writer
//! of an overlapping range. Ordinary I/O (`read_iter`, `write_iter`,
//! truncate) and zero-copy I/O take them alike, so a read never observes
//! part of a concurrent write.
//!
//! Waiters sleep on one condition variable per inode and re-check after
//! every unlock; an unlock with nobody waiting wakes nobody (the count of
//! waiters is kept under the same mutex as the ranges, so an unlock sees
//! every waiter that found a conflict before it). There is no queueing: a
//! stream of overlapping readers can delay a writer (the inode's writers
//! are already serialised by the inode lock, so only readers compete with
//! them).
//!
//! A lock made disabled (the test-only mount option `debug_norangelock`)
//! locks nothing: the control run of the torn-read test shows with it that
//! the test can see the tearing the lock prevents.

#![deny(unsafe_code)]

use kernel::prelude::*;
use kernel::sync::{new_condvar, new_mutex, CondVar, Mutex};

/// One held range `[start, end)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Held {
    id: u64,
    start: u64,
    end: u64,
    write: bool,
}

/// The ranges held on one inode: the algorithm, without the waiting.
///
/// # Invariants
///
/// Every range has `start < end`; no two held ranges conflict (overlap with
/// at least one of them a writer); ids are unique and never 0.
pub(crate) struct RangeSet {
    held: KVec<Held>,
    next_id: u64,
    /// Lockers asleep (or about to sleep) on a conflict.
    waiters: usize,
}

impl RangeSet {
    /// No range held.
    pub(crate) const fn new() -> Self {
        RangeSet {
            held: KVec::new(),
            next_id: 1,
            waiters: 0,
        }
    }

    /// Whether `[start, end)` for a reader (`write == false`) or a writer
    /// conflicts with a held range.
    pub(crate) fn conflicts(&self, start: u64, end: u64, write: bool) -> bool {
        self.held
            .iter()
            .any(|h| h.start < end && start < h.end && (write || h.write))
    }

    /// Record `[start, end)` (the caller checked [`RangeSet::conflicts`]).
    fn insert(&mut self, start: u64, end: u64, write: bool) -> Result<u64> {
        let id = self.next_id;
        self.held.push(
            Held {
                id,
                start,
                end,
                write,
            },
            GFP_KERNEL,
        )?;
        self.next_id += 1;
        Ok(id)
    }

    /// Forget range `id`; whether it was held.
    fn remove(&mut self, id: u64) -> bool {
        let before = self.held.len();
        self.held.retain(|h| h.id != id);
        self.held.len() != before
    }

    /// Number of ranges held.
    pub(crate) fn len(&self) -> usize {
        self.held.len()
    }
}

/// `[start, start + len)` as a non-empty half-open range (`len == 0`
/// locks one byte, so that it still orders against writers).
pub(crate) fn span(start: u64, len: u64) -> (u64, u64) {
    (start, start.saturating_add(len.max(1)))
}

/// The id [`RangeLock::lock`] returns when the lock is disabled.
const NOT_LOCKED: u64 = 0;

/// The byte-range lock of one inode.
///
/// # Invariants
///
/// When `enabled` is false, `set` stays empty.
#[pin_data]
pub(crate) struct RangeLock {
    #[pin]
    set: Mutex<RangeSet>,
    #[pin]
    released: CondVar,
    enabled: bool,
}

impl RangeLock {
    /// Nothing locked; `enabled == false` makes a lock that locks nothing
    /// (tests only, see the module documentation).
    pub(crate) fn new(enabled: bool) -> impl PinInit<Self> {
        pin_init!(RangeLock {
            set <- new_mutex!(RangeSet::new(), "zcfs_range_set"),
            released <- new_condvar!("zcfs_range_released"),
            enabled,
        })
    }

    /// Lock `len` bytes at `start`, shared (`write == false`) or exclusive;
    /// sleeps until no conflicting range is held. Returns the id for
    /// [`RangeLock::unlock`]. Fails only with `ENOMEM`.
    pub(crate) fn lock(&self, start: u64, len: u64, write: bool) -> Result<u64> {
        if !self.enabled {
            return Ok(NOT_LOCKED);
        }
        let (start, end) = span(start, len);
        let mut set = self.set.lock();
        while set.conflicts(start, end, write) {
            // Counted before the mutex is released by the wait: an unlock
            // after that sees it and wakes.
            set.waiters += 1;
            self.released.wait(&mut set);
            set.waiters -= 1;
        }
        set.insert(start, end, write)
    }

    /// Unlock range `id` and wake the waiters, if any.
    pub(crate) fn unlock(&self, id: u64) {
        if !self.enabled {
            return;
        }
        let (held, waiters) = {
            let mut set = self.set.lock();
            (set.remove(id), set.waiters)
        };
        if !held {
            pr_warn!("zcfs: unlock of a range not held ({})\n", id);
        }
        if waiters > 0 {
            self.released.notify_all();
        }
    }

    /// [`RangeLock::lock`] as a guard that unlocks when dropped.
    pub(crate) fn guard(&self, start: u64, len: u64, write: bool) -> Result<RangeGuard<'_>> {
        let id = self.lock(start, len, write)?;
        Ok(RangeGuard { lock: self, id })
    }

    /// Number of ranges held (for the tests).
    #[allow(dead_code)]
    pub(crate) fn held(&self) -> usize {
        self.set.lock().len()
    }
}

/// A held range; unlocked on drop.
pub(crate) struct RangeGuard<'a> {
    lock: &'a RangeLock,
    id: u64,
}

impl Drop for RangeGuard<'_> {
    fn drop(&mut self) {
        self.lock.unlock(self.id);
    }
}

#[kunit_tests(zcfs_range_lock)]
mod tests {
    use super::*;

    #[test]
    fn readers_share_writers_exclude() -> Result {
        let mut s = RangeSet::new();
        let r1 = s.insert(0, 100, false)?;
        assert!(!s.conflicts(50, 150, false));
        assert!(s.conflicts(50, 150, true));
        assert!(s.conflicts(99, 100, true));
        assert!(!s.conflicts(100, 200, true));
        let _w = s.insert(100, 200, true)?;
        assert!(s.conflicts(150, 151, false));
        assert!(s.conflicts(0, u64::MAX, false));
        assert!(s.remove(r1));
        assert!(!s.remove(r1));
        assert!(!s.conflicts(0, 100, true));
        assert_eq!(s.len(), 1);
        Ok(())
    }

    #[test]
    fn lock_and_unlock() -> Result {
        let l = KBox::pin_init(RangeLock::new(true), GFP_KERNEL)?;
        let a = l.lock(0, 10, true)?;
        // Disjoint writers and overlapping readers do not wait.
        let b = l.lock(10, 10, true)?;
        {
            let _r1 = l.guard(30, 10, false)?;
            let _r2 = l.guard(35, 10, false)?;
            assert_eq!(l.held(), 4);
        }
        assert_eq!(l.held(), 2);
        l.unlock(a);
        l.unlock(b);
        assert_eq!(l.held(), 0);
        Ok(())
    }

    #[test]
    fn disabled_locks_nothing() -> Result {
        let l = KBox::pin_init(RangeLock::new(false), GFP_KERNEL)?;
        // Two overlapping writers: with the lock enabled the second would
        // wait for ever.
        let _w1 = l.guard(0, 10, true)?;
        let _w2 = l.guard(5, 10, true)?;
        assert_eq!(l.held(), 0);
        Ok(())
    }

    #[test]
    fn spans() {
        assert_eq!(span(10, 0), (10, 11));
        assert_eq!(span(10, 5), (10, 15));
        assert_eq!(span(u64::MAX - 1, 10), (u64::MAX - 1, u64::MAX));
    }
}
