// SPDX-License-Identifier: GPL-2.0

//! Mount options: the loan limits (`struct zcfs_opts` of `zcfs.h`).

#![deny(unsafe_code)]

use kernel::prelude::*;

/// `struct zcfs_opts`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct RawOpts {
    /// Smaller requests are refused (`EINVAL`).
    pub min_loan: u64,
    /// Larger requests are refused (`EINVAL`).
    pub max_loan: u64,
    /// Pages on loan per mount, at most ("short on buffers").
    pub max_loan_pages: u64,
    /// Mode of the root directory.
    pub mode: u32,
    /// Mounted without the zero-copy feature.
    pub nozerocopy: u32,
    /// Tests only: the inodes of this mount have no byte-range locks.
    pub debug_norangelock: u32,
}

/// The largest loan a mount may allow: the kernel's largest single I/O
/// (`MAX_RW_COUNT` is `INT_MAX` rounded down to a page) is far above; this
/// keeps one loan's segment array small.
pub(crate) const MAX_LOAN_LIMIT: u64 = 64 << 20;

/// Check a mount's options: `1 <= min_loan <= max_loan <= 64 MiB` and at
/// least one page may be on loan.
pub(crate) fn check(o: &RawOpts) -> Result {
    if o.min_loan == 0
        || o.min_loan > o.max_loan
        || o.max_loan > MAX_LOAN_LIMIT
        || o.max_loan_pages == 0
    {
        return Err(EINVAL);
    }
    Ok(())
}

#[kunit_tests(zcfs_options)]
mod tests {
    use super::*;

    fn opts(min_loan: u64, max_loan: u64, max_loan_pages: u64) -> RawOpts {
        RawOpts {
            min_loan,
            max_loan,
            max_loan_pages,
            mode: 0o755,
            nozerocopy: 0,
            debug_norangelock: 0,
        }
    }

    #[test]
    fn limits() {
        assert!(check(&opts(1, 1 << 20, 4096)).is_ok());
        assert!(check(&opts(4096, 4096, 1)).is_ok());
        assert!(check(&opts(0, 4096, 1)).is_err());
        assert!(check(&opts(8192, 4096, 1)).is_err());
        assert!(check(&opts(1, MAX_LOAN_LIMIT + 1, 1)).is_err());
        assert!(check(&opts(1, 4096, 0)).is_err());
    }
}
