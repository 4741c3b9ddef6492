// SPDX-License-Identifier: GPL-2.0

//! zcnfsd's socket layer: kernel TCP sockets and the zero-copy paths.
//!
//! - [`Listener`]: the listening socket (`bind`, blocking `accept`,
//!   `shutdown` to wake it);
//! - [`Stream`]: a connection; exact receives (into a buffer, or straight
//!   into the pages of a WRITE loan), copying sends, and the zero-copy
//!   send of a READ loan ([`Stream::send_loaned`]) whose loan is returned
//!   from the network's completion;
//! - [`zc_sends_in_flight`] / [`wait_zc_idle`]: the completions still to
//!   run, and the wait for them at module exit.
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
pub use zc_send::{wait_zc_idle, zc_sends_in_flight};
