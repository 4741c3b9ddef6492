// SPDX-License-Identifier: GPL-2.0

//! [`RawSocket`], an owned kernel socket, over the kernel's socket calls
//! (`sock_create_kern`, `kernel_bind`, `kernel_accept`, `sock_recvmsg`,
//! `sock_sendmsg`...). Thin: one socket call per method, no loops and no
//! errno policy (those are in [`super::stream`] and [`super::listener`]).
//!
//! Two ways to send loaned pages by reference, chosen per connection
//! ([`RawSocket::peer_local`]; see `Documentation/zcnfsd.rst`):
//!
//! - splice (local peers: loopback, the host's own addresses):
//!   `MSG_SPLICE_PAGES`, as NFSD's `svc_tcp_sendmsg()`. The skbs take plain
//!   page references; they are not zerocopy-flagged, so local delivery
//!   does not copy them (`skb_orphan_frags_rx()` only copies zerocopy
//!   frags);
//! - notification (other routes: a NIC), as io_uring's
//!   `IORING_OP_SEND_ZC`: `MSG_ZEROCOPY`, `msg_ubuf` and `sg_from_iter` of
//!   a [`ZcRef`] (see [`super::zc`]).
//!
//! Honest counters ([`super::counters`]): the bytes of a by-reference send
//! on a route that cannot scatter-gather are counted as copied by the
//! stack (TCP copies them at `sendmsg` time), spliced bytes as spliced.

use super::counters;
use super::helpers;
use super::pages::LoanedPages;
use super::reply::ReplyVec;
use super::zc::{self, ZcRef};
use crate::zcvfs_api::bindings::zcvfs_bvec_iter;
use crate::zcvfs_api::xuio::{Segment, WritableSegments};
use core::ptr::{self, NonNull};
use kernel::bindings;
use kernel::error::to_result;
use kernel::ffi::{c_int, c_long, c_uint};
use kernel::prelude::*;

/// The most buffers one copying send takes ([`RawSocket::send_bufs`]).
pub(super) const MAX_SEND_BUFS: usize = 8;

/// The most bytes one receive or send call is asked for (the socket calls
/// return `int`).
pub(super) const MAX_CALL_LEN: usize = 1 << 30;

/// Sets `msg`'s iterator over up to `len` bytes (at most [`MAX_CALL_LEN`])
/// of `segs` from byte `skip` on, in direction `dir` (`ITER_SOURCE` for a
/// send, `ITER_DEST` for a receive); `EINVAL` if the segments are shorter
/// than `skip + len` (zcvfs's `zcvfs_bvec_iter` checks).
///
/// # Safety
///
/// The pages of `segs` stay alive until `msg`'s iterator is no longer
/// used (for a zero-copy send, until its completion), and the call made
/// with `msg` may access their bytes in direction `dir`: nothing else
/// writes them while a send reads them, or accesses them while a receive
/// writes them.
unsafe fn segments_iter(
    msg: &mut bindings::msghdr,
    dir: c_uint,
    segs: &[Segment],
    skip: usize,
    len: usize,
) -> Result {
    let nr = c_uint::try_from(segs.len())?;
    // SAFETY: `segs` are valid `bio_vec`s (a `Segment` can only be made
    // from a loan or owned pages) whose pages the caller keeps alive and
    // accessible for the use of the iterator (the function's safety
    // section); `msg_iter` is writable.
    to_result(unsafe {
        zcvfs_bvec_iter(
            &mut msg.msg_iter,
            dir,
            Segment::as_raw_slice(segs),
            nr,
            skip,
            len.min(MAX_CALL_LEN),
        )
    })
}

/// Flags of every receive: whole buffers, no `SIGPIPE`.
const RECV_FLAGS: u32 = bindings::MSG_WAITALL | bindings::MSG_NOSIGNAL;

/// Bytes transferred, or the error.
fn to_len(r: c_int) -> Result<usize> {
    to_result(r)?;
    // `to_result` passed: `r >= 0`.
    Ok(r as usize)
}

/// The flags of a send: no `SIGPIPE`; `MSG_MORE` if more data follows.
fn send_flags(more: bool) -> u32 {
    bindings::MSG_NOSIGNAL | if more { bindings::MSG_MORE } else { 0 }
}

