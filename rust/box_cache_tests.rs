// SPDX-License-Identifier: GPL-2.0

//! KUnit tests of the shared API's box cache (`api/box_cache.rs`), run in
//! zcvfs.ko only (one suite name per kernel).

use kernel::prelude::*;

#[kunit_tests(zcvfs_box_cache)]
mod tests {
    use crate::zcvfs_api::box_cache::{BoxCache, SPARES};
    use kernel::prelude::*;

    #[test]
    fn spares_are_reused_and_freed() {
        let c = BoxCache::<[u64; 4]>::new();
        let a = c.boxed([1; 4]).unwrap();
        let pa = &raw const *a;
        c.recycle(a);
        // The spare comes back, with the new value.
        let b = c.boxed([2; 4]).unwrap();
        assert_eq!(&raw const *b, pa);
        assert_eq!(*b, [2; 4]);
        // More boxes than spares: the extra ones are freed.
        let more: [KBox<[u64; 4]>; SPARES + 1] =
            core::array::from_fn(|i| c.boxed([i as u64; 4]).unwrap());
        c.recycle(b);
        for m in more {
            c.recycle(m);
        }
        c.drain();
    }
}
