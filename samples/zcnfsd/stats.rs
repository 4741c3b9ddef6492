// SPDX-License-Identifier: GPL-2.0

//! zcnfsd's counters, in `/sys/kernel/debug/zcnfsd/stats` (one `name value`
//! per line; the names are listed in `Documentation/zcnfsd.rst`).
//!
//! The copy counters count what the server's kernel copies per payload
//! byte. `read_copy_bytes`: the copy path of READ reads into a buffer (1)
//! and lets `sendmsg` copy that into socket buffers (1).
//! `read_stack_copy_bytes`: bytes of pages READ gave the network stack by
//! reference that the stack copied after all (a completion with
//! `zerocopy_success == false`, or a route without scatter-gather); with
//! the send mode chosen by route it stays 0. Copies per READ payload byte =
//! (`read_copy_bytes` + `read_stack_copy_bytes`) / `read_bytes`. The copy
//! path of WRITE receives into a buffer (1) and writes it into the page
//! cache (1); zero-copy WRITE receives straight into the loaned pages (1).

#![deny(unsafe_code)]

use core::fmt;
use kernel::sync::atomic::{Atomic, Relaxed};

/// The counters (since load).
pub(crate) struct Stats {
    pub(crate) connections_accepted: Atomic<u64>,
    pub(crate) connections_open: Atomic<u64>,
    /// Connections closed at once because `threads` were being served.
    pub(crate) connections_refused: Atomic<u64>,
    /// Connections shut down to make room for a new one.
    pub(crate) connections_evicted: Atomic<u64>,
    /// Connections closed after `idle_timeout` without a call.
    pub(crate) connections_idle_closed: Atomic<u64>,
    /// Connections closed because a record was not complete within
    /// `record_timeout`.
    pub(crate) records_timed_out: Atomic<u64>,
    /// Calls refused because of their source port (`secure`).
    pub(crate) rpc_insecure_port: Atomic<u64>,
    pub(crate) rpc_calls: Atomic<u64>,
    pub(crate) rpc_garbage_args: Atomic<u64>,
    pub(crate) rpc_proc_unavail: Atomic<u64>,
    pub(crate) rpc_prog_unavail: Atomic<u64>,
    pub(crate) rpc_prog_mismatch: Atomic<u64>,
    pub(crate) rpc_auth_errors: Atomic<u64>,
    pub(crate) read_calls: Atomic<u64>,
    pub(crate) read_bytes: Atomic<u64>,
    pub(crate) read_zc_bytes: Atomic<u64>,
    pub(crate) read_copy_bytes: Atomic<u64>,
    pub(crate) read_fallbacks: Atomic<u64>,
    /// READs served by a file from the cache of open files, and READs
    /// that opened one.
    pub(crate) file_cache_hits: Atomic<u64>,
    pub(crate) file_cache_misses: Atomic<u64>,
    pub(crate) write_calls: Atomic<u64>,
    pub(crate) write_bytes: Atomic<u64>,
    pub(crate) write_zc_bytes: Atomic<u64>,
    pub(crate) write_copy_bytes: Atomic<u64>,
    pub(crate) write_fallbacks: Atomic<u64>,
    /// Loans held by request handlers right now (a READ loan handed to a
    /// zero-copy send is counted by the socket layer's in-flight count).
    pub(crate) loans_held: Atomic<u64>,
}

/// The module's counters.
pub(crate) static STATS: Stats = Stats {
    connections_accepted: Atomic::new(0),
    connections_open: Atomic::new(0),
    connections_refused: Atomic::new(0),
    connections_evicted: Atomic::new(0),
    connections_idle_closed: Atomic::new(0),
    records_timed_out: Atomic::new(0),
    rpc_insecure_port: Atomic::new(0),
    rpc_calls: Atomic::new(0),
    rpc_garbage_args: Atomic::new(0),
    rpc_proc_unavail: Atomic::new(0),
    rpc_prog_unavail: Atomic::new(0),
    rpc_prog_mismatch: Atomic::new(0),
    rpc_auth_errors: Atomic::new(0),
    read_calls: Atomic::new(0),
    read_bytes: Atomic::new(0),
    read_zc_bytes: Atomic::new(0),
    read_copy_bytes: Atomic::new(0),
    read_fallbacks: Atomic::new(0),
    file_cache_hits: Atomic::new(0),
    file_cache_misses: Atomic::new(0),
    write_calls: Atomic::new(0),
    write_bytes: Atomic::new(0),
    write_zc_bytes: Atomic::new(0),
    write_copy_bytes: Atomic::new(0),
    write_fallbacks: Atomic::new(0),
    loans_held: Atomic::new(0),
};

