// SPDX-License-Identifier: GPL-2.0

//! [`RawSocket`], an owned kernel socket, over the socket helpers of
//! `zcnfsd_net.c`. Thin: one C call per method, no loops and no errno
//! policy (those are in [`super::stream`] and [`super::listener`]).

use super::pages::LoanedPages;
use super::reply::{RawReply, ReplyVec};
use super::zc::{RawZc, ZcRef};
use crate::zcvfs_api::xuio::{Segment, WritableSegments};
use core::ptr::NonNull;
use kernel::bindings;
use kernel::error::to_result;
use kernel::ffi::{c_int, c_uint, c_void};
use kernel::prelude::*;

// Pointers to opaque kernel structures: some bindgen types contain
// zero-length arrays, which the lint flags although only pointers cross.
#[allow(improper_ctypes)]
extern "C" {
    fn zcnfsd_net_listen(port: u16, backlog: c_int, res: *mut *mut bindings::socket) -> c_int;
    fn zcnfsd_net_accept(lsock: *mut bindings::socket, res: *mut *mut bindings::socket) -> c_int;
    #[cfg(CONFIG_KUNIT = "y")]
    fn zcnfsd_net_connect_loopback(port: u16, res: *mut *mut bindings::socket) -> c_int;
    #[cfg(CONFIG_KUNIT = "y")]
    fn zcnfsd_net_local_port(sock: *mut bindings::socket) -> c_int;
    fn zcnfsd_net_peer_port(sock: *mut bindings::socket) -> c_int;
    fn zcnfsd_net_set_timeout(sock: *mut bindings::socket, send: bool, ms: u32);
    fn zcnfsd_net_shutdown(sock: *mut bindings::socket);
    fn zcnfsd_net_push(sock: *mut bindings::socket);
    fn zcnfsd_net_close(sock: *mut bindings::socket);
    fn zcnfsd_net_recv_kvec(sock: *mut bindings::socket, buf: *mut c_void, len: usize) -> c_int;
    fn zcnfsd_net_recv_bvec(
        sock: *mut bindings::socket,
        segs: *const bindings::bio_vec,
        nr: c_uint,
        skip: usize,
        len: usize,
    ) -> c_int;
    fn zcnfsd_net_recv_discard(sock: *mut bindings::socket, len: usize) -> c_int;
    fn zcnfsd_net_send_kvec(
        sock: *mut bindings::socket,
        vecs: *const bindings::kvec,
        nr: c_uint,
        skip: usize,
        len: usize,
        more: bool,
    ) -> c_int;
    fn zcnfsd_net_send_bvec(
        sock: *mut bindings::socket,
        segs: *const bindings::bio_vec,
        nr: c_uint,
        skip: usize,
        len: usize,
        more: bool,
        splice: bool,
    ) -> c_int;
    fn zcnfsd_reply_send(
        sock: *mut bindings::socket,
        r: *mut RawReply,
        zc: *mut RawZc,
        skip: usize,
    ) -> c_int;
    fn zcnfsd_net_segs_sendable(segs: *const bindings::bio_vec, nr: c_uint) -> bool;
    fn zcnfsd_net_peer_local(sock: *mut bindings::socket) -> bool;
    fn zcnfsd_net_send_zc(
        sock: *mut bindings::socket,
        zc: *mut RawZc,
        segs: *const bindings::bio_vec,
        nr: c_uint,
        skip: usize,
        len: usize,
        more: bool,
    ) -> c_int;
}

/// The most buffers one copying send takes ([`RawSocket::send_bufs`]).
pub(super) const MAX_SEND_BUFS: usize = 8;

/// The most bytes one receive or send call is asked for (the C calls
/// return `int`).
pub(super) const MAX_CALL_LEN: usize = 1 << 30;

/// Bytes transferred, or the error.
fn to_len(r: c_int) -> Result<usize> {
    to_result(r)?;
    // `to_result` passed: `r >= 0`.
    Ok(r as usize)
}

