// SPDX-License-Identifier: GPL-2.0

//! A connected TCP stream: exact receives, copying and zero-copy sends.

#![deny(unsafe_code)]

use super::pages::{total_len, LoanedPages};
use super::socket::{RawSocket, MAX_SEND_BUFS};
use super::zc_send::{self, SendMode};
use crate::zcvfs_api::consumer::ReadData;
use crate::zcvfs_api::xuio::WritableSegments;
use kernel::prelude::*;
use kernel::sync::atomic::{Atomic, Relaxed};
use kernel::time::{ClockSource, Monotonic};

/// A connected TCP stream (IPv4, `TCP_NODELAY`).
///
/// `Send + Sync`: one thread may block in a receive or send while another
/// calls [`Stream::shutdown`]. Dropping it is an abortive close
/// (`SO_LINGER` 0: the send queue is purged at once, so the completions of
/// zero-copy sends run even if the peer stopped reading).
///
/// Receives can be given a deadline ([`Stream::set_recv_deadline`]): a
/// receive not complete by then fails with `ETIMEDOUT`, however the peer
/// trickles its bytes.
pub struct Stream {
    sock: RawSocket,
    mode: SendMode,
    /// The receive deadline, in `CLOCK_MONOTONIC` nanoseconds (0: none).
    deadline: Atomic<i64>,
}

/// Now, in `CLOCK_MONOTONIC` nanoseconds.
fn now_ns() -> i64 {
    Monotonic::ktime_get()
}

/// The errno of a receive: the end of the stream, a reset and a shutdown
/// all mean the connection is gone; an interrupted call keeps `EINTR`
/// (`ERESTARTSYS` must not leak out of a kernel thread's loop).
fn recv_result(r: Result<usize>) -> Result<usize> {
    match r {
        Ok(0) => Err(ECONNRESET),
        Ok(n) => Ok(n),
        Err(e) if e == ERESTARTSYS => Err(EINTR),
        // SO_RCVTIMEO expired with nothing received: the deadline passed.
        Err(e) if e == EAGAIN => Err(ETIMEDOUT),
        Err(e) => Err(e),
    }
}

impl Stream {
    /// The [`SendMode`] is chosen here, by route (or the `zc_send`
    /// parameter).
    pub(super) fn new(sock: RawSocket) -> Stream {
        let mode = zc_send::send_mode_for(&sock);
        Stream {
            sock,
            mode,
            deadline: Atomic::new(0),
        }
    }

    /// How this connection sends loaned pages.
    #[cfg(CONFIG_KUNIT = "y")]
    pub fn send_mode(&self) -> SendMode {
        self.mode
    }

    /// Whether the peer is an address of this host (the tests).
    #[cfg(CONFIG_KUNIT = "y")]
    pub fn peer_local(&self) -> bool {
        self.sock.peer_local()
    }

    /// Forces the [`SendMode`] (the tests).
    #[cfg(CONFIG_KUNIT = "y")]
    pub(super) fn set_send_mode(&mut self, mode: SendMode) {
        self.mode = mode;
    }

    /// Every receive from now on must be complete within `ms` milliseconds
    /// from now (`None`: no deadline). Called by the thread that receives.
    pub fn set_recv_deadline(&self, ms: Option<u32>) {
        match ms {
            Some(ms) => {
                let d = now_ns().saturating_add(i64::from(ms).saturating_mul(1_000_000));
                self.deadline.store(d.max(1), Relaxed);
            }
            None => {
                self.deadline.store(0, Relaxed);
                self.sock.set_timeout(false, 0);
            }
        }
    }

    /// Sends that make no progress for `ms` milliseconds fail (0: never).
    pub fn set_send_timeout(&self, ms: u32) {
        self.sock.set_timeout(true, ms)
    }

    /// The peer's port.
    pub fn peer_port(&self) -> Result<u16> {
        self.sock.peer_port()
    }

    /// Before each receive call: `ETIMEDOUT` if the deadline passed, else
    /// the socket's receive timeout set to the time left.
    fn arm(&self) -> Result {
        let d = self.deadline.load(Relaxed);
        if d == 0 {
            return Ok(());
        }
        let left = d.saturating_sub(now_ns());
        if left <= 0 {
            return Err(ETIMEDOUT);
        }
        let ms = u32::try_from(left.saturating_add(999_999) / 1_000_000).unwrap_or(u32::MAX);
        self.sock.set_timeout(false, ms.max(1));
        Ok(())
    }

    /// A stream connected to `127.0.0.1:port` (the tests).
    #[cfg(CONFIG_KUNIT = "y")]
    pub fn connect_loopback(port: u16) -> Result<Stream> {
        Ok(Stream::new(RawSocket::connect_loopback(port)?))
    }