/// Adds `n` to a counter.
pub(crate) fn add(c: &Atomic<u64>, n: u64) {
    c.add(n, Relaxed);
}

/// Adds one to a counter.
pub(crate) fn inc(c: &Atomic<u64>) {
    add(c, 1);
}

/// Subtracts one from a counter.
pub(crate) fn dec(c: &Atomic<u64>) {
    c.fetch_sub(1, Relaxed);
}

/// Adds a byte count (a `usize`) to a counter.
pub(crate) fn add_bytes(c: &Atomic<u64>, n: usize) {
    add(c, u64::try_from(n).unwrap_or(u64::MAX));
}

/// Counts a loan as held while it lives.
pub(crate) struct LoanHeld(());

impl LoanHeld {
    /// Counts one more loan held.
    pub(crate) fn new() -> Self {
        inc(&STATS.loans_held);
        LoanHeld(())
    }
}

impl Drop for LoanHeld {
    fn drop(&mut self) {
        dec(&STATS.loans_held);
    }
}

/// What debugfs shows.
pub(crate) struct StatsView;

impl fmt::Debug for StatsView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &STATS;
        let in_flight = crate::net::zc_sends_in_flight();
        let net = crate::net::counters();
        let rows: &[(&str, u64)] = &[
            ("connections_accepted", s.connections_accepted.load(Relaxed)),
            ("connections_open", s.connections_open.load(Relaxed)),
            ("connections_refused", s.connections_refused.load(Relaxed)),
            ("connections_evicted", s.connections_evicted.load(Relaxed)),
            (
                "connections_idle_closed",
                s.connections_idle_closed.load(Relaxed),
            ),
            ("records_timed_out", s.records_timed_out.load(Relaxed)),
            ("rpc_insecure_port", s.rpc_insecure_port.load(Relaxed)),
            ("rpc_calls", s.rpc_calls.load(Relaxed)),
            ("rpc_garbage_args", s.rpc_garbage_args.load(Relaxed)),
            ("rpc_proc_unavail", s.rpc_proc_unavail.load(Relaxed)),
            ("rpc_prog_unavail", s.rpc_prog_unavail.load(Relaxed)),
            ("rpc_prog_mismatch", s.rpc_prog_mismatch.load(Relaxed)),
            ("rpc_auth_errors", s.rpc_auth_errors.load(Relaxed)),
            ("read_calls", s.read_calls.load(Relaxed)),
            ("read_bytes", s.read_bytes.load(Relaxed)),
            ("read_zc_bytes", s.read_zc_bytes.load(Relaxed)),
            ("read_copy_bytes", s.read_copy_bytes.load(Relaxed)),
            ("read_fallbacks", s.read_fallbacks.load(Relaxed)),
            ("read_splice_bytes", net.splice_bytes),
            ("read_stack_copy_bytes", net.stack_copy_bytes),
            ("read_zc_completions", net.zc_completions),
            ("read_zc_copied_completions", net.zc_copied_completions),
            ("file_cache_hits", s.file_cache_hits.load(Relaxed)),
            ("file_cache_misses", s.file_cache_misses.load(Relaxed)),
            ("write_calls", s.write_calls.load(Relaxed)),
            ("write_bytes", s.write_bytes.load(Relaxed)),
            ("write_zc_bytes", s.write_zc_bytes.load(Relaxed)),
            ("write_copy_bytes", s.write_copy_bytes.load(Relaxed)),
            ("write_fallbacks", s.write_fallbacks.load(Relaxed)),
            ("zc_sends_in_flight", in_flight),
            (
                "loans_outstanding",
                s.loans_held.load(Relaxed).saturating_add(in_flight),
            ),
        ];
        let mut first = true;
        for (name, v) in rows.iter() {
            // debugfs's writer adds the final newline.
            if !first {
                writeln!(f)?;
            }
            first = false;
            write!(f, "{name} {v}")?;
        }
        Ok(())
    }
}
