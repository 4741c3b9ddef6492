// SPDX-License-Identifier: GPL-2.0

//! The data path of a zcfs file: read, write, truncate, write faults, and
//! the address-space operations that fill the page cache, as ramfs and
//! shmem do them, with every new folio charged to the mount's space
//! ([`crate::space`]) and lent folios copied away before they change
//! ([`crate::cache`]). The callbacks of `vfs_ops.rs` call these.
//!
//! Storage is the page cache: folios (large ones where the kernel supports
//! them) on an unevictable mapping, never written back. Holes are read as
//! zeros without entering the cache. Locks are taken in one order: the
//! inode lock (writes), the byte-range lock ([`crate::range_lock`]), then
//! folio locks.

#![deny(unsafe_code)]

use crate::cache;
use crate::folio::{Folio, FolioGuard, FolioLock};
use crate::inode::{CacheInode, Inode, InodeLockGuard};
use crate::kiocb::{self, IovIter, Kiocb};
use crate::space;
use kernel::bindings;
use kernel::page::{PAGE_SHIFT, PAGE_SIZE};
use kernel::prelude::*;
use kernel::sync::aref::ARef;
use kernel::sync::barrier::{smp_mb, Full};

/// The extra allocation flags of a large folio: it may fail, the caller
/// falls back to a smaller one (`__GFP_NORETRY | __GFP_NOWARN`).
const GFP_LARGE: bindings::gfp_t = (1 << bindings::___GFP_NORETRY_BIT) | bindings::__GFP_NOWARN;

/// The locked folio at page `index` of `inode`'s cache, with a reference:
/// the cached one, or a new one charged to the mount (`ENOSPC` when it is
/// full). A new folio is as large as a write of `len` bytes at `index`
/// wants, as `__filemap_get_folio()` makes it for `fgf_set_order(len)`: at
/// most the cache's largest order, aligned in the file, and smaller when
/// that size cannot be charged, allocated or added (a page of the range
/// is cached).
fn grab_folio(inode: &CacheInode, index: u64, len: usize) -> Result<FolioGuard> {
    let gfp = inode.gfp();
    loop {
        if let Some(folio) = inode.lock_cached_folio(index) {
            folio.wait_stable();
            return Ok(folio);
        }
        let mut order = if len > PAGE_SIZE {
            len.ilog2() - PAGE_SHIFT as u32
        } else {
            0
        };
        order = order.min(inode.max_folio_order());
        if index & ((1u64 << order) - 1) != 0 {
            order = index.trailing_zeros();
        }
        let mut err;
        loop {
            let nr = 1u64 << order;
            if !inode.space().charge(nr) {
                err = ENOSPC;
            } else {
                let alloc_gfp = if order > 0 { gfp | GFP_LARGE } else { gfp };
                match Folio::alloc_for_cache(alloc_gfp, order) {
                    None => {
                        inode.space().uncharge(nr);
                        err = ENOMEM;
                    }
                    // On failure, the folio was put.
                    Some(folio) => match inode.add_folio(folio, index, gfp) {
                        Ok(folio) => {
                            space::inode_charged(inode, nr);
                            return Ok(folio);
                        }
                        Err(e) => {
                            inode.space().uncharge(nr);
                            err = e;
                        }
                    },
                }
            }
            if order == 0 {
                break;
            }
            order -= 1;
        }
        // EEXIST: someone added a folio meanwhile; use it.
        if err != EEXIST {
            return Err(err);
        }
    }
}

/// The uptodate folio at page `index` of `inode`'s cache with a
/// reference, or `None` for a hole. Nothing is allocated. A folio being
/// filled (a fault's `read_folio`, a write's `write_begin`) is waited for;
/// one that is still not uptodate after that holds no data (its fill
/// failed) and reads as a hole.
fn cached_folio(inode: &CacheInode, index: u64) -> Option<ARef<Folio>> {
    let folio = inode.cached_folio(index)?;
    if folio.test_uptodate() {
        return Some(folio);
    }
    let ok = {
        let locked = folio.lock();
        inode.holds(&locked) && locked.test_uptodate()
    };
    ok.then_some(folio)
}

