// SPDX-License-Identifier: GPL-2.0

//! The in-kernel micro benchmark of `make bench` (`tools/bench/`): what it
//! costs a consumer to get at `len` bytes of a file's page cache by a loan
//! (request + read + return, no copy) versus by a copy (a plain read into
//! a kernel buffer through the normal VFS path), and where the loan's time
//! goes (its three phases).
//!
//! One call runs one method repeatedly for at least a given time and
//! returns the iterations and their total time (the monotonic clock); the
//! caller alternates the methods over many calls and takes medians. Both
//! methods go through zcvfs's dispatch (`fop_*`), so that the difference is
//! the loan versus the copy, not the entry point.
//!
//! Iteration `i` reads the range `i % ranges` of `ranges` consecutive
//! ranges of `len` bytes from `offset`, with every method alike: a server
//! reads ranges of a file one after the other, not one range again and
//! again.
//!
//! # Timing with a coarse clock
//!
//! The clock may be as coarse as a jiffy (4 ms: an x86 guest under TCG has
//! no usable TSC, HPET or PM timer and runs on `refined-jiffies`), so
//! nothing shorter than a batch of many iterations is timed on its own:
//!
//! - [`Method::Loan`] and [`Method::Copy`] time the whole batch, one
//!   iteration after the other (a loan is returned before the next one is
//!   requested);
//! - [`Method::Phases`] times each phase over a batch of `ranges` loans:
//!   all `ranges` requests, then all the reads, then all the returns, so
//!   that every timed interval spans `ranges` repetitions of one phase
//!   only, and repeats such cycles for the given time. A clock reading is
//!   late by less than a tick, the same in distribution at both ends of an
//!   interval (the cycles do not beat with the tick), so the summed phase
//!   times are unbiased; their error shrinks as the cycles accumulate.
//!   `ranges` loans are out at once here, which the sum of the phases can
//!   be compared with [`Method::Loan`]'s total to judge.

#![deny(unsafe_code)]

use crate::zcvfs_api::consumer::{ReadData, ReadLoan};
use crate::zcvfs_api::fop::{self, CallerContext};
use kernel::fs::File;
use kernel::prelude::*;
use kernel::time::{Instant, Monotonic};

/// Most iterations one call runs (a bound on the call's duration).
pub(crate) const MAX_ITERS: u64 = 100_000;

/// Longest minimum duration a caller may ask for (10 s), well below the
/// soft-lockup threshold.
pub(crate) const MAX_MIN_NS: u64 = 10_000_000_000;

/// Most ranges (and loans out at once for [`Method::Phases`]).
pub(crate) const MAX_RANGES: usize = 1024;

/// How the consumer gets at the data.
#[derive(Clone, Copy)]
pub(crate) enum Method {
    /// `ReadData::request` (the request and the read in one call,
    /// `fop_reqzcbuf_read`, as zcnfsd's READ makes them) + drop (the
    /// return), one loan at a time.
    Loan,
    /// `fop::read_plain` into a kernel buffer: one copy of every byte.
    Copy,
    /// The loan's phases, each timed over a batch of loans (module doc):
    /// `ReadLoan::request`, `ReadLoan::read` and the return, as three
    /// calls.
    Phases,
}

/// What a run did.
pub(crate) struct Outcome {
    /// Iterations run (loans or copies).
    pub(crate) iters: u64,
    /// Their total duration in nanoseconds.
    pub(crate) ns: u64,
    /// Bytes every iteration got (the same each time).
    pub(crate) bytes: usize,
    /// Segments of the last loan (`Loan`, `Phases`), or 0.
    pub(crate) segments: usize,
    /// `Phases`: the time spent in the requests, the reads and the
    /// returns, in nanoseconds, summed over the iterations; 0 otherwise.
    pub(crate) phases_ns: [u64; 3],
}

impl Outcome {
    /// Record the byte count of one more iteration: `EIO` if it differs
    /// from the first one's.
    fn got(&mut self, bytes: usize) -> Result {
        if self.iters == 0 {
            self.bytes = bytes;
        } else if bytes != self.bytes {
            return Err(EIO);
        }
        self.iters += 1;
        Ok(())
    }
}

/// Nanoseconds from `t0` to `t1` (never negative).
fn ns_between(t0: Instant<Monotonic>, t1: Instant<Monotonic>) -> u64 {
    // `t1` is never before `t0`; durations are far below `u64::MAX`.
    (t1 - t0).as_nanos().max(0) as u64
}

/// Nanoseconds since `t0`.
fn ns_since(t0: Instant<Monotonic>) -> u64 {
    // The elapsed time is never negative.
    t0.elapsed().as_nanos().max(0) as u64
}