    /// Receives exactly `buf.len()` bytes; `ECONNRESET` on end of stream,
    /// reset or shutdown, `ETIMEDOUT` past the deadline.
    pub fn recv_exact(&self, buf: &mut [u8]) -> Result {
        let mut done = 0;
        while done < buf.len() {
            self.arm()?;
            done += recv_result(self.sock.recv_into(&mut buf[done..]))?;
        }
        Ok(())
    }

    /// Receives exactly `len` bytes straight into the pages of `segs` (the
    /// bio_vecs of a WRITE loan), starting `skip` bytes into them: one copy,
    /// by TCP. `EINVAL` if the segments are shorter than `skip + len`.
    pub(crate) fn recv_into_segments(
        &self,
        segs: WritableSegments<'_>,
        skip: usize,
        len: usize,
    ) -> Result {
        let total = total_len(segs.as_slice());
        if skip > total || len > total - skip {
            return Err(EINVAL);
        }
        let mut done = 0;
        while done < len {
            self.arm()?;
            done += recv_result(self.sock.recv_segments(segs, skip + done, len - done))?;
        }
        Ok(())
    }

    /// Receives and drops `len` bytes (e.g. the rest of a rejected record).
    pub fn discard(&self, len: usize) -> Result {
        let mut done = 0;
        while done < len {
            self.arm()?;
            done += recv_result(self.sock.recv_discard(len - done))?;
        }
        Ok(())
    }

    /// Copying send of the buffers in order; `more`: more data follows
    /// (`MSG_MORE`), else everything queued is pushed out.
    pub fn send(&self, bufs: &[&[u8]], more: bool) -> Result {
        let groups = bufs.len().div_ceil(MAX_SEND_BUFS);
        for (i, group) in bufs.chunks(MAX_SEND_BUFS).enumerate() {
            let group_more = more || i + 1 < groups;
            let len: usize = group.iter().map(|b| b.len()).sum();
            let mut done = 0;
            while done < len {
                let n = self.sock.send_bufs(group, done, len - done, group_more)?;
                if n == 0 {
                    return Err(EPIPE);
                }
                done += n;
            }
        }
        if !more && bufs.iter().all(|b| b.is_empty()) {
            // A zero-length send does not push what `more` left queued.
            self.sock.push();
        }
        Ok(())
    }

    /// Sends a whole READ reply: `head`, then `data` by reference, then
    /// `pad` (at most 3) zero bytes -- one `sendmsg` by the connection's
    /// [`SendMode`], the header and padding copied into a page that goes
    /// in front of and behind the loaned pages. The loan is returned by
    /// `MSG_SPLICE_PAGES` when this returns (the network keeps page
    /// references), by `ITER_BVEC` + `MSG_ZEROCOPY` + `msg_ubuf` like
    /// io_uring's zero-copy send from process context once the network
    /// stack has released the pages (`data` is dropped then). Pages TCP may
    /// not reference go in three sends, the pages copied.
    pub(crate) fn send_reply(&self, head: &[u8], data: ReadData, pad: usize) -> Result {
        self.send_reply_pages(head, data, pad)
    }

    /// [`Stream::send_reply`] for any [`LoanedPages`] (and the tests' own
    /// pages).
    pub(super) fn send_reply_pages<T: LoanedPages>(
        &self,
        head: &[u8],
        data: T,
        pad: usize,
    ) -> Result {
        const ZEROES: [u8; 3] = [0; 3];
        let pad_bytes = ZEROES.get(..pad).ok_or(EINVAL)?;
        if data.len() == 0 || !super::socket::pages_sendable(&data) {
            self.send(&[head], true)?;
            zc_send::send_loaned(&self.sock, self.mode, data, pad > 0)?;
            return if pad > 0 {
                self.send(&[pad_bytes], false)
            } else {
                Ok(())
            };
        }
        zc_send::send_reply(&self.sock, self.mode, head, data, pad)
    }

    /// Zero-copy send of pages alone (the tests' own), by the connection's
    /// [`SendMode`] as for [`Stream::send_reply`]; send the header before
    /// with [`Stream::send`] and `more`.
    #[cfg(CONFIG_KUNIT = "y")]
    pub(super) fn send_pages<T: LoanedPages>(&self, data: T, more: bool) -> Result {
        zc_send::send_loaned(&self.sock, self.mode, data, more)
    }

    /// Wakes a thread blocked in a receive or send on this stream: the
    /// receive fails with `ECONNRESET`, the send with `EPIPE`.
    pub fn shutdown(&self) {
        self.sock.shutdown()
    }
}
