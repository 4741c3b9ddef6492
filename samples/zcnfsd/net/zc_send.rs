// SPDX-License-Identifier: GPL-2.0

//! Sends of loaned pages by reference, in one of two ways ([`SendMode`]),
//! chosen per connection by route:
//!
//! - [`SendMode::Splice`] (local peers): `MSG_SPLICE_PAGES`, as NFSD. The
//!   skbs take their own page references; local delivery does not copy
//!   them. The loan is returned when the send returns; the provider keeps
//!   the data stable by copying a page away before changing it while the
//!   network still references it.
//! - [`SendMode::Notify`] (other routes): like io_uring's zero-copy send
//!   (`ITER_BVEC`, `MSG_ZEROCOPY`, `msg_ubuf` with our `ubuf_info_ops`,
//!   managed fragment references). The loan moves into the send
//!   ([`ZcRef`]); when the stack has dropped every skb that references the
//!   pages (acknowledged, or purged by the abortive close), the completion
//!   queues a work item that drops the loan, which returns it to the
//!   filesystem. On a local route every such skb would be copied on
//!   delivery (counted in `read_stack_copy_bytes`).
//!
//! A READ reply goes out in one `sendmsg` ([`send_reply`]): its header
//! and XDR padding are copied into a page of their own, which goes first
//! and last in the same iterator as the loaned pages ([`ReplyVec`]).
//! [`send_loaned`] sends pages alone (the header sent before by the
//! copying [`super::Stream::send`]): replies without data and pages TCP
//! may not reference.

#![deny(unsafe_code)]

use super::pages::{total_len, LoanedPages};
use super::reply::{HeaderPage, ReplyVec};
use super::socket::{pages_sendable, RawSocket};
use super::zc::{self, ZcRef};
use kernel::pr_warn_once;
use kernel::prelude::*;
use kernel::sync::atomic::{Atomic, Relaxed};

/// How a connection sends loaned pages by reference.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SendMode {
    /// `MSG_SPLICE_PAGES`: page references, the loan returned at once.
    Splice,
    /// `MSG_ZEROCOPY` with a notification that returns the loan.
    Notify,
}

/// The `zc_send` module parameter: 0 by route, 1 always
/// [`SendMode::Splice`], 2 always [`SendMode::Notify`].
static SEND_MODE_PARAM: Atomic<u32> = Atomic::new(0);

/// Sets the choice of [`SendMode`] for connections accepted from now on
/// (the `zc_send` parameter); `EINVAL` unless 0, 1 or 2.
pub fn set_send_mode_param(v: u32) -> Result {
    if v > 2 {
        return Err(EINVAL);
    }
    SEND_MODE_PARAM.store(v, Relaxed);
    Ok(())
}

/// The mode of a new connection: by the parameter, else by route (local
/// delivery copies zerocopy-flagged fragments, so local peers splice).
pub(super) fn send_mode_for(sock: &RawSocket) -> SendMode {
    match SEND_MODE_PARAM.load(Relaxed) {
        1 => SendMode::Splice,
        2 => SendMode::Notify,
        _ if sock.peer_local() => SendMode::Splice,
        _ => SendMode::Notify,
    }
}

/// Sends all of `data` by reference. [`SendMode::Notify`]: `data` is
/// dropped by the completion (or here, before anything was queued, if the
/// send cannot start); [`SendMode::Splice`]: here, once sent.
pub(super) fn send_loaned<T: LoanedPages>(
    sock: &RawSocket,
    mode: SendMode,
    data: T,
    more: bool,
) -> Result {
    let len = data.len();
    let total = total_len(data.segments());
    if len > total {
        return Err(EINVAL);
    }
    if len == 0 {
        drop(data);
        if !more {
            sock.push();
        }
        return Ok(());
    }
    let by_reference = pages_sendable(&data);
    if mode == SendMode::Splice || !by_reference {
        return send_spliced(sock, data, len, by_reference, more);
    }
    let zc = ZcRef::new(data, None)?;
    let mut done = 0;
    while done < len {
        let n = sock.send_zc(&zc, done, len - done, more)?;
        if n == 0 {
            return Err(EPIPE);
        }
        done += n;
    }
    // `zc` drops here: the sender's reference; the completion follows once
    // TCP released the pages.
    Ok(())
}

/// Sends a whole record: `head`, all of `data` by reference, `pad` (at
/// most 3) zero bytes, in one `sendmsg` unless the socket takes less (then
/// the rest follows). `data` is dropped as by [`send_loaned`]. `EINVAL`
/// (nothing sent, `data` dropped) if there is no data or TCP may not
/// reference its pages: the caller sends such a reply in parts.
pub(super) fn send_reply<T: LoanedPages>(
    sock: &RawSocket,
    mode: SendMode,
    head: &[u8],
    data: T,
    pad: usize,
) -> Result {
    if data.len() == 0 || data.len() > total_len(data.segments()) {
        return Err(EINVAL);
    }
    match mode {
        SendMode::Splice => {
            let hdr = HeaderPage::new(head, pad)?;
            let r = ReplyVec::spliced(&hdr, &data)?;
            send_all(sock, &r)
            // `r`, `hdr`, then `data` (the loan) drop here: the skbs hold
            // page references of their own.
        }
        SendMode::Notify => {
            // The send keeps the header page until its release: the skbs
            // hold it as a managed fragment, without a reference.
            let zc = ZcRef::new(data, Some(HeaderPage::new(head, pad)?))?;
            let r = ReplyVec::notified(&zc)?;
            send_all(sock, &r)
            // `zc` drops here: the sender's reference; the completion
            // returns the loan once TCP released the pages.
        }
    }
}

/// Sends all of `r`.
fn send_all(sock: &RawSocket, r: &ReplyVec<'_>) -> Result {
    let len = r.len();
    let mut done = 0;
    while done < len {
        let n = sock.send_reply(r, done)?;
        if n == 0 {
            return Err(EPIPE);
        }
        done += n;
    }
    Ok(())
}

/// [`SendMode::Splice`], or a copying send of pages TCP may not reference;
/// `data` (the loan) is dropped when this returns.
fn send_spliced<T: LoanedPages>(
    sock: &RawSocket,
    data: T,
    len: usize,
    by_reference: bool,
    more: bool,
) -> Result {
    if !by_reference {
        pr_warn_once!("zcnfsd: loaned pages cannot be sent by reference, copying\n");
    }
    let mut done = 0;
    while done < len {
        let n = sock.send_pages(&data, done, len - done, more, by_reference)?;
        if n == 0 {
            return Err(EPIPE);
        }
        done += n;
    }
    drop(data);
    Ok(())
}

/// Zero-copy sends whose completion has not run yet.
pub fn zc_sends_in_flight() -> u64 {
    zc::in_flight()
}

/// Waits until every zero-copy completion has run and its loan was
/// returned. Module exit calls this after closing every socket (an open
/// socket whose peer does not read holds its completions back).
pub fn wait_zc_idle() {
    zc::wait_idle()
}
