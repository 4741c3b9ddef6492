// SPDX-License-Identifier: GPL-2.0

//! What the transport hands to the RPC layer and gets back, with no
//! knowledge of any program: the part of a call record still in the socket
//! ([`RecordRest`]), the reader of a call's first bytes ([`CallPrefix`]),
//! and what follows a reply's encoded results ([`Tail`]).

#![deny(unsafe_code)]

use crate::net::Stream;
use crate::stats::LoanHeld;
use crate::zcvfs_api::consumer::ReadData;
use kernel::prelude::*;

/// The bytes of the current record that are still in the socket. A
/// procedure that receives its payload from the socket (WRITE) takes them
/// from here; the rest is dropped when the call is answered.
pub(crate) struct RecordRest<'a> {
    stream: &'a Stream,
    left: usize,
}

impl<'a> RecordRest<'a> {
    /// `left` bytes of the record remain in `stream`.
    pub(crate) fn new(stream: &'a Stream, left: usize) -> Self {
        RecordRest { stream, left }
    }

    /// Bytes of the record still in the socket.
    pub(crate) fn left(&self) -> usize {
        self.left
    }

    /// Takes `n` bytes off the count, `EINVAL` if the record has fewer.
    fn take(&mut self, n: usize) -> Result {
        self.left = self.left.checked_sub(n).ok_or(EINVAL)?;
        Ok(())
    }

    /// Receives the next `buf.len()` bytes of the record into `buf`.
    pub(crate) fn recv_exact(&mut self, buf: &mut [u8]) -> Result {
        self.take(buf.len())?;
        self.stream.recv_exact(buf)
    }

    /// Receives the next `len` bytes of the record straight into the pages
    /// of `segs` (the segments of a WRITE loan): one copy, by TCP.
    pub(crate) fn recv_into_segments(
        &mut self,
        segs: crate::zcvfs_api::xuio::WritableSegments<'_>,
        len: usize,
    ) -> Result {
        self.take(len)?;
        self.stream.recv_into_segments(segs, 0, len)
    }

    /// Drops the rest of the record.
    pub(crate) fn discard_all(&mut self) -> Result {
        let n = core::mem::take(&mut self.left);
        self.stream.discard(n)
    }
}

/// Reads the first bytes of a call record into the call buffer, a given
/// number of bytes at a time, never past the record.
pub(crate) struct CallPrefix<'a> {
    stream: &'a Stream,
    buf: &'a mut [u8],
    have: usize,
    left: usize,
}

impl<'a> CallPrefix<'a> {
    /// A record of `len` bytes whose bytes are next in `stream`, read into
    /// `buf`.
    pub(crate) fn new(stream: &'a Stream, buf: &'a mut [u8], len: usize) -> Self {
        CallPrefix {
            stream,
            buf,
            have: 0,
            left: len,
        }
    }

    /// Reads `n` more bytes, or as many as the record and the buffer
    /// hold; whether all `n` were read.
    pub(crate) fn fill(&mut self, n: usize) -> Result<bool> {
        let room = self.buf.len().saturating_sub(self.have);
        let m = n.min(self.left).min(room);
        let dst = self.buf.get_mut(self.have..self.have + m).ok_or(EINVAL)?;
        self.stream.recv_exact(dst)?;
        self.have += m;
        self.left -= m;
        Ok(m == n)
    }

    /// Reads the rest of the record, or as much as the buffer holds.
    pub(crate) fn fill_all(&mut self) -> Result {
        self.fill(self.left).map(|_| ())
    }

    /// The big-endian word at `at` (0 if not read).
    pub(crate) fn word(&self, at: usize) -> u32 {
        self.buf
            .get(at..at.saturating_add(4))
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map_or(0, u32::from_be_bytes)
    }

    /// The last word read, as a length.
    pub(crate) fn last_word(&self) -> usize {
        self.word(self.have.saturating_sub(4)) as usize
    }

    /// The bytes read, and the rest of the record (still in the socket).
    pub(crate) fn finish(self) -> (&'a [u8], RecordRest<'a>) {
        let CallPrefix {
            stream,
            buf,
            have,
            left,
        } = self;
        let buf: &'a [u8] = buf;
        (
            buf.get(..have).unwrap_or(&[]),
            RecordRest::new(stream, left),
        )
    }
}

/// What follows the encoded results in the reply (READ data).
pub(crate) enum Tail {
    /// Nothing.
    None,
    /// The first `n` bytes of the connection's data buffer.
    Copied(usize),
    /// Loaned page-cache pages, sent by reference; the loan is returned
    /// when the network is done with them.
    Loaned(ReadData, LoanHeld),
}

impl Tail {
    /// Bytes of data.
    pub(crate) fn len(&self) -> usize {
        match self {
            Tail::None => 0,
            Tail::Copied(n) => *n,
            Tail::Loaned(d, _) => d.len(),
        }
    }
}

/// An encoded reply: `len` bytes of the reply buffer (the record mark's
/// four bytes included, set by the transport), then the tail.
pub(crate) struct Reply {
    /// Bytes of the reply buffer, record mark included.
    pub(crate) len: usize,
    /// The data after them.
    pub(crate) tail: Tail,
}
