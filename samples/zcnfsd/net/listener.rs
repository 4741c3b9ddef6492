// SPDX-License-Identifier: GPL-2.0

//! The listening socket.

#![deny(unsafe_code)]

use super::socket::RawSocket;
use super::stream::Stream;
use kernel::prelude::*;

/// A TCP listening socket on `0.0.0.0:port`.
///
/// `Send + Sync`: one thread blocks in [`Listener::accept`] while another
/// calls [`Listener::shutdown`]. Dropping it closes the socket.
pub struct Listener {
    sock: RawSocket,
}

impl Listener {
    /// A TCP listening socket on `0.0.0.0:port` with `SO_REUSEADDR`
    /// (`port` 0: an ephemeral port).
    pub fn bind(port: u16, backlog: u32) -> Result<Listener> {
        Ok(Listener {
            sock: RawSocket::listen(port, backlog)?,
        })
    }

    /// The next connection. Blocks; after [`Listener::shutdown`] (from any
    /// thread) returns an error (`EINVAL`).
    pub fn accept(&self) -> Result<Stream> {
        Ok(Stream::new(self.sock.accept()?))
    }

    /// Wakes a thread blocked in [`Listener::accept`] and makes every
    /// later `accept` fail.
    pub fn shutdown(&self) {
        self.sock.shutdown()
    }

    /// The port the socket is bound to.
    #[cfg(CONFIG_KUNIT = "y")]
    pub fn port(&self) -> Result<u16> {
        self.sock.local_port()
    }
}
