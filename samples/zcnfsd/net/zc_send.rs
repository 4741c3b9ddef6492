// SPDX-License-Identifier: GPL-2.0

//! Zero-copy send of loaned pages, returned from the network's completion.
//!
//! Like io_uring's zero-copy send: the pages go to TCP by reference
//! (`ITER_BVEC`, `MSG_ZEROCOPY`, `msg_ubuf` with our `ubuf_info_ops`). The
//! loan moves into the send ([`ZcRef`]); when the stack has dropped every
//! skb that references the pages (acknowledged, or purged by the abortive
//! close), the completion queues a work item that drops the loan, which
//! returns it to the filesystem. Only the pages go by reference: headers
//! and XDR padding are small, kmalloc'ed or on the stack, and go through
//! the copying [`super::Stream::send`].

use super::socket_ffi::{segments_sendable, RawSocket};
use super::zc_ffi::{self, ZcRef};
use crate::zcvfs_api::consumer::ReadData;
use crate::zcvfs_api::xuio::Segment;
use kernel::pr_warn_once;
use kernel::prelude::*;

/// Pages on loan that can be sent by reference: `len()` bytes in
/// `segments()`, valid until the value is dropped. Dropping it may sleep
/// (it runs in process context).
pub(super) trait LoanedPages: Send + 'static {
    /// The pages.
    fn segments(&self) -> &[Segment];
    /// Bytes to send, from the start of the segments.
    fn len(&self) -> usize;
}

impl LoanedPages for ReadData {
    fn segments(&self) -> &[Segment] {
        ReadData::segments(self)
    }

    fn len(&self) -> usize {
        ReadData::len(self)
    }
}

/// Sends all of `data` by reference; `data` is dropped by the completion
/// (or here, before anything was queued, if the send cannot start).
pub(super) fn send_loaned<T: LoanedPages>(sock: &RawSocket, data: T, more: bool) -> Result {
    let len = data.len();
    let total: usize = data.segments().iter().map(|s| s.bv_len as usize).sum();
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
    let by_reference = segments_sendable(data.segments());
    let zc = ZcRef::new(data)?;
    let mut done = 0;
    while done < len {
        let n = if by_reference {
            sock.send_zc(&zc, done, len - done, more)?
        } else {
            pr_warn_once!("zcnfsd: loaned pages cannot be sent by reference, copying\n");
            sock.send_segments_copy(zc.segments(), done, len - done, more)?
        };
        if n == 0 {
            return Err(EPIPE);
        }
        done += n;
    }
    // `zc` drops here: the sender's reference; the completion follows once
    // TCP released the pages.
    Ok(())
}

/// Zero-copy sends whose completion has not run yet.
pub fn zc_sends_in_flight() -> u64 {
    zc_ffi::in_flight()
}

/// Waits until every zero-copy completion has run and its loan was
/// returned. Module exit calls this after closing every socket (an open
/// socket whose peer does not read holds its completions back).
pub fn wait_zc_idle() {
    zc_ffi::wait_idle()
}
