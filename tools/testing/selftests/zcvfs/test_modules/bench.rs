// SPDX-License-Identifier: GPL-2.0

//! The in-kernel micro benchmark of `make bench` (`tools/bench/`): what it
//! costs a consumer to get at `len` bytes of a file's page cache by a loan
//! (request + read + return, no copy) versus by a copy (a plain read into
//! a kernel buffer through the normal VFS path).
//!
//! One call runs one method repeatedly for at least a given time and
//! returns the iterations and their total time (the monotonic clock); the
//! caller alternates the methods over many calls and takes medians. Both
//! methods go through zcvfs's dispatch (`fop_*`), so that the difference is
//! the loan versus the copy, not the entry point.

#![deny(unsafe_code)]

use crate::zcvfs_api::consumer::ReadLoan;
use crate::zcvfs_api::fop::{self, CallerContext};
use kernel::fs::File;
use kernel::prelude::*;
use kernel::time::{Instant, Monotonic};

/// Most iterations one call runs (a bound on the call's duration).
pub(crate) const MAX_ITERS: u64 = 100_000;

/// Longest minimum duration a caller may ask for (10 s), well below the
/// soft-lockup threshold.
pub(crate) const MAX_MIN_NS: u64 = 10_000_000_000;

/// How the consumer gets at the data.
#[derive(Clone, Copy)]
pub(crate) enum Method {
    /// `ReadLoan::request` + `read` + drop (the return).
    Loan,
    /// `fop::read_plain` into a kernel buffer: one copy of every byte.
    Copy,
}

/// What a run did.
pub(crate) struct Outcome {
    /// Iterations run.
    pub(crate) iters: u64,
    /// Their total duration in nanoseconds.
    pub(crate) ns: u64,
    /// Bytes every iteration got (the same each time).
    pub(crate) bytes: usize,
    /// Segments of the last loan (`Loan`), or 0.
    pub(crate) segments: usize,
    /// `Loan`: the time spent in the request, the read and the return, in
    /// nanoseconds, summed over the iterations (each phase timed apart).
    pub(crate) phases_ns: [u64; 3],
}

/// Nanoseconds from `t0` to `t1` (never negative).
fn ns_between(t0: Instant<Monotonic>, t1: Instant<Monotonic>) -> u64 {
    // `t1` is never before `t0`; durations are far below `u64::MAX`.
    (t1 - t0).as_nanos().max(0) as u64
}

/// Run iterations of `method` on `len` bytes at `offset` until `min_ns`
/// nanoseconds have passed (at least one, at most [`MAX_ITERS`]), timed as
/// a whole: the clock may be as coarse as a jiffy (an x86 guest without a
/// usable TSC or HPET), so a single iteration is not timed on its own.
/// Fails with the first error, or `EIO` if two iterations got different
/// byte counts.
pub(crate) fn run(
    file: &File,
    method: Method,
    offset: u64,
    len: usize,
    min_ns: u64,
    ct: &'static CallerContext,
) -> Result<Outcome> {
    if len == 0 || min_ns > MAX_MIN_NS {
        return Err(EINVAL);
    }
    let mut out = Outcome {
        iters: 0,
        ns: 0,
        bytes: 0,
        segments: 0,
        phases_ns: [0; 3],
    };
    // The copy's destination is allocated (and faulted in) once, outside
    // the timed region, as a server's reply buffer would be.
    let mut buf = match method {
        Method::Copy => KVVec::from_elem(0u8, len, GFP_KERNEL)?,
        Method::Loan => KVVec::new(),
    };
    let start = i64::try_from(offset).map_err(|_| EOVERFLOW)?;
    let t0 = Instant::<Monotonic>::now();
    loop {
        let bytes = match method {
            Method::Loan => {
                let ta = Instant::<Monotonic>::now();
                let loan = ReadLoan::request(file, offset, len, Some(ct))?;
                let tb = Instant::<Monotonic>::now();
                let data = loan.read()?;
                let tc = Instant::<Monotonic>::now();
                out.segments = data.segments().len();
                let n = data.len();
                // The return is part of the iteration.
                drop(data);
                let td = Instant::<Monotonic>::now();
                out.phases_ns[0] += ns_between(ta, tb);
                out.phases_ns[1] += ns_between(tb, tc);
                out.phases_ns[2] += ns_between(tc, td);
                n
            }
            Method::Copy => fop::read_plain(file, start, &mut buf, Some(ct))?,
        };
        if out.iters == 0 {
            out.bytes = bytes;
        } else if bytes != out.bytes {
            return Err(EIO);
        }
        out.iters += 1;
        // The elapsed time is never negative.
        out.ns = t0.elapsed().as_nanos().max(0) as u64;
        if out.ns >= min_ns || out.iters >= MAX_ITERS {
            return Ok(out);
        }
    }
}