/// An owned kernel socket (TCP, IPv4).
///
/// # Invariants
///
/// `ptr` is a socket created by `sock_create_kern` or returned by
/// `kernel_accept`, owned by this value and released only by its `drop`.
pub(super) struct RawSocket {
    ptr: NonNull<bindings::socket>,
}

// SAFETY: a `struct socket` is not tied to a thread; the kernel's socket
// calls serialise themselves (`lock_sock`), and calling `shutdown` from one
// thread while another blocks in a receive, send or accept is how kernel
// servers (sunrpc's svcsock, ksmbd) wake their threads.
unsafe impl Send for RawSocket {}
// SAFETY: see `Send`: every method takes `&self` and is one socket call,
// safe to run concurrently with the others.
unsafe impl Sync for RawSocket {}

impl RawSocket {
    /// Takes ownership of the socket a helper returned.
    fn from_helper(f: impl FnOnce(*mut *mut bindings::socket) -> c_int) -> Result<RawSocket> {
        let mut sock: *mut bindings::socket = core::ptr::null_mut();
        to_result(f(&mut sock))?;
        // INVARIANT: on success the helpers store a new socket that nobody
        // else owns.
        Ok(RawSocket {
            ptr: NonNull::new(sock).ok_or(EINVAL)?,
        })
    }

    fn as_ptr(&self) -> *mut bindings::socket {
        self.ptr.as_ptr()
    }

    /// A socket listening on `0.0.0.0:port` with `SO_REUSEADDR`.
    pub(super) fn listen(port: u16, backlog: u32) -> Result<RawSocket> {
        let backlog = c_int::try_from(backlog).map_err(|_| EINVAL)?;
        // SAFETY: `res` is a valid out-pointer.
        Self::from_helper(|res| unsafe { zcnfsd_net_listen(port, backlog, res) })
    }

    /// `kernel_accept`, blocking.
    pub(super) fn accept(&self) -> Result<RawSocket> {
        // SAFETY: `self.ptr` is a live socket (invariant); `res` is valid.
        Self::from_helper(|res| unsafe { zcnfsd_net_accept(self.as_ptr(), res) })
    }

    /// A socket connected to `127.0.0.1:port`.
    #[cfg(CONFIG_KUNIT = "y")]
    pub(super) fn connect_loopback(port: u16) -> Result<RawSocket> {
        // SAFETY: `res` is a valid out-pointer.
        Self::from_helper(|res| unsafe { zcnfsd_net_connect_loopback(port, res) })
    }

    /// The local port.
    #[cfg(CONFIG_KUNIT = "y")]
    pub(super) fn local_port(&self) -> Result<u16> {
        // SAFETY: `self.ptr` is a live socket (invariant).
        let r = unsafe { zcnfsd_net_local_port(self.as_ptr()) };
        to_result(r)?;
        u16::try_from(r).map_err(|_| EINVAL)
    }

    /// The peer's port.
    pub(super) fn peer_port(&self) -> Result<u16> {
        // SAFETY: `self.ptr` is a live socket (invariant).
        let r = unsafe { zcnfsd_net_peer_port(self.as_ptr()) };
        to_result(r)?;
        u16::try_from(r).map_err(|_| EINVAL)
    }

    /// `SO_RCVTIMEO` (`send` false) or `SO_SNDTIMEO`, in milliseconds (0:
    /// none).
    pub(super) fn set_timeout(&self, send: bool, ms: u32) {
        // SAFETY: `self.ptr` is a live socket (invariant).
        unsafe { zcnfsd_net_set_timeout(self.as_ptr(), send, ms) }
    }

    /// `kernel_sock_shutdown(SHUT_RDWR)`.
    pub(super) fn shutdown(&self) {
        // SAFETY: `self.ptr` is a live socket (invariant).
        unsafe { zcnfsd_net_shutdown(self.as_ptr()) }
    }

