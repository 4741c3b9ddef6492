// SPDX-License-Identifier: GPL-2.0

//! [`ReplyVec`]: a whole READ reply -- header, loaned pages, XDR padding --
//! as one iterator for one `sendmsg` (`struct zcnfsd_reply` in
//! `zcnfsd_net.c`).

use super::pages::LoanedPages;
use super::socket::pages_sendable;
use super::zc::{RawZc, ZcRef};
use crate::zcvfs_api::xuio::Segment;
use core::marker::PhantomData;
use core::ptr::NonNull;
use kernel::bindings;
use kernel::error::from_err_ptr;
use kernel::ffi::{c_uint, c_void};
use kernel::prelude::*;

/// `struct zcnfsd_reply`: opaque here.
#[repr(C)]
pub(super) struct RawReply {
    _opaque: [u8; 0],
}

// Pointers to opaque kernel structures: some bindgen types contain
// zero-length arrays, which the lint flags although only pointers cross.
#[allow(improper_ctypes)]
extern "C" {
    fn zcnfsd_reply_new(
        head: *const c_void,
        hlen: usize,
        plen: usize,
        segs: *const bindings::bio_vec,
        nr: c_uint,
        dlen: usize,
    ) -> *mut RawReply;
    fn zcnfsd_reply_len(r: *const RawReply) -> usize;
    fn zcnfsd_reply_free(r: *mut RawReply);
}

/// The bytes of a reply: a copy of the header and the padding in a page of
/// its own, then the pages of a loan, by reference.
///
/// # Invariants
///
/// - `ptr` is a `struct zcnfsd_reply` from `zcnfsd_reply_new` that this
///   value owns.
/// - Its segments are pages of a [`LoanedPages`] value borrowed for `'a`
///   (alive and unchanged while it is), all of which TCP may reference
///   (`sendpage_ok`), as is the header page.
/// - `zc` is null (a spliced send: the skbs take page references), or the
///   notification of a [`ZcRef`] borrowed for `'a` whose owner is that
///   [`LoanedPages`] value (the completion keeps the pages alive).
pub(super) struct ReplyVec<'a> {
    ptr: NonNull<RawReply>,
    zc: *mut RawZc,
    _pages: PhantomData<&'a ()>,
}

impl<'a> ReplyVec<'a> {
    /// For a spliced send: `head` (copied; at most a page with the
    /// padding), all of `data`'s `len()` bytes, then `pad` (at most 3) zero
    /// bytes. `EINVAL` if the sizes are out of range or TCP may not
    /// reference `data`'s pages.
    pub(super) fn spliced<T: LoanedPages>(head: &[u8], pad: usize, data: &'a T) -> Result<Self> {
        Self::new(head, pad, data, core::ptr::null_mut())
    }

    /// For a send by notification: as [`ReplyVec::spliced`] over the
    /// pages of `zc`'s owner.
    pub(super) fn notified<T: LoanedPages>(
        head: &[u8],
        pad: usize,
        zc: &'a ZcRef<T>,
    ) -> Result<Self> {
        Self::new(head, pad, zc.owner(), zc.as_raw())
    }

    fn new<T: LoanedPages>(head: &[u8], pad: usize, data: &'a T, zc: *mut RawZc) -> Result<Self> {
        if !pages_sendable(data) {
            return Err(EINVAL);
        }
        let segs = data.segments();
        let nr = c_uint::try_from(segs.len())?;
        // SAFETY: `head` is valid for reads of its length (copied by the
        // call); `segs` are valid bio_vecs (`LoanedPages`), read by the
        // call, which also checks `data.len()` against them.
        let p = from_err_ptr(unsafe {
            zcnfsd_reply_new(
                head.as_ptr().cast(),
                head.len(),
                pad,
                Segment::as_raw_slice(segs),
                nr,
                data.len(),
            )
        })?;
        // INVARIANT: a new reply, ours, over `data`'s pages (checked
        // sendable above), borrowed for `'a`; `zc` is null or, from
        // `notified`, the notification whose owner `data` is.
        Ok(ReplyVec {
            ptr: NonNull::new(p).ok_or(ENOMEM)?,
            zc,
            _pages: PhantomData,
        })
    }

    /// Bytes in all.
    pub(super) fn len(&self) -> usize {
        // SAFETY: `ptr` is live (invariant).
        unsafe { zcnfsd_reply_len(self.ptr.as_ptr()) }
    }

    /// For `zcnfsd_reply_send`.
    pub(super) fn as_raw(&self) -> *mut RawReply {
        self.ptr.as_ptr()
    }

    /// The notification to send with (null: spliced), for
    /// `zcnfsd_reply_send`.
    pub(super) fn zc_raw(&self) -> *mut RawZc {
        self.zc
    }
}

impl Drop for ReplyVec<'_> {
    fn drop(&mut self) {
        // SAFETY: owned (invariant), freed once; the header page stays
        // alive while skbs or a notification reference it.
        unsafe { zcnfsd_reply_free(self.ptr.as_ptr()) }
    }
}
