// SPDX-License-Identifier: GPL-2.0

//! Mount options (`struct zcfs_opts` of `zcfs.h`; `zcfs_vfs.c` parses
//! them): their defaults, the checks of the loan limits and of the loan
//! budget, the budget's default derived from `size=`, and how
//! `/proc/mounts` shows them (`show_options`).

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

/// The mode of the root directory without `mode=`.
pub(crate) const DEFAULT_MODE: u32 = 0o755;

/// `min_loan` without the option.
pub(crate) const DEFAULT_MIN_LOAN: u64 = 1;

/// `max_loan` without the option.
pub(crate) const DEFAULT_MAX_LOAN: u64 = 1 << 20;

/// `max_loan_pages` without the option, at most (see [`defaults`]).
pub(crate) const DEFAULT_MAX_LOAN_PAGES: u64 = 4096;

/// The default `size=` in pages on a machine of `ram_pages` pages of RAM:
/// half of it, as tmpfs's.
pub(crate) fn default_max_blocks(ram_pages: u64) -> u64 {
    ram_pages / 2
}

/// A mount's options before its parameters are parsed, on a machine of
/// `ram_pages` pages of RAM: the loan budget is
/// [`DEFAULT_MAX_LOAN_PAGES`], at most 1/64 of RAM (and at least a page).
pub(crate) fn defaults(ram_pages: u64) -> RawOpts {
    RawOpts {
        min_loan: DEFAULT_MIN_LOAN,
        max_loan: DEFAULT_MAX_LOAN,
        max_loan_pages: (ram_pages / 64).clamp(1, DEFAULT_MAX_LOAN_PAGES),
        mode: DEFAULT_MODE,
        nozerocopy: 0,
        debug_norangelock: 0,
    }
}

/// Why a mount's options are refused ([`finish`]).
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The loan limits fail [`check`].
    LoanLimits,
    /// `max_loan_pages` is above a quarter of RAM.
    LoanPages,
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

/// The options of a mount whose parsing is done (`get_tree`), with
/// `size=` of `max_blocks` pages (0: no limit), on a machine of
/// `ram_pages` pages of RAM: the loan limits must pass [`check`], and
/// loans must not pin an unbounded part of RAM (at most a quarter of it,
/// `zcfs.rst`). Without an explicit `max_loan_pages`, loans pin at most a
/// quarter of `size=` (at least a page) besides the cache.
pub(crate) fn finish(
    o: &mut RawOpts,
    max_blocks: u64,
    max_loan_pages_given: bool,
    ram_pages: u64,
) -> Result<(), Refusal> {
    if check(o).is_err() {
        return Err(Refusal::LoanLimits);
    }
    if o.max_loan_pages > (ram_pages / 4).max(1) {
        return Err(Refusal::LoanPages);
    }
    if !max_loan_pages_given && max_blocks != 0 {
        o.max_loan_pages = o.max_loan_pages.min((max_blocks / 4).max(1));
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
            mode: DEFAULT_MODE,
            nozerocopy: 0,
            debug_norangelock: 0,
        }
    }

    #[test]
    fn defaults_and_budget() {
        assert_eq!(default_max_blocks(1 << 20), 1 << 19);
        assert_eq!(defaults(1 << 20).max_loan_pages, DEFAULT_MAX_LOAN_PAGES);
        assert_eq!(defaults(6400).max_loan_pages, 100);
        assert_eq!(defaults(10).max_loan_pages, 1);
        let d = defaults(1 << 20);
        assert!(check(&d).is_ok());
        assert_eq!(d.mode, DEFAULT_MODE);

        // Not given: a quarter of size=, at least a page.
        let mut o = defaults(1 << 20);
        assert_eq!(finish(&mut o, 400, false, 1 << 20), Ok(()));
        assert_eq!(o.max_loan_pages, 100);
        let mut o = defaults(1 << 20);
        assert_eq!(finish(&mut o, 2, false, 1 << 20), Ok(()));
        assert_eq!(o.max_loan_pages, 1);
        // No size limit, or given: kept.
        let mut o = defaults(1 << 20);
        assert_eq!(finish(&mut o, 0, false, 1 << 20), Ok(()));
        assert_eq!(o.max_loan_pages, DEFAULT_MAX_LOAN_PAGES);
        let mut o = opts(1, 4096, 5000);
        assert_eq!(finish(&mut o, 400, true, 1 << 20), Ok(()));
        assert_eq!(o.max_loan_pages, 5000);
        // Above a quarter of RAM; bad limits first.
        let mut o = opts(1, 4096, 2049);
        assert_eq!(finish(&mut o, 0, true, 8192), Err(Refusal::LoanPages));
        let mut o = opts(1, 4096, 2048);
        assert_eq!(finish(&mut o, 0, true, 8192), Ok(()));
        let mut o = opts(0, 4096, 1 << 30);
        assert_eq!(finish(&mut o, 0, true, 8192), Err(Refusal::LoanLimits));
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
