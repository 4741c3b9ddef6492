// SPDX-License-Identifier: GPL-2.0

//! A whole READ reply -- header, loaned pages, XDR padding -- as one
//! iterator for one `sendmsg`: [`HeaderPage`], the header and padding
//! copied into a page of their own, and [`ReplyVec`], the `bio_vec`s of
//! the header, the pages and the padding.
//!
//! A page rather than `kmalloc` memory because both kinds of send
//! reference what they send (`MSG_SPLICE_PAGES` requires `sendpage_ok`
//! pages; a notification send's skbs reference it as a managed fragment).

use super::pages::LoanedPages;
use super::socket::pages_sendable;
use super::zc::ZcRef;
use core::marker::PhantomData;
use kernel::bindings;
use kernel::page::{Page, PAGE_SIZE};
use kernel::prelude::*;

/// A page holding a reply's header (RPC record mark, reply header,
/// `READ3resok` up to the data's length word) and after it its XDR
/// padding (at most 3 zero bytes).
///
/// Dropped, it drops the page reference it owns; the network's own
/// references (a spliced send) keep the page until they go.
pub(super) struct HeaderPage {
    page: Page,
    hlen: usize,
    plen: usize,
}

impl HeaderPage {
    /// `head` copied, then `pad` zero bytes; `EINVAL` if `head` is empty,
    /// `pad` over 3 or both over a page.
    pub(super) fn new(head: &[u8], pad: usize) -> Result<HeaderPage> {
        let hlen = head.len();
        if hlen == 0 || pad > 3 || hlen + pad > PAGE_SIZE {
            return Err(EINVAL);
        }
        let page = Page::alloc_page(GFP_KERNEL)?;
        // SAFETY: `head` is valid for reads of `hlen` bytes.
        unsafe { page.write_raw(head.as_ptr(), 0, hlen)? };
        // SAFETY: the page is ours; nothing else accesses it yet.
        unsafe { page.fill_zero_raw(hlen, pad)? };
        Ok(HeaderPage {
            page,
            hlen,
            plen: pad,
        })
    }
}

/// The bytes of a reply: the header from a [`HeaderPage`], then the pages
/// of a loan, by reference, then the padding from the same page.
///
/// # Invariants
///
/// - `bv` are the header's `hlen` bytes, the loan's pages cut at `dlen`
///   bytes (empty segments left out), and the padding; they describe
///   pages borrowed for `'a` (the [`HeaderPage`] and a [`LoanedPages`]
///   value, alive and unchanged while borrowed), all of which TCP may
///   reference (`sendpage_ok`); `len` is their total.
/// - `ubuf` is null (a spliced send: the skbs take page references), or
///   the `ubuf_info` of a [`ZcRef`] borrowed for `'a` that owns the loan
///   and the header page (its completion keeps the pages alive).
pub(super) struct ReplyVec<'a> {
    bv: KVec<bindings::bio_vec>,
    hlen: usize,
    dlen: usize,
    len: usize,
    ubuf: *mut bindings::ubuf_info,
    _pages: PhantomData<&'a ()>,
}

impl<'a> ReplyVec<'a> {
    /// For a spliced send: `hdr`'s header, all of `data`'s `len()` bytes,
    /// then `hdr`'s padding. `EINVAL` if the segments are shorter than
    /// `len()` or TCP may not reference `data`'s pages.
    pub(super) fn spliced<T: LoanedPages>(hdr: &'a HeaderPage, data: &'a T) -> Result<Self> {
        Self::new(hdr, data, core::ptr::null_mut())
    }

    /// For a send by notification: as [`ReplyVec::spliced`] over the
    /// header page and the loan that `zc` owns.
    pub(super) fn notified<T: LoanedPages>(zc: &'a ZcRef<T>) -> Result<Self> {
        Self::new(zc.header().ok_or(EINVAL)?, zc.owner(), zc.ubuf())
    }

    fn new<T: LoanedPages>(
        hdr: &'a HeaderPage,
        data: &'a T,
        ubuf: *mut bindings::ubuf_info,
    ) -> Result<Self> {
        if !pages_sendable(data) {
            return Err(EINVAL);
        }
        let dlen = data.len();
        let segs = data.segments();
        let mut bv = KVec::with_capacity(segs.len() + 2, GFP_KERNEL)?;
        let page = hdr.page.as_ptr();
        bv.push(
            bindings::bio_vec {
                bv_page: page,
                // At most `PAGE_SIZE` (`HeaderPage::new`).
                bv_len: hdr.hlen as u32,
                bv_offset: 0,
            },
            GFP_KERNEL,
        )?;
        let mut left = dlen;
        for s in segs {
            if left == 0 {
                break;
            }
            if s.bv_len == 0 {
                continue;
            }
            let n = left.min(s.bv_len as usize);
            bv.push(
                bindings::bio_vec {
                    bv_page: s.bv_page,
                    // At most `s.bv_len`.
                    bv_len: n as u32,
                    bv_offset: s.bv_offset,
                },
                GFP_KERNEL,
            )?;
            left -= n;
        }
        if left != 0 {
            return Err(EINVAL);
        }
        if hdr.plen != 0 {
            bv.push(
                bindings::bio_vec {
                    bv_page: page,
                    // At most 3 and `PAGE_SIZE` (`HeaderPage::new`).
                    bv_len: hdr.plen as u32,
                    bv_offset: hdr.hlen as u32,
                },
                GFP_KERNEL,
            )?;
        }
        // INVARIANT: the header, `data`'s pages (checked sendable above)
        // cut at `dlen`, the padding, all borrowed for `'a`; `ubuf` is null
        // or, from `notified`, the ubuf of the send owning `data` and `hdr`.
        Ok(ReplyVec {
            bv,
            hlen: hdr.hlen,
            dlen,
            len: hdr.hlen + dlen + hdr.plen,
            ubuf,
            _pages: PhantomData,
        })
    }

    /// Bytes in all.
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// Payload bytes among the `sent` bytes sent from byte `skip` on.
    pub(super) fn payload(&self, skip: usize, sent: usize) -> usize {
        let lo = skip.max(self.hlen);
        let hi = (skip + sent).min(self.hlen + self.dlen);
        hi.saturating_sub(lo)
    }

    /// The segments, for an `ITER_BVEC` iterator over [`ReplyVec::len`]
    /// bytes.
    pub(super) fn segments(&self) -> &[bindings::bio_vec] {
        &self.bv
    }

    /// The notification to send with (null: spliced).
    pub(super) fn ubuf(&self) -> *mut bindings::ubuf_info {
        self.ubuf
    }
}
