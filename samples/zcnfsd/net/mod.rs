// SPDX-License-Identifier: GPL-2.0

//! zcnfsd's socket layer: kernel TCP sockets and the zero-copy paths.
//!
//! - [`Listener`]: the listening socket (`bind`, blocking `accept`,
//!   `shutdown` to wake it);
//! - [`Stream`]: a connection; exact receives (into a buffer, or straight
//!   into the pages of a WRITE loan), copying sends, and the zero-copy
//!   send of a READ reply in one `sendmsg` ([`Stream::send_reply`]:
//!   header, loaned pages, padding) whose loan is returned when the send
//!   returns or from the network's completion;
//! - [`SendMode`]: per connection, by route, how loaned pages go by
//!   reference (`MSG_SPLICE_PAGES` to local peers, `MSG_ZEROCOPY` with a
//!   completion otherwise);
//! - [`zc_sends_in_flight`] / [`wait_zc_idle`]: the completions still to
//!   run, and the wait for them at module exit;
//! - [`counters()`]: bytes the stack copied, completions, spliced bytes.
//!
//! One file per abstraction, over the kernel's socket functions: [`socket`]
//! (`RawSocket`, an owned kernel socket, and its sends), [`reply`]
//! (`HeaderPage` and `ReplyVec`, a whole reply as one iterator), [`zc`]
//! (`ZcNode`, the `struct ubuf_info` of a zero-copy send with its
//! `ubuf_info_ops` callbacks, `sg_from_iter` and the work item that returns
//! the loan; `ZcRef`, the sender's reference, which owns the loan until the
//! completion) and [`pages`] (`LoanedPages`, the `unsafe` trait of pages
//! that may be sent by reference, and the one place that reads a loan's
//! segments). Only those files (and the tests' own pages, `page_buf`)
//! contain `unsafe` code; the listener, the stream, the send policy and the
//! counters deny it. [`helpers`] declares what they call outside the
//! bindings: the one-line wrappers of `zcnfsd_net.c` (static inlines and
//! macros of the networking headers) and exported functions whose headers
//! the bindings lack. See `Documentation/zcnfsd.rst`.

mod counters;
mod helpers;
mod listener;
mod pages;
mod reply;
mod socket;
mod stream;
mod zc;
mod zc_send;

#[cfg(CONFIG_KUNIT = "y")]
mod kunit_tests;
#[cfg(CONFIG_KUNIT = "y")]
mod page_buf;

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
    counters::snapshot()
}

/// Initialises the socket layer (the locks of the zero-copy sends). Module
/// load, once, before any socket is made.
pub fn init() -> kernel::error::Result {
    zc::init()
}
