// SPDX-License-Identifier: GPL-2.0

//! The server context: what every procedure and connection needs (the
//! export, the export options, the module parameters), built once at load
//! and shared by every thread.

#![deny(unsafe_code)]

use crate::auth::Policy;
use crate::export::Export;
use crate::file_cache::FileCache;
use kernel::time::{ClockSource, Monotonic};

/// What every request handler needs.
pub(crate) struct ServerCtx {
    /// The export.
    pub(crate) export: Export,
    /// Files open for READ, reused across calls.
    pub(crate) files: FileCache,
    /// Whether READ and WRITE try loans (the `zerocopy` parameter).
    pub(crate) zerocopy: bool,
    /// WRITE/COMMIT verifier: the load time, so it changes on restart.
    pub(crate) verifier: [u8; 8],
    /// Credentials and source ports (the export options).
    pub(crate) policy: Policy,
    /// How long a connection may wait for its next call (milliseconds).
    pub(crate) idle_timeout_ms: u32,
    /// How long a record may take from its first byte, and a send may
    /// make no progress (milliseconds).
    pub(crate) record_timeout_ms: u32,
}

/// Now, in `CLOCK_MONOTONIC` nanoseconds: the clock of connection activity.
pub(crate) fn now_ns() -> i64 {
    Monotonic::ktime_get()
}
