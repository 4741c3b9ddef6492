// SPDX-License-Identifier: GPL-2.0

//! KUnit tests of the shared API's inline vector (`api/inline_vec.rs`),
//! run in zcvfs.ko only (one suite name per kernel).

use kernel::prelude::*;

#[kunit_tests(zcvfs_inline_vec)]
mod tests {
    use crate::zcvfs_api::inline_vec::InlineVec;
    use crate::zcvfs_api::provider::{SegVec, SEGS_INLINE};
    use crate::zcvfs_api::xuio::Segment;
    use core::cell::Cell;
    use kernel::page::Page;
    use kernel::prelude::*;

    #[test]
    fn stays_inline_up_to_n() -> Result {
        let mut v = InlineVec::<Option<u32>, 3>::new();
        assert!(v.is_empty());
        for i in 0..3 {
            v.push(Some(i))?;
        }
        assert!(!v.spilled());
        assert_eq!(v.as_slice(), &[Some(0), Some(1), Some(2)]);
        assert_eq!(v.pop(), Some(Some(2)));
        v.as_mut_slice()[0] = None;
        assert_eq!(v.as_slice(), &[None, Some(1)]);
        v.clear();
        assert_eq!(v.len(), 0);
        assert!(!v.spilled());
        Ok(())
    }

    #[test]
    fn spills_in_order_and_keeps_room() -> Result {
        let mut v = InlineVec::<Option<u32>, 2>::new();
        for i in 0..5 {
            v.push(Some(i))?;
        }
        assert!(v.spilled());
        assert_eq!(v.len(), 5);
        assert_eq!(v.as_slice()[..3], [Some(0), Some(1), Some(2)]);
        assert_eq!(v.pop(), Some(Some(4)));
        v.clear();
        assert!(v.is_empty());
        v.push(Some(7))?;
        assert_eq!(v.as_slice(), &[Some(7)]);
        // Asked for more than fits inline: on the heap from the start.
        let w = InlineVec::<Option<u32>, 2>::with_capacity(3)?;
        assert!(w.spilled() && w.is_empty());
        let w = InlineVec::<Option<u32>, 2>::with_capacity(2)?;
        assert!(!w.spilled());
        Ok(())
    }

    #[test]
    fn spill_capacity_is_allocated_once() -> Result {
        // Inline until outgrown, whatever the bound.
        let mut v = InlineVec::<Option<u32>, 2>::with_spill_capacity(100);
        v.push(Some(0))?;
        v.push(Some(1))?;
        assert!(!v.spilled() && v.capacity() == 2);
        // Outgrown: room for the whole bound at once.
        v.push(Some(2))?;
        assert!(v.spilled() && v.capacity() >= 100);
        assert_eq!(v.as_slice(), &[Some(0), Some(1), Some(2)]);
        // A bound below twice the inline size spills to twice the size.
        let mut w = InlineVec::<Option<u32>, 2>::with_spill_capacity(1);
        for i in 0..3 {
            w.push(Some(i))?;
        }
        assert!(w.capacity() >= 4);
        Ok(())
    }

    /// Counts its drops.
    struct Counted<'a>(&'a Cell<u32>);

    impl Drop for Counted<'_> {
        fn drop(&mut self) {
            self.0.set(self.0.get() + 1);
        }
    }

    #[test]
    fn drops_each_element_once() -> Result {
        let drops = Cell::new(0);
        {
            let mut v = InlineVec::<Option<Counted<'_>>, 2>::new();
            for _ in 0..2 {
                v.push(Some(Counted(&drops)))?;
            }
            // Moving to the heap neither drops nor loses an element.
            v.push(Some(Counted(&drops)))?;
            assert_eq!(drops.get(), 0);
            drop(v.pop());
            assert_eq!(drops.get(), 1);
        }
        assert_eq!(drops.get(), 3);
        let mut v = InlineVec::<Option<Counted<'_>>, 4>::new();
        v.push(Some(Counted(&drops)))?;
        v.push(Some(Counted(&drops)))?;
        v.clear();
        assert_eq!(drops.get(), 5);
        v.push(Some(Counted(&drops)))?;
        drop(v);
        assert_eq!(drops.get(), 6);
        Ok(())
    }

    #[test]
    fn small_loans_have_inline_segments() -> Result {
        let page = Page::alloc_page(GFP_KERNEL)?;
        // SAFETY: `page` outlives `s` (declared before it), and the
        // segments are never read or written.
        let seg = || unsafe { Segment::from_page(&page, 5, 10) };
        let mut s = SegVec::with_capacity(SEGS_INLINE)?;
        for _ in 0..SEGS_INLINE {
            s.push(seg()?)?;
        }
        assert_eq!(s.as_slice().len(), SEGS_INLINE);
        s.push(seg()?)?;
        assert_eq!(s.as_slice().len(), SEGS_INLINE + 1);
        assert!(s
            .as_slice()
            .iter()
            .all(|x| x.bv_len == 10 && x.bv_offset == 5));
        Ok(())
    }
}