/// The IPv4 address `addr:port` (host byte order).
fn sockaddr_in(addr: u32, port: u16) -> bindings::sockaddr_in {
    bindings::sockaddr_in {
        sin_family: bindings::AF_INET as bindings::__kernel_sa_family_t,
        sin_port: port.to_be(),
        sin_addr: bindings::in_addr {
            s_addr: addr.to_be(),
        },
        __pad: [0; 8],
    }
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
    /// A new TCP socket in the initial network namespace.
    fn tcp() -> Result<RawSocket> {
        let mut sock: *mut bindings::socket = ptr::null_mut();
        // SAFETY: `init_net` lives as long as the kernel; `sock` is a valid
        // out-pointer.
        to_result(unsafe {
            bindings::sock_create_kern(
                &raw mut bindings::init_net,
                bindings::AF_INET as c_int,
                bindings::sock_type_SOCK_STREAM as c_int,
                bindings::IPPROTO_TCP as c_int,
                &mut sock,
            )
        })?;
        // INVARIANT: a new socket, ours.
        Ok(RawSocket {
            ptr: NonNull::new(sock).ok_or(EINVAL)?,
        })
    }

    fn as_ptr(&self) -> *mut bindings::socket {
        self.ptr.as_ptr()
    }

    /// The socket's `struct sock`.
    fn sk(&self) -> *mut bindings::sock {
        // SAFETY: `self.ptr` is a live socket (invariant); its `sk` is set
        // at creation and stays until the release.
        unsafe { (*self.as_ptr()).sk }
    }

    /// Replies are sent whole (`MSG_MORE` until the last piece): no Nagle.
    fn stream_setup(self) -> RawSocket {
        // SAFETY: `sk` is the live socket's.
        unsafe { helpers::tcp_sock_set_nodelay(self.sk()) };
        self
    }

    /// A socket listening on `0.0.0.0:port` with `SO_REUSEADDR` (`port` 0:
    /// an ephemeral port).
    pub(super) fn listen(port: u16, backlog: u32) -> Result<RawSocket> {
        let backlog = c_int::try_from(backlog).map_err(|_| EINVAL)?;
        let sock = Self::tcp()?;
        // `INADDR_ANY` (a macro).
        let mut sin = sockaddr_in(0, port);
        // SAFETY: the socket is live; `sin` is a valid IPv4 address of the
        // given size, read by the call.
        to_result(unsafe {
            helpers::sock_set_reuseaddr(sock.sk());
            bindings::kernel_bind(
                sock.as_ptr(),
                (&raw mut sin).cast(),
                size_of::<bindings::sockaddr_in>() as c_int,
            )
        })?;
        // SAFETY: the socket is live and bound.
        to_result(unsafe { bindings::kernel_listen(sock.as_ptr(), backlog) })?;
        Ok(sock)
    }

    /// `kernel_accept`, blocking until a connection arrives or the
    /// listener is shut down.
    pub(super) fn accept(&self) -> Result<RawSocket> {
        let mut sock: *mut bindings::socket = ptr::null_mut();
        // SAFETY: `self.ptr` is a live socket (invariant); `sock` is a
        // valid out-pointer.
        to_result(unsafe { bindings::kernel_accept(self.as_ptr(), &mut sock, 0) })?;
        // INVARIANT: a new socket, ours.
        let sock = RawSocket {
            ptr: NonNull::new(sock).ok_or(EINVAL)?,
        };
        Ok(sock.stream_setup())
    }

    /// A socket connected to `127.0.0.1:port` (tests).
    #[cfg(CONFIG_KUNIT = "y")]
    pub(super) fn connect_loopback(port: u16) -> Result<RawSocket> {
        let sock = Self::tcp()?;
        let mut sin = sockaddr_in(bindings::INADDR_LOOPBACK, port);
        // SAFETY: the socket is live; `sin` is a valid IPv4 address of the
        // given size, read by the call.
        to_result(unsafe {
            bindings::kernel_connect(
                sock.as_ptr(),
                (&raw mut sin).cast(),
                size_of::<bindings::sockaddr_in>() as c_int,
                0,
            )
        })?;
        Ok(sock.stream_setup())
    }

    /// The local port.
    #[cfg(CONFIG_KUNIT = "y")]
    pub(super) fn local_port(&self) -> Result<u16> {
        let mut sin = sockaddr_in(0, 0);
        // SAFETY: `self.ptr` is live; `sin` has room for an IPv4 address,
        // which is what the socket has.
        to_result(unsafe { bindings::kernel_getsockname(self.as_ptr(), (&raw mut sin).cast()) })?;
        Ok(u16::from_be(sin.sin_port))
    }

    /// The peer's port of a connected IPv4 socket.
    pub(super) fn peer_port(&self) -> Result<u16> {
        let mut sin = sockaddr_in(0, 0);
        // SAFETY: `self.ptr` is live; `sin` has room for an IPv4 address,
        // which is what the socket has.
        to_result(unsafe { bindings::kernel_getpeername(self.as_ptr(), (&raw mut sin).cast()) })?;
        if u32::from(sin.sin_family) != bindings::AF_INET {
            return Err(EAFNOSUPPORT);
        }
        Ok(u16::from_be(sin.sin_port))
    }

    /// `SO_RCVTIMEO` (`send` false) or `SO_SNDTIMEO`, in milliseconds (0:
    /// none). A receive or send that times out returns what it
    /// transferred, or `EAGAIN` if nothing.
    pub(super) fn set_timeout(&self, send: bool, ms: u32) {
        let t = if ms != 0 {
            kernel::time::msecs_to_jiffies(ms) as c_long
        } else {
            kernel::task::MAX_SCHEDULE_TIMEOUT
        };
        // SAFETY: `sk` is the live socket's.
        unsafe {
            if send {
                helpers::zcnfsd_sk_set_sndtimeo(self.sk(), t)
            } else {
                helpers::zcnfsd_sk_set_rcvtimeo(self.sk(), t)
            }
        }
    }

    /// `kernel_sock_shutdown(SHUT_RDWR)`: wakes every thread blocked on
    /// the socket: receives return 0 (end of stream), sends `EPIPE`, and
    /// accept on a listener `EINVAL`.
    pub(super) fn shutdown(&self) {
        // SAFETY: `self.ptr` is a live socket (invariant).
        unsafe {
            bindings::kernel_sock_shutdown(self.as_ptr(), bindings::sock_shutdown_cmd_SHUT_RDWR)
        };
    }

    /// Sends what earlier sends with `more` left queued (a zero-length
    /// send does not push): setting `TCP_NODELAY` pushes the pending
    /// frames explicitly.
    pub(super) fn push(&self) {
        // SAFETY: `sk` is the live socket's.
        unsafe { helpers::tcp_sock_set_nodelay(self.sk()) }
    }

    /// One receive with `msg`'s iterator.
    fn recv(&self, msg: &mut bindings::msghdr) -> Result<usize> {
        // SAFETY: `self.ptr` is live; `msg` is a valid `msghdr` whose
        // iterator the caller set over memory valid for writes.
        to_len(unsafe { bindings::sock_recvmsg(self.as_ptr(), msg, RECV_FLAGS as c_int) })
    }

    /// One send with `msg`'s iterator and flags.
    fn send(&self, msg: &mut bindings::msghdr) -> Result<usize> {
        // SAFETY: `self.ptr` is live; `msg` is a valid `msghdr` whose
        // iterator the caller set over memory valid for reads (and, by
        // reference, for as long as the flags say).
        to_len(unsafe { bindings::sock_sendmsg(self.as_ptr(), msg) })
    }

    /// One receive into `buf` (`MSG_WAITALL`); `Ok(0)` at end of stream.
    pub(super) fn recv_into(&self, buf: &mut [u8]) -> Result<usize> {
        let len = buf.len().min(MAX_CALL_LEN);
        let kv = bindings::kvec {
            iov_base: buf.as_mut_ptr().cast(),
            iov_len: len,
        };
        let mut msg = bindings::msghdr::default();
        // SAFETY: `kv` describes `len` bytes of `buf`, valid for writes for
        // the duration of the receive.
        unsafe { bindings::iov_iter_kvec(&mut msg.msg_iter, bindings::ITER_DEST, &kv, 1, len) };
        self.recv(&mut msg)
    }

    /// One receive of up to `len` bytes into the pages of `segs` from byte
    /// `skip` on (`EINVAL` if the segments are shorter): TCP copies once.
    pub(super) fn recv_segments(
        &self,
        segs: WritableSegments<'_>,
        skip: usize,
        len: usize,
    ) -> Result<usize> {
        let mut msg = bindings::msghdr::default();
        // SAFETY: the segments are valid bio_vecs whose bytes nothing else
        // accesses (`WritableSegments`), alive until `segs` goes, after the
        // receive.
        unsafe { segments_iter(&mut msg, bindings::ITER_DEST, segs.as_slice(), skip, len) }?;
        let n = self.recv(&mut msg)?;
        // SAFETY: the receive just wrote those `n` bytes.
        unsafe { segs.mark_filled(skip, n) };
        Ok(n)
    }

    /// One receive that drops up to `len` bytes (an `ITER_DISCARD`
    /// iterator: no buffer).
    pub(super) fn recv_discard(&self, len: usize) -> Result<usize> {
        let mut msg = bindings::msghdr::default();
        // SAFETY: a discarding iterator refers to no memory.
        unsafe {
            bindings::iov_iter_discard(
                &mut msg.msg_iter,
                bindings::ITER_DEST,
                len.min(MAX_CALL_LEN),
            )
        };
        self.recv(&mut msg)
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
        let total: usize = bufs.iter().map(|b| b.len()).sum();
        if skip > total || len > total - skip {
            return Err(EINVAL);
        }
        let len = len.min(MAX_CALL_LEN);
        // The bytes `skip..skip + len`, as kvecs.
        let mut vecs = [bindings::kvec {
            iov_base: ptr::null_mut(),
            iov_len: 0,
        }; MAX_SEND_BUFS];
        let (mut skip, mut left, mut nr) = (skip, len, 0);
        for b in bufs {
            if left == 0 {
                break;
            }
            if skip >= b.len() {
                skip -= b.len();
                continue;
            }
            let part = &b[skip..];
            let part = &part[..part.len().min(left)];
            skip = 0;
            left -= part.len();
            // The send only reads through the pointer.
            vecs[nr].iov_base = part.as_ptr().cast_mut().cast();
            vecs[nr].iov_len = part.len();
            nr += 1;
        }
        let mut msg = bindings::msghdr {
            msg_flags: send_flags(more),
            ..Default::default()
        };
        // SAFETY: `vecs[..nr]` describe `len` bytes of the slices of
        // `bufs`, borrowed for the call, which only reads them
        // (`ITER_SOURCE`).
        unsafe {
            bindings::iov_iter_kvec(
                &mut msg.msg_iter,
                bindings::ITER_SOURCE,
                vecs.as_ptr(),
                nr,
                len,
            )
        };
        self.send(&mut msg)
    }

    /// Whether the peer is an address of this host (loopback or any local
    /// address): its skbs are delivered locally, where zerocopy-flagged
    /// fragments are copied (`skb_orphan_frags_rx()`).
    pub(super) fn peer_local(&self) -> bool {
        let sk = self.sk();
        // SAFETY: `sk` is the live socket's; its namespace outlives it.
        unsafe {
            helpers::inet_addr_type(helpers::zcnfsd_sock_net(sk), helpers::zcnfsd_sk_daddr(sk))
                == helpers::RTN_LOCAL
        }
    }

    /// A send by reference of `sent` bytes on a route without
    /// scatter-gather: TCP copied the bytes into its own pages
    /// (`tcp_sendmsg_locked()` only takes references when the route has
    /// `NETIF_F_SG`).
    fn count_nosg(&self, sent: usize) {
        // SAFETY: `sk` is the live socket's.
        let caps = unsafe { helpers::zcnfsd_sk_route_caps(self.sk()) };
        if sent > 0 && caps & (1u64 << bindings::NETIF_F_SG_BIT) == 0 {
            counters::add_stack_copy(sent as u64);
        }
    }

    /// One send of the pages of `data`, from byte `skip` on: by
    /// reference with `MSG_SPLICE_PAGES` if `splice` (the skbs take their
    /// own page references, which may outlive the call and `data`;
    /// `EINVAL` if TCP may not reference the pages, see
    /// [`pages_sendable`]), else copying (the fallback for pages TCP may
    /// not reference).
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
        let mut msg = bindings::msghdr {
            msg_flags: send_flags(more)
                | if splice {
                    bindings::MSG_SPLICE_PAGES
                } else {
                    0
                },
            ..Default::default()
        };
        // SAFETY: `segs` are valid bio_vecs over pages that stay alive and
        // unwritten while `data` exists (`LoanedPages`), only read by the
        // send. With `splice` the pages are page-refcounted (checked above)
        // and their owner accepts references past `data` (`LoanedPages`).
        unsafe { segments_iter(&mut msg, bindings::ITER_SOURCE, segs, skip, len) }?;
        let n = self.send(&mut msg)?;
        if splice {
            counters::add_splice(n as u64);
            self.count_nosg(n);
        }
        Ok(n)
    }

    /// One zero-copy send of the pages of `zc`'s owner, from byte `skip`
    /// on: TCP keeps references to the pages until its completion. `EINVAL`
    /// if TCP may not reference the pages ([`pages_sendable`]). TCP falls
    /// back to copying by itself if the route cannot scatter-gather;
    /// counted as the stack's copy, and the completion runs either way.
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
        let mut msg = bindings::msghdr {
            msg_flags: bindings::MSG_ZEROCOPY | send_flags(more),
            msg_ubuf: zc.ubuf(),
            sg_from_iter: Some(zc::sg_from_iter),
            ..Default::default()
        };
        // SAFETY: `zc` holds the sender's reference on the ubuf, so the
        // owner (and with it `segs` and their pages) stays alive until the
        // completion; the pages are page-refcounted (checked above) and
        // only read by the send.
        unsafe { segments_iter(&mut msg, bindings::ITER_SOURCE, segs, skip, len) }?;
        let n = self.send(&mut msg)?;
        self.count_nosg(n);
        Ok(n)
    }

    /// One send of a whole reply from byte `skip` on (the rest of it, if
    /// the socket takes it all): spliced (`MSG_SPLICE_PAGES`, the skbs
    /// take their own page references, which may outlive `r` and the loan)
    /// or by the notification `r` was built with (`MSG_ZEROCOPY`, our
    /// ubuf_info, managed fragments: TCP references the pages until its
    /// completion, which keeps the header page too). No `MSG_MORE`: the
    /// record ends here.
    pub(super) fn send_reply(&self, r: &ReplyVec<'_>, skip: usize) -> Result<usize> {
        if skip >= r.len() {
            return Err(EINVAL);
        }
        let ubuf = r.ubuf();
        let mut msg = if ubuf.is_null() {
            bindings::msghdr {
                msg_flags: bindings::MSG_NOSIGNAL | bindings::MSG_SPLICE_PAGES,
                ..Default::default()
            }
        } else {
            bindings::msghdr {
                msg_flags: bindings::MSG_NOSIGNAL | bindings::MSG_ZEROCOPY,
                msg_ubuf: ubuf,
                sg_from_iter: Some(zc::sg_from_iter),
                ..Default::default()
            }
        };
        let segs = r.segments();
        // SAFETY: `segs` are valid bio_vecs over `r.len()` bytes of pages
        // TCP may reference, past `r` if spliced (`LoanedPages`), or kept
        // by `r`'s live notification until its completion (`ReplyVec`'s
        // invariants); `skip` is within them (checked above).
        unsafe {
            bindings::iov_iter_bvec(
                &mut msg.msg_iter,
                bindings::ITER_SOURCE,
                segs.as_ptr(),
                segs.len(),
                r.len(),
            );
            bindings::iov_iter_advance(&mut msg.msg_iter, skip);
        }
        let n = self.send(&mut msg)?;
        let payload = r.payload(skip, n);
        if ubuf.is_null() {
            counters::add_splice(payload as u64);
        }
        self.count_nosg(payload);
        Ok(n)
    }
}

/// Whether TCP may hold references to the pages of `data`: not to slab
/// memory, nor to pages without a reference count (the rule of
/// `sendpage_ok()`, as for `MSG_SPLICE_PAGES`).
pub(super) fn pages_sendable<T: LoanedPages>(data: &T) -> bool {
    data.segments().iter().all(|s| {
        s.bv_len == 0
            // SAFETY: `s` is a valid bio_vec (`LoanedPages`); the call only
            // reads the page's flags and count.
            || unsafe {
                helpers::zcnfsd_sendpages_ok(s.bv_page, s.bv_len as usize, s.bv_offset as usize)
            }
    })
}

impl Drop for RawSocket {
    /// Abortive close: `SO_LINGER` 0 makes the close reset the connection
    /// and purge the send and retransmit queues at once, so the zero-copy
    /// completions of unsent data run now even if the peer stopped reading.
    fn drop(&mut self) {
        // SAFETY: `self.ptr` is owned by this value (invariant) and no
        // method is running (`drop` has `&mut self`): released once.
        unsafe {
            helpers::sock_no_linger(self.sk());
            bindings::sock_release(self.as_ptr());
        }
    }
}