    /// Send what earlier sends with `more` left queued.
    pub(super) fn push(&self) {
        // SAFETY: `self.ptr` is a live socket (invariant).
        unsafe { zcnfsd_net_push(self.as_ptr()) }
    }

    /// One receive into `buf` (`MSG_WAITALL`); `Ok(0)` at end of stream.
    pub(super) fn recv_into(&self, buf: &mut [u8]) -> Result<usize> {
        let len = buf.len().min(MAX_CALL_LEN);
        // SAFETY: `self.ptr` is live; `buf` is valid for writes of `len`
        // bytes for the duration of the call.
        to_len(unsafe { zcnfsd_net_recv_kvec(self.as_ptr(), buf.as_mut_ptr().cast(), len) })
    }

    /// One receive of up to `len` bytes into the pages of `segs` from byte
    /// `skip` on (`EINVAL` if the segments are shorter).
    pub(super) fn recv_segments(
        &self,
        segs: WritableSegments<'_>,
        skip: usize,
        len: usize,
    ) -> Result<usize> {
        let raw = segs.as_slice();
        let nr = c_uint::try_from(raw.len())?;
        // SAFETY: `self.ptr` is live; `raw` are valid bio_vecs whose bytes
        // nothing else accesses (`WritableSegments`), and the helper checks
        // `skip + len` against their total length.
        let n = to_len(unsafe {
            zcnfsd_net_recv_bvec(
                self.as_ptr(),
                Segment::as_raw_slice(raw),
                nr,
                skip,
                len.min(MAX_CALL_LEN),
            )
        })?;
        // SAFETY: the receive just wrote those `n` bytes.
        unsafe { segs.mark_filled(skip, n) };
        Ok(n)
    }

    /// One receive that drops up to `len` bytes.
    pub(super) fn recv_discard(&self, len: usize) -> Result<usize> {
        // SAFETY: `self.ptr` is live; the data goes nowhere.
        to_len(unsafe { zcnfsd_net_recv_discard(self.as_ptr(), len.min(MAX_CALL_LEN)) })
    }

    /// One copying send of `len` bytes of `bufs` (at most
    /// [`MAX_SEND_BUFS`]) from byte `skip` on.
    pub(super) fn send_bufs(
        &self,
        bufs: &[&[u8]],
        skip: usize,
        len: usize,
        more: bool,
    ) -> Result<usize> {
        if bufs.len() > MAX_SEND_BUFS {
            return Err(EINVAL);
        }
        let mut vecs = [bindings::kvec {
            iov_base: core::ptr::null_mut(),
            iov_len: 0,
        }; MAX_SEND_BUFS];
        for (v, b) in vecs.iter_mut().zip(bufs) {
            // The send only reads through the pointer.
            v.iov_base = b.as_ptr().cast_mut().cast();
            v.iov_len = b.len();
        }
        let nr = c_uint::try_from(bufs.len())?;
        // SAFETY: `self.ptr` is live; `vecs[..nr]` describe the slices of
        // `bufs`, borrowed for the call, which only reads them (ITER_SOURCE);
        // the helper checks `skip + len`.
        to_len(unsafe {
            zcnfsd_net_send_kvec(
                self.as_ptr(),
                vecs.as_ptr(),
                nr,
                skip,
                len.min(MAX_CALL_LEN),
                more,
            )
        })
    }

    /// Whether the peer is an address of this host (loopback or a local
    /// address): its data is delivered locally.
    pub(super) fn peer_local(&self) -> bool {
        // SAFETY: `self.ptr` is a live, connected socket (invariant).
        unsafe { zcnfsd_net_peer_local(self.as_ptr()) }
    }