/// Run iterations of `method` on `len` bytes of the `ranges` consecutive
/// ranges from `offset` until `min_ns` nanoseconds have passed (at least
/// one iteration, or one cycle of `ranges` loans for `Phases`; at most
/// about [`MAX_ITERS`]). Fails with the first error (an outstanding loan
/// is returned), or `EIO` if two iterations got different byte counts.
pub(crate) fn run(
    file: &File,
    method: Method,
    offset: u64,
    len: usize,
    ranges: usize,
    min_ns: u64,
    ct: &'static CallerContext,
) -> Result<Outcome> {
    if len == 0 || ranges == 0 || ranges > MAX_RANGES || min_ns > MAX_MIN_NS {
        return Err(EINVAL);
    }
    let span = (len as u64)
        .checked_mul(ranges as u64)
        .and_then(|s| s.checked_add(offset))
        .ok_or(EOVERFLOW)?;
    i64::try_from(span).map_err(|_| EOVERFLOW)?;
    // Range `i` starts here (no overflow: checked above).
    let at = |i: usize| offset + (i * len) as u64;
    let mut out = Outcome {
        iters: 0,
        ns: 0,
        bytes: 0,
        segments: 0,
        phases_ns: [0; 3],
    };
    match method {
        Method::Loan => repeat(&mut out, ranges, min_ns, |i| {
            // Request and read in one call, as zcnfsd's READ does.
            let data = ReadData::request(file, at(i), len, Some(ct))?;
            // The return (the drop of `data`) is part of the iteration.
            Ok((data.len(), data.segments().len()))
        })?,
        Method::Copy => {
            // The destination is allocated (and faulted in) once, outside
            // the timed region, as a server's reply buffer would be.
            let mut buf = KVVec::from_elem(0u8, len, GFP_KERNEL)?;
            repeat(&mut out, ranges, min_ns, |i| {
                // `at(i)` fits an `i64` (checked above).
                Ok((fop::read_plain(file, at(i) as i64, &mut buf, Some(ct))?, 0))
            })?
        }
        Method::Phases => {
            // Room for a batch, allocated before any timing.
            let mut loans = KVec::<ReadLoan>::with_capacity(ranges, GFP_KERNEL)?;
            let mut datas = KVec::<ReadData>::with_capacity(ranges, GFP_KERNEL)?;
            loop {
                let ta = Instant::<Monotonic>::now();
                for i in 0..ranges {
                    let loan = ReadLoan::request(file, at(i), len, Some(ct))?;
                    // Within the capacity reserved above: no allocation.
                    loans.push_within_capacity(loan).map_err(|_| ENOMEM)?;
                }
                let tb = Instant::<Monotonic>::now();
                for loan in loans.drain_all() {
                    datas
                        .push_within_capacity(loan.read()?)
                        .map_err(|_| ENOMEM)?;
                }
                let tc = Instant::<Monotonic>::now();
                // The byte counts, checked between the timed phases.
                for data in datas.iter() {
                    out.got(data.len())?;
                    out.segments = data.segments().len();
                }
                let tr = Instant::<Monotonic>::now();
                // Dropping the read loans returns them.
                datas.clear();
                let td = Instant::<Monotonic>::now();
                out.phases_ns[0] += ns_between(ta, tb);
                out.phases_ns[1] += ns_between(tb, tc);
                out.phases_ns[2] += ns_between(tr, td);
                out.ns += ns_between(ta, tc) + ns_between(tr, td);
                if out.ns >= min_ns || out.iters >= MAX_ITERS {
                    break;
                }
            }
        }
    }
    Ok(out)
}

/// Iterations between two readings of the clock in [`repeat`]: a reading
/// (`ktime_get`) costs about 70 guest kernel instructions on arm64, which
/// read at every iteration would be a part of what is measured (of a loan,
/// about 2.5%). A divisor of [`MAX_ITERS`].
const CLOCK_EVERY: u64 = 16;
const _: () = assert!(MAX_ITERS % CLOCK_EVERY == 0);

/// Run `one(i)` for the ranges `i` in turn (0, 1, .., `ranges` - 1, 0, ..)
/// until `min_ns` nanoseconds have passed (at least [`CLOCK_EVERY`] times,
/// at most [`MAX_ITERS`] times; the clock is read every [`CLOCK_EVERY`]
/// iterations), timed as a whole. `one` gives the bytes got and the
/// segments used.
fn repeat(
    out: &mut Outcome,
    ranges: usize,
    min_ns: u64,
    mut one: impl FnMut(usize) -> Result<(usize, usize)>,
) -> Result {
    let t0 = Instant::<Monotonic>::now();
    let mut i = 0;
    loop {
        let (bytes, segments) = one(i)?;
        out.got(bytes)?;
        out.segments = segments;
        i = (i + 1) % ranges;
        if out.iters % CLOCK_EVERY != 0 {
            continue;
        }
        out.ns = ns_since(t0);
        if out.ns >= min_ns || out.iters >= MAX_ITERS {
            return Ok(());
        }
    }
}