/// A folio the page cache made for a fault (`filemap_fault`) of a hole,
/// locked, its lock given to us: charged, zeroed, uptodate, dirty (never
/// dropped by invalidation, counted until truncated), unlocked. Mount
/// full: it leaves the cache again, uncounted, and the fault gets SIGBUS
/// (`ENOSPC`, as on a full tmpfs).
pub(crate) fn read_folio(inode: &CacheInode, folio: FolioLock<'_>) -> Result {
    let nr = folio.nr_pages() as u64;
    if !inode.space().charge(nr) {
        inode.error_remove_folio(&folio);
        return Err(ENOSPC);
    }
    space::inode_charged(inode, nr);
    folio.zero_range(0, folio.size());
    folio.flush_dcache();
    folio.mark_uptodate();
    folio.mark_dirty();
    Ok(())
}

/// `write_begin`: `simple_write_begin()`, charging a new folio, which may
/// be large ([`grab_folio`]): the parts of a new folio the write does not
/// cover are zeroed (they were a hole). Returns the folio, locked and
/// referenced, for `write_end`.
pub(crate) fn write_begin(inode: &CacheInode, pos: i64, len: u32) -> Result<FolioGuard> {
    let pos = u64::try_from(pos).map_err(|_| EINVAL)?;
    let len = len as usize;
    let folio = grab_folio(inode, pos >> PAGE_SHIFT, len)?;
    if !folio.test_uptodate() {
        // `len` is the caller's whole chunk, which may run past the folio
        // (`generic_perform_write()` trims it after this call): what the
        // write covers is [from, to), clamped to the folio. Testing
        // len != folio size instead, as `simple_write_begin()` does, would
        // leave a folio's head unzeroed for a write from its middle whose
        // chunk is just the folio's size.
        let size = folio.size();
        let from = folio.offset_of(pos);
        let to = (from + len).min(size);
        if from != 0 || to != size {
            folio.zero_segments(0, from, to, size);
        }
    }
    Ok(folio)
}

/// `write_end`: `simple_write_end()` (static in libfs) for `copied` of
/// the `len` bytes at `pos` that `write_begin` prepared in `folio`, which
/// it locked and referenced; both are given up. Returns `copied`.
pub(crate) fn write_end(
    inode: &CacheInode,
    pos: i64,
    len: u32,
    copied: u32,
    folio: FolioGuard,
) -> u32 {
    // `pos` is the one `write_begin` accepted: not negative.
    let pos = pos as u64;
    if !folio.test_uptodate() {
        if copied < len {
            let from = folio.offset_of(pos);
            folio.zero_range(from + copied as usize, (len - copied) as usize);
        }
        folio.mark_uptodate();
    }
    // A position within the file's limits: no error.
    let _ = inode.extend_size(pos + u64::from(copied));
    folio.mark_dirty();
    copied
}

/// `shmem_file_read_iter()`'s loop: cached folios are copied out, holes
/// are zeros and allocate nothing (no folio enters the cache, st_blocks
/// and the mount's usage stay). Called with the request's range locked
/// (shared).
fn file_read(inode: &Inode, iocb: &Kiocb, to: &IovIter) -> Result<usize> {
    let mut done = 0usize;
    let mut error = Ok(());
    while to.count() > 0 {
        // `i_size` fits an i64; the position is not negative.
        let isize = inode.size() as i64;
        let pos = iocb.pos();
        let offset = pos as usize % PAGE_SIZE;
        if pos >= isize {
            break;
        }
        let left = ((isize - pos) as u64).min(to.count() as u64);
        let (ret, nr) = match cached_folio(inode, pos as u64 >> PAGE_SHIFT) {
            Some(folio) => {
                // The rest of the folio, as shmem reads a folio at a time.
                let off = folio.offset_of(pos as u64);
                let nr = left.min((folio.size() - off) as u64) as usize;
                if inode.writably_mapped() {
                    folio.flush_dcache();
                }
                if off == 0 {
                    folio.mark_accessed();
                }
                (to.copy_folio(&folio, off, nr), nr)
            }
            None => {
                let nr = left.min((PAGE_SIZE - offset) as u64) as usize;
                // Faster than clear_user(), as in shmem; never the zero
                // page into a pipe (splice).
                let ret = if to.user_backed() {
                    to.copy_zero_page(offset, nr)
                } else {
                    to.zero(nr)
                };
                (ret, nr)
            }
        };
        done += ret;
        iocb.set_pos(pos + ret as i64);
        if ret < nr {
            error = Err(EFAULT);
            break;
        }
        if kiocb::fatal_signal_pending() {
            error = Err(EINTR);
            break;
        }
        kiocb::cond_resched();
    }
    iocb.file_accessed();
    if done > 0 {
        Ok(done)
    } else {
        error.map(|()| 0)
    }
}

