// SPDX-License-Identifier: GPL-2.0

//! Mount options: the loan limits (`struct zcfs_opts` of `zcfs.h`), and
//! how `/proc/mounts` shows them (`show_options`).

#![deny(unsafe_code)]

use kernel::page::PAGE_SHIFT;
use kernel::prelude::*;
use kernel::seq_file::{seq_print, SeqFile};

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

/// The mode of the root directory without `mode=` (`ZCFS_DEFAULT_MODE`
/// of `zcfs.h`).
pub(crate) const DEFAULT_MODE: u32 = 0o755;

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

/// `show_options`: the options of a mount whose `size=` is `max_blocks`
/// pages, as `/proc/mounts` shows them: `size=` (in KiB) and `mode=` when
/// they are not the defaults (`default_max_blocks`, [`DEFAULT_MODE`]), the
/// loan limits always, the flags when set.
pub(crate) fn show(m: &SeqFile, o: &RawOpts, max_blocks: u64, default_max_blocks: u64) {
    if max_blocks != default_max_blocks {
        seq_print!(m, ",size={}k", max_blocks << (PAGE_SHIFT - 10));
    }
    if o.mode != DEFAULT_MODE {
        seq_print!(m, ",mode={:o}", o.mode);
    }
    seq_print!(
        m,
        ",min_loan={},max_loan={},max_loan_pages={}",
        o.min_loan,
        o.max_loan,
        o.max_loan_pages
    );
    if o.nozerocopy != 0 {
        seq_print!(m, ",nozerocopy");
    }
    if o.debug_norangelock != 0 {
        seq_print!(m, ",debug_norangelock");
    }
}

#[kunit_tests(zcfs_options)]
mod tests {
    use super::*;

    fn opts(min_loan: u64, max_loan: u64, max_loan_pages: u64) -> RawOpts {
        RawOpts {
            min_loan,
            max_loan,
            max_loan_pages,
            mode: DEFAULT_MODE,
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
