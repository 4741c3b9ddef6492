// SPDX-License-Identifier: GPL-2.0

//! zcnfsd's socket layer: kernel TCP sockets and the zero-copy paths.
//!
//! - [`Listener`]: the listening socket (`bind`, blocking `accept`,
//!   `shutdown` to wake it);
//! - [`Stream`]: a connection; exact receives (into a buffer, or straight
//!   into the pages of a WRITE loan), copying sends, and the zero-copy
//!   send of a READ loan ([`Stream::send_loaned`]) whose loan is returned
//!   from the network's completion;
//! - [`SendMode`]: per connection, by route, how loaned pages go by
//!   reference (`MSG_SPLICE_PAGES` to local peers, `MSG_ZEROCOPY` with a
//!   completion otherwise);
//! - [`zc_sends_in_flight`] / [`wait_zc_idle`]: the completions still to
//!   run, and the wait for them at module exit;
//! - [`counters`]: bytes the stack copied, completions, spliced bytes.
//!
//! The C side is `zcnfsd_net.c`; only the `*_ffi.rs` files contain `unsafe`
//! code. See `Documentation/zcnfsd.rst`.

mod listener;
mod socket_ffi;
mod stream;
mod zc_ffi;
mod zc_send;

#[cfg(CONFIG_KUNIT = "y")]
mod kunit_tests;
#[cfg(CONFIG_KUNIT = "y")]
mod page_buf_ffi;

pub use listener::Listener;
pub use stream::Stream;
pub use zc_send::{set_send_mode_param, wait_zc_idle, zc_sends_in_flight, SendMode};

/// What the socket layer counts (since load).
pub struct NetCounters {
    /// Bytes of pages sent by reference that the network stack copied
    /// (completions reporting `zerocopy_success == false`, and sends on
    /// routes without scatter-gather).
    pub stack_copy_bytes: u64,
    /// Bytes sent with `MSG_SPLICE_PAGES`.
    pub splice_bytes: u64,
    /// Notification sends completed (loans returned by a completion).
    pub zc_completions: u64,
    /// Of those, the ones whose pages the stack copied.
    pub zc_copied_completions: u64,
}

/// The socket layer's counters.
pub fn counters() -> NetCounters {
    zc_ffi::counters()
}
