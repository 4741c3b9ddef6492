// SPDX-License-Identifier: GPL-2.0

//! Ratelimited log lines, for everything a client can make the server log
//! (the kernel crate has no `pr_*_ratelimited`): as C's
//! `pr_warn_ratelimited()`, each call site prints at most
//! [`BURST`] lines per [`INTERVAL_NS`], and the first line it may print
//! after a window in which it dropped some says how many.

#![deny(unsafe_code)]

use kernel::sync::atomic::{Atomic, Relaxed};
use kernel::time::{ClockSource, Monotonic};

/// Length of a window (`DEFAULT_RATELIMIT_INTERVAL`, 5 s).
pub(crate) const INTERVAL_NS: i64 = 5_000_000_000;
/// Lines per window and call site (`DEFAULT_RATELIMIT_BURST`).
pub(crate) const BURST: u32 = 10;

/// The state of one call site.
pub(crate) struct Ratelimit {
    /// Start of the current window (monotonic ns; 0: none yet).
    begin: Atomic<i64>,
    /// Lines asked for in the current window.
    asked: Atomic<u32>,
    /// Lines dropped since the last one printed.
    missed: Atomic<u32>,
}

impl Ratelimit {
    /// A call site that has printed nothing yet.
    pub(crate) const fn new() -> Self {
        Ratelimit {
            begin: Atomic::new(0),
            asked: Atomic::new(0),
            missed: Atomic::new(0),
        }
    }

    /// Whether a line may be printed now. Approximate under concurrency
    /// (a window may start twice), never more than twice the burst.
    pub(crate) fn allow(&self) -> bool {
        let now = <Monotonic as ClockSource>::ktime_get();
        let begin = self.begin.load(Relaxed);
        if begin == 0 || now.saturating_sub(begin) >= INTERVAL_NS {
            // A new window; one caller starts it.
            if self.begin.cmpxchg(begin, now.max(1), Relaxed).is_ok() {
                self.asked.store(0, Relaxed);
                let missed = self.missed.xchg(0, Relaxed);
                if missed > 0 {
                    kernel::pr_warn!("{} log lines suppressed\n", missed);
                }
            }
        }
        if self.asked.load(Relaxed) >= BURST {
            self.missed.add(1, Relaxed);
            return false;
        }
        self.asked.add(1, Relaxed);
        true
    }
}

/// `pr_warn!`, ratelimited per call site.
macro_rules! pr_warn_ratelimited {
    ($($arg:tt)*) => {{
        static RS: $crate::log::Ratelimit = $crate::log::Ratelimit::new();
        if RS.allow() {
            ::kernel::pr_warn!($($arg)*);
        }
    }};
}
pub(crate) use pr_warn_ratelimited;