/// `read_iter`: reads under the byte-range lock of the request's range
/// (shared), so that it never sees a write half done.
pub(crate) fn read_iter(iocb: &Kiocb, to: &IovIter) -> Result<usize> {
    let inode = iocb.inode();
    let count = to.count();
    if count == 0 {
        return Ok(0);
    }
    let pos = u64::try_from(iocb.pos()).map_err(|_| EINVAL)?;
    let state = inode.state();
    let _range = state.range.guard(pos, count as u64, false)?;
    file_read(inode, iocb, to)
}

/// The part of `write_iter` under the inode lock: checks, then the range
/// lock (exclusive), copy-on-write of lent folios, timestamps, the copy.
fn write_locked(locked: &InodeLockGuard<'_>, iocb: &Kiocb, from: &IovIter) -> Result<usize> {
    let inode = locked.inode();
    if iocb.write_checks(locked, from)? == 0 {
        return Ok(0);
    }
    let pos = u64::try_from(iocb.pos()).map_err(|_| EINVAL)?;
    let count = from.count() as u64;
    let state = inode.state();
    let _range = state.range.guard(pos, count, true)?;
    cache::cow_range(inode, pos, count)?;
    iocb.file_modified(locked)?;
    iocb.perform_write(locked, from)
}

/// `write_iter`: the write under the inode lock ([`write_locked`]), then
/// `generic_write_sync` of what was written.
pub(crate) fn write_iter(iocb: &Kiocb, from: &IovIter) -> Result<usize> {
    let written = write_locked(&iocb.inode().lock(), iocb, from)?;
    if written > 0 {
        iocb.write_sync(written)
    } else {
        Ok(0)
    }
}

/// `setattr` of a regular file: `apply` (`simple_setattr`) does the
/// change; a change of size to `size` first takes the byte-range lock
/// from the lower of the old and new ends on (exclusive), copies away the
/// lent folio holding that end, and gives back the charges of the folios
/// that left the cache after.
pub(crate) fn setattr(inode: &Inode, size: Option<i64>, apply: impl FnOnce() -> Result) -> Result {
    let Some(size) = size else {
        return apply();
    };
    let size = u64::try_from(size).map_err(|_| EINVAL)?;
    // Everything from the lower of the old and new end changes.
    let lo = inode.size().min(size);
    let state = inode.state();
    let range = state.range.guard(lo, i64::MAX as u64 - lo, true)?;
    // Only the folio holding the lower end is modified in place (its tail
    // zeroed); folios wholly beyond it leave the cache, and a loan keeps
    // its own reference to them.
    let r = cache::cow_range(inode, lo, 1).and_then(|()| apply());
    space::recalc(inode);
    drop(range);
    r
}

/// What a write fault ([`page_mkwrite`]) tells the fault handler.
pub(crate) enum Fault {
    /// The folio may be written, and is left locked (`VM_FAULT_LOCKED`).
    Locked,
    /// The folio left the file or was copied away: fault again
    /// (`VM_FAULT_NOPAGE`).
    NoPage,
}

/// `page_mkwrite`: a write fault on `folio`, on which the fault holds a
/// reference, of a mapping of `inode`; `update_time` is
/// `file_update_time` of the mapped file. A loaned folio is never written:
/// it is copied away, and the fault retried on the copy.
pub(crate) fn page_mkwrite(
    inode: &Inode,
    folio: &Folio,
    update_time: impl FnOnce(),
) -> Result<Fault> {
    let _pagefault = inode.start_pagefault();
    update_time();
    let locked = folio.lock();
    if !inode.holds(&locked) {
        return Ok(Fault::NoPage);
    }
    // Loans mark folios lent without their lock, then (after a full
    // barrier) check that the file is not mapped; the mapping this fault
    // goes through was made before it, so a full barrier before the fault
    // reads the marks makes one of the two see the other (cache.rs).
    smp_mb(Full);
    if cache::cow_for_write_fault(inode, &locked)? {
        return Ok(Fault::NoPage);
    }
    locked.mark_dirty();
    locked.wait_stable();
    locked.keep();
    Ok(Fault::Locked)
}
