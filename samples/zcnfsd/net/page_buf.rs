// SPDX-License-Identifier: GPL-2.0

//! [`PageBuf`]: pages of the module's own, described as bio_vec segments
//! like a loan's, for the tests of the receive-into-pages and zero-copy
//! paths without a filesystem.

use super::pages::LoanedPages;
use crate::zcvfs_api::xuio::{Segment, WritableSegments};
use kernel::page::{Page, PAGE_SIZE};
use kernel::prelude::*;

/// Owned pages and segments over them, `(page index, offset, length)`.
///
/// # Invariants
///
/// Every segment's `bv_page` is the page of `pages` it was built from, and
/// `bv_offset + bv_len <= PAGE_SIZE`: the segments stay valid as long as
/// `self`.
pub(super) struct PageBuf {
    pages: KVec<Page>,
    segs: KVec<Segment>,
    len: usize,
    on_drop: fn(),
}

// SAFETY: the raw page pointers in `segs` point into `pages` (invariant),
// which are `Send` and owned by this value.
unsafe impl Send for PageBuf {}

impl PageBuf {
    /// Zeroed pages, one per `(offset, len)` segment; `len` bytes (at most
    /// the segments' total) count as the data of the loan; `on_drop` runs
    /// when the buffer is dropped.
    pub(super) fn new(layout: &[(usize, usize)], len: usize, on_drop: fn()) -> Result<PageBuf> {
        let mut pages = KVec::new();
        let mut segs = KVec::new();
        for &(offset, seg_len) in layout {
            if offset
                .checked_add(seg_len)
                .is_none_or(|end| end > PAGE_SIZE)
            {
                return Err(EINVAL);
            }
            let page = Page::alloc_page(GFP_KERNEL | __GFP_ZERO)?;
            // INVARIANT: the segment is within `page`, which `pages` keeps.
            // SAFETY: `pages` keeps `page` as long as `segs`.
            let seg = unsafe { Segment::from_page(&page, offset, seg_len)? };
            segs.push(seg, GFP_KERNEL)?;
            pages.push(page, GFP_KERNEL)?;
        }
        Ok(PageBuf {
            pages,
            segs,
            len,
            on_drop,
        })
    }

    /// Copies the segments' bytes from `skip` on into `buf`.
    pub(super) fn copy_out(&self, mut skip: usize, buf: &mut [u8]) -> Result {
        let mut done = 0;
        for (seg, page) in self.segs.iter().zip(self.pages.iter()) {
            let seg_len = seg.bv_len as usize;
            if skip >= seg_len {
                skip -= seg_len;
                continue;
            }
            let n = (seg_len - skip).min(buf.len() - done);
            // SAFETY: `buf[done..done + n]` is valid for writes; nothing
            // writes the page concurrently (sends only read it, and the
            // caller's receives into it have returned).
            unsafe { page.read_raw(buf[done..].as_mut_ptr(), seg.bv_offset as usize + skip, n)? };
            done += n;
            skip = 0;
            if done == buf.len() {
                return Ok(());
            }
        }
        Err(EINVAL)
    }
}

impl PageBuf {
    /// The pages to fill (by a receive).
    pub(super) fn segments_mut(&mut self) -> WritableSegments<'_> {
        // SAFETY: the pages are this value's; `&mut self` keeps the sends
        // (which only happen through an owned or shared `PageBuf`) out.
        unsafe { WritableSegments::new(&self.segs) }
    }
}

// SAFETY: the segments are within pages this value owns (invariant), which
// stay alive while it exists; the pages are freed by reference count, so
// the network's references keep them after the drop, and nothing writes
// them any more.
unsafe impl LoanedPages for PageBuf {
    fn segments(&self) -> &[Segment] {
        &self.segs
    }

    fn len(&self) -> usize {
        self.len
    }
}

impl Drop for PageBuf {
    fn drop(&mut self) {
        (self.on_drop)();
    }
}