    /// One send of the pages of `data`, from byte `skip` on: by
    /// reference with `MSG_SPLICE_PAGES` if `splice` (the skbs take their
    /// own page references, which may outlive the call and `data`;
    /// `EINVAL` if TCP may not reference the pages, see
    /// [`pages_sendable`]), else copying.
    pub(super) fn send_pages<T: LoanedPages>(
        &self,
        data: &T,
        skip: usize,
        len: usize,
        more: bool,
        splice: bool,
    ) -> Result<usize> {
        if splice && !pages_sendable(data) {
            return Err(EINVAL);
        }
        let segs = data.segments();
        let nr = c_uint::try_from(segs.len())?;
        // SAFETY: `self.ptr` is live; `segs` are valid bio_vecs over pages
        // that stay alive and unwritten while `data` exists (`LoanedPages`),
        // only read during the call; the helper checks `skip + len`. With
        // `splice` the pages are page-refcounted (checked above) and their
        // owner accepts references past `data` (`LoanedPages`).
        to_len(unsafe {
            zcnfsd_net_send_bvec(
                self.as_ptr(),
                Segment::as_raw_slice(segs),
                nr,
                skip,
                len.min(MAX_CALL_LEN),
                more,
                splice,
            )
        })
    }

    /// One zero-copy send of the pages of `zc`'s owner, from byte `skip`
    /// on: TCP keeps references to the pages until its completion.
    /// `EINVAL` if TCP may not reference the pages ([`pages_sendable`]).
    pub(super) fn send_zc<T: LoanedPages>(
        &self,
        zc: &ZcRef<T>,
        skip: usize,
        len: usize,
        more: bool,
    ) -> Result<usize> {
        if !pages_sendable(zc.owner()) {
            return Err(EINVAL);
        }
        let segs = zc.owner().segments();
        let nr = c_uint::try_from(segs.len())?;
        // SAFETY: `self.ptr` is live; `zc` holds the sender's reference on
        // the ubuf, so the owner (and with it `segs` and their pages) stays
        // alive until after this call; the pages are page-refcounted
        // (checked above), so TCP may take references.
        to_len(unsafe {
            zcnfsd_net_send_zc(
                self.as_ptr(),
                zc.as_raw(),
                Segment::as_raw_slice(segs),
                nr,
                skip,
                len.min(MAX_CALL_LEN),
                more,
            )
        })
    }
}

impl RawSocket {
    /// One send of a whole reply from byte `skip` on (the rest of it, if
    /// the socket takes it all): spliced (`MSG_SPLICE_PAGES`, the skbs
    /// take their own page references, which may outlive `r` and the loan)
    /// or by the notification `r` was built with (TCP references the pages
    /// until its completion; it keeps the header page until then too).
    pub(super) fn send_reply(&self, r: &ReplyVec<'_>, skip: usize) -> Result<usize> {
        // SAFETY: `self.ptr` is live; `r` is a live reply whose pages TCP
        // may reference, past `r` if spliced (`LoanedPages`), or kept by
        // `r`'s live notification until its completion (`ReplyVec`'s
        // invariants); the helper checks `skip`.
        to_len(unsafe { zcnfsd_reply_send(self.as_ptr(), r.as_raw(), r.zc_raw(), skip) })
    }
}

/// Whether TCP may hold references to the pages of `data` (no slab memory:
/// the rule of `sendpage_ok`).
pub(super) fn pages_sendable<T: LoanedPages>(data: &T) -> bool {
    let segs = data.segments();
    let Ok(nr) = c_uint::try_from(segs.len()) else {
        return false;
    };
    // SAFETY: `segs` are valid bio_vecs (`LoanedPages`); the helper only
    // reads them.
    unsafe { zcnfsd_net_segs_sendable(Segment::as_raw_slice(segs), nr) }
}

impl Drop for RawSocket {
    fn drop(&mut self) {
        // SAFETY: `self.ptr` is owned by this value (invariant) and no
        // method is running (`drop` has `&mut self`): the abortive close
        // releases it exactly once.
        unsafe { zcnfsd_net_close(self.as_ptr()) }
    }
}
