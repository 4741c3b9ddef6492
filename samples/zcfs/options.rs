// SPDX-License-Identifier: GPL-2.0

//! Mount options ([`RawOpts`]): their defaults, the
//! meaning and checks of each parameter (`zcfs_vfs.c`'s `fs_parse()` finds
//! which it is and its number, [`apply`] the rest), the checks of the loan
//! limits and of the loan budget, the budget's default derived from
//! `size=`, and how `/proc/mounts` shows them (`show_options`).

#![deny(unsafe_code)]

use crate::super_block::SbInfo;
use kernel::page::{PAGE_SHIFT, PAGE_SIZE};
use kernel::prelude::*;
use kernel::seq_file::{seq_print, SeqFile};

/// A mount's options.
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

/// A mount parameter, as `fs_parse()` parsed it.
pub(crate) enum Param<'a> {
    /// `size=`: a number of bytes with `k`, `m`, `g`, ... suffixes
    /// (`memparse`), and what follows it: nothing, or `%` (of RAM).
    Size { value: u64, rest: &'a [u8] },
    /// `nr_blocks=`: a number of pages (`memparse`), and what follows it.
    NrBlocks { value: u64, rest: &'a [u8] },
    /// `mode=`: octal.
    Mode(u32),
    /// `min_loan=`.
    MinLoan(u64),
    /// `max_loan=`.
    MaxLoan(u64),
    /// `max_loan_pages=`.
    MaxLoanPages(u64),
    /// `nozerocopy`.
    NoZeroCopy,
    /// `debug_norangelock`.
    DebugNoRangeLock,
}

/// Applies a parameter to the options being parsed, on a machine of
/// `ram_pages` pages of RAM: `EINVAL` for a bad value ("Bad value for"
/// the parameter). `size=` is as tmpfs's: bytes, rounded up to pages, or a
/// percentage of RAM (at most 100); `nr_blocks=` is in pages; `mode=`
/// keeps the permission bits.
pub(crate) fn apply(info: &mut SbInfo, param: Param<'_>, ram_pages: u64) -> Result {
    match param {
        Param::Size { value, rest } => {
            let bytes = match rest {
                [] => value,
                [b'%'] if value <= 100 => (ram_pages.wrapping_mul(value) / 100) << PAGE_SHIFT,
                _ => return Err(EINVAL),
            };
            // `DIV_ROUND_UP_ULL`, which wraps as C's does.
            let page = PAGE_SIZE as u64;
            info.max_blocks = (bytes.wrapping_add(page - 1) / page) as usize;
            info.size_given = true;
        }
        Param::NrBlocks { value, rest } => {
            if !rest.is_empty() {
                return Err(EINVAL);
            }
            info.max_blocks = usize::try_from(value).map_err(|_| EINVAL)?;
            info.size_given = true;
        }
        // `S_IALLUGO`: the permission, set-id and sticky bits.
        Param::Mode(mode) => info.opts.mode = mode & 0o7777,
        Param::MinLoan(n) => info.opts.min_loan = n,
        Param::MaxLoan(n) => info.opts.max_loan = n,
        Param::MaxLoanPages(n) => {
            info.opts.max_loan_pages = n;
            info.max_loan_pages_given = true;
        }
        Param::NoZeroCopy => info.opts.nozerocopy = 1,
        Param::DebugNoRangeLock => info.opts.debug_norangelock = 1,
    }
    Ok(())
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
    fn params() {
        let mut info = SbInfo {
            opts: defaults(1 << 20),
            space: core::ptr::null_mut(),
            max_blocks: default_max_blocks(1 << 20) as usize,
            size_given: false,
            max_loan_pages_given: false,
        };
        let page = PAGE_SIZE as u64;
        let size = |value, rest| Param::Size { value, rest };
        assert!(apply(&mut info, size(3 * page + 1, b""), 1 << 20).is_ok());
        assert_eq!((info.max_blocks, info.size_given), (4, true));
        assert!(apply(&mut info, size(50, b"%"), 1000).is_ok());
        assert_eq!(info.max_blocks, 500);
        assert!(apply(&mut info, size(101, b"%"), 1000).is_err());
        assert!(apply(&mut info, size(1, b"%x"), 1000).is_err());
        assert!(apply(&mut info, size(1, b"x"), 1000).is_err());
        let nr = |value, rest| Param::NrBlocks { value, rest };
        assert!(apply(&mut info, nr(7, b""), 1000).is_ok());
        assert_eq!(info.max_blocks, 7);
        assert!(apply(&mut info, nr(7, b"k"), 1000).is_err());
        assert!(apply(&mut info, Param::Mode(0o170755), 1000).is_ok());
        assert_eq!(info.opts.mode, 0o755);
        assert!(apply(&mut info, Param::MaxLoanPages(9), 1000).is_ok());
        assert_eq!(
            (info.opts.max_loan_pages, info.max_loan_pages_given),
            (9, true)
        );
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
