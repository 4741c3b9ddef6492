// SPDX-License-Identifier: GPL-2.0

//! The VOP dispatch layer: what `fop_reqzcbuf`, `fop_retzcbuf`,
//! `fop_read_xuio`, `fop_write_xuio` and `fop_truncate` do, in safe Rust.
//!
//! Each entry point checks its arguments, finds the provider (for zero-copy),
//! runs the inode's monitors around the operation, keeps the loan table
//! and the xuio's zcvfs-owned fields consistent, raises the fsnotify events
//! of read(2)/write(2), and counts everything in the filesystem's stats.
//!
//! A loan's record in the loan table is its one source of truth; the
//! xuio's zcvfs-owned fields are the consumer's copy, written from it (and
//! put back from it before every provider call). The hot path takes no
//! mutex: see `globals`.
#![deny(unsafe_code)]

use crate::globals::{self, FemChain, LoanPins, MonitorEntry, ProviderReg};
use crate::globals::{LOANS, MONITORED_INODES, MONITORS, MONITOR_VIEW};
use crate::globals::{REGISTRY, REGISTRY_VIEW, STATS};
use crate::loans::{LoanRecord, LoanTable};
use crate::module_ref::{ModulePin, ModulePtr, ModuleRef};
use crate::monitor_ops::{FemArgPtr, MonitorOpsRef};
use crate::provider_ops::ProviderOpsRef;
use crate::registry::Registry;
use crate::stats::FsStats;
use crate::validate::{self, FileLimits, Io};
use crate::vfs::{self as kf, FsTypeRef};
use crate::xuio_alloc;
use crate::zcvfs_api::bindings::*;
use crate::zcvfs_api::error::{from_ssize, to_ssize};
use crate::zcvfs_api::xuio::{Published, XuioExt, ZcState};
use kernel::fs::File;
use kernel::prelude::*;
use kernel::sync::atomic::{Acquire, Relaxed, Release};
use kernel::sync::{aref::ARef, rcu, Arc, UniqueArc};

fn limits(file: &File) -> FileLimits {
    let (readable, writable) = kf::rw_mode(file);
    FileLimits {
        maxbytes: kf::maxbytes(file),
        max_rw: kf::max_rw_count(),
        readable,
        writable,
    }
}

/// The loan table (set from module load to unload).
fn loans() -> Result<Pin<&'static LoanTable<LoanPins>>> {
    LOANS.get().ok_or(ENODEV)
}

/// The statistics of a filesystem type: its provider's (read under RCU),
/// else from the table of every type seen (locked; created on first use).
fn stats_of(fstype: FsTypeRef) -> Option<Arc<FsStats>> {
    let registered = {
        let g = rcu::read_lock();
        REGISTRY_VIEW
            .get(&g)
            .and_then(|r| r.provider(fstype.key()))
            .and_then(|p| p.stats)
    };
    registered.or_else(|| STATS.lock().get(fstype.key(), fstype.name()))
}

fn count_refusal<T>(stats: &Option<Arc<FsStats>>, r: &Result<T>) {
    if let (Some(s), Err(e)) = (stats, r) {
        s.refused(*e);
    }
}

/// Count a refusal in the statistics of the file's filesystem type.
fn count_refusal_of<T>(file: &File, r: &Result<T>) {
    if r.is_err() {
        count_refusal(&stats_of(kf::fs_type(file)), r);
    }
}

/// Run the inode's monitors around `base`. Returns the chain's result and
/// whether `base` ran.
#[inline(always)]
fn run_chain(
    file: &File,
    op: u32,
    rw: u32,
    xuio: *mut RawXuio,
    length: i64,
    ct: *const RawCallerContext,
    base: &mut impl FnMut() -> isize,
) -> (isize, bool) {
    // No monitor anywhere: no lookup at all, and `base` is called here
    // directly (inlined in the caller).
    if MONITORED_INODES.load(Acquire) == 0 {
        return (base(), true);
    }
    run_monitors(file, op, rw, xuio, length, ct, base)
}

/// [`run_chain`] when some inode has monitors.
#[inline(never)]
fn run_monitors(
    file: &File,
    op: u32,
    rw: u32,
    xuio: *mut RawXuio,
    length: i64,
    ct: *const RawCallerContext,
    base: &mut dyn FnMut() -> isize,
) -> (isize, bool) {
    let inode = kf::inode_key(file);
    // A reference on the inode's stack, taken under RCU.
    let stack = {
        let g = rcu::read_lock();
        MONITOR_VIEW.get(&g).and_then(|v| v.stack(inode))
    };
    let Some(monitors) = stack else {
        return (base(), true);
    };
    let mut arg = RawFemArg {
        op,
        rw,
        file: file.as_ptr(),
        xuio,
        length,
        ct,
        data: core::ptr::null_mut(),
        chain: core::ptr::null_mut(),
    };
    let chain = FemChain::new(&monitors, base);
    arg.chain = (&raw const chain).cast_mut().cast();
    let r = chain.vnext(FemArgPtr::new(&mut arg));
    let ran = chain.base_ran();
    (r, ran)
}

/// `fop_reqzcbuf`.
pub(crate) fn reqzcbuf(
    file: &File,
    rw: u32,
    x: &mut RawXuio,
    ct: *const RawCallerContext,
) -> Result {
    request(file, rw, x, ct, false).map(|_| ())
}

/// `fop_reqzcbuf_read`: `fop_reqzcbuf(UIO_READ)` and `fop_read_xuio` of
/// the loan in one call, all or nothing: on success the loan is out and
/// filled (as after the two calls), on failure nothing is out.
///
/// With no monitor installed anywhere, the read runs before the loan is
/// recorded (no one else can reach it then): one entry, one check of the
/// arguments, one update of the loan table. Monitors see the protocol's
/// two calls, made one after the other.
pub(crate) fn reqzcbuf_read(
    file: &File,
    x: &mut RawXuio,
    ct: *const RawCallerContext,
) -> Result<usize> {
    if MONITORED_INODES.load(Acquire) == 0 {
        return request(file, UIO_READ, x, ct, true);
    }
    reqzcbuf(file, UIO_READ, x, ct)?;
    let r = rw_xuio(file, false, x, ct);
    if r.is_err() {
        // The caller holds `file`: the pins may go at once.
        drop(retzcbuf(file, x, ct));
    }
    r
}

/// A request, and with `read` the read of the loan before it is recorded
/// (no monitor runs then: [`reqzcbuf_read`]). Returns the bytes read.
fn request(
    file: &File,
    rw: u32,
    x: &mut RawXuio,
    ct: *const RawCallerContext,
    read: bool,
) -> Result<usize> {
    let fstype = kf::fs_type(file);
    // One RCU read-side section: the feature, the provider, a pin of its
    // module (a reference, unless it is the filesystem's own module, which
    // the caller's file keeps and then the loan's: `ModulePin`). The
    // provider cannot unregister (and its module go away) before the
    // reference is taken: unregistering waits for a grace period.
    let (provider, zc, module) = {
        let g = rcu::read_lock();
        let reg = REGISTRY_VIEW.get(&g);
        let provider = reg.and_then(|r| r.provider(fstype.key()));
        let zc = reg.is_some_and(|r| r.has_feature(kf::sb_key(file), VFSFT_ZEROCOPY_SUPPORTED));
        let module = match (&provider, zc) {
            (Some(p), true) => ModulePin::get(p.owner, fstype.owner()).ok(),
            _ => None,
        };
        (provider, zc, module)
    };
    // The registration's statistics are moved out of it, not cloned.
    let (ops, stats) = match provider {
        Some(p) => (Some(p.ops), p.stats),
        None => (None, None),
    };
    let mut stats = stats.or_else(|| stats_of(fstype));
    let r = match ops {
        // On success the statistics move into the loan's pins.
        Some(ops) if zc => reqzcbuf_inner(file, rw, x, ct, (ops, module), &mut stats, read),
        _ => Err(EOPNOTSUPP),
    };
    count_refusal(&stats, &r);
    r
}

/// [`request`] once the provider is known: its ops and the pin of its
/// module (`None`: its module is going away).
fn reqzcbuf_inner(
    file: &File,
    rw: u32,
    x: &mut RawXuio,
    ct: *const RawCallerContext,
    (ops, module): (ProviderOpsRef, Option<ModulePin>),
    stats: &mut Option<Arc<FsStats>>,
    read: bool,
) -> Result<usize> {
    let lim = limits(file);
    let offset = x.loffset();
    let rwv = validate::check_request(rw, XuioExt::of(x), offset, x.resid(), &lim)?;
    let module = module.ok_or(EOPNOTSUPP)?;
    // Checked positive and below `MAX_RW_COUNT`.
    let len = x.resid() as usize;
    let xp: *mut RawXuio = x;

    // The provider sees a clean xuio: no segments, no handle.
    x.clear_loan(rw, XUIO_ZC_NONE);

    let mut loaned = false;
    let mut base = || -> isize {
        let r = ops.reqzcbuf(file, rw, x).and_then(|()| {
            // All or nothing: the segments must cover exactly `len`; a
            // READ loan may publish none until its read (the consumer may
            // not look at them before).
            let total = x.loaned_segments_total();
            let unpublished_read = rw == UIO_READ && total == Some(0);
            if total != Some(len as u64) && !unpublished_read {
                pr_warn!("zcvfs: provider loaned segments not covering the request; refused\n");
                let _ = ops.retzcbuf(file, x);
                return Err(EIO);
            }
            Ok(())
        });
        loaned = r.is_ok();
        match r {
            Ok(()) => 0,
            Err(e) => e.to_errno() as isize,
        }
    };
    let (r, ran) = if read {
        // Fused with the read: no monitor is installed ([`reqzcbuf_read`]).
        (base(), true)
    } else {
        run_chain(file, ZCVFS_FEM_REQZCBUF, rw, xp, 0, ct, &mut base)
    };
    if !ran {
        if let Some(s) = &*stats {
            s.vetoed.add(1, Relaxed);
        }
    }
    if loaned && r < 0 {
        // A monitor failed the request after the provider loaned: undo.
        let _ = ops.retzcbuf(file, x);
        loaned = false;
    }
    if !loaned {
        x.clear_loan(rw, XUIO_ZC_NONE);
        return Err(from_ssize(r).err().unwrap_or(EIO));
    }
    // The fused read, before the loan is recorded: nobody else can reach
    // it yet, so it needs no busy mark.
    let done = if read {
        // What the provider's read is for, whatever its request left.
        x.set_loffset(offset);
        x.set_resid(len as i64);
        let handed = x.published();
        match provider_read(file, ops, x, len, &handed) {
            Ok(n) => Some(n),
            Err(e) => {
                let _ = ops.retzcbuf(file, x);
                x.clear_loan(rw, XUIO_ZC_NONE);
                return Err(e);
            }
        }
    } else {
        None
    };

    let table = match loans() {
        Ok(t) => t,
        Err(e) => {
            let _ = ops.retzcbuf(file, x);
            x.clear_loan(rw, XUIO_ZC_NONE);
            return Err(e);
        }
    };
    let rec = LoanRecord {
        id: 0,
        xuio: xp as usize,
        inode: kf::inode_key(file),
        rw: rwv,
        len,
        offset,
        published: x.published(),
        state: if done.is_some() {
            ZcState::Filled
        } else {
            ZcState::Loaned
        },
        busy: false,
        pins: LoanPins {
            file: file.into(),
            ops,
            _module: module,
            // Moved, not cloned: the request's reference becomes the loan's.
            stats: stats.take(),
        },
    };
    // Counted as soon as the loan is recorded (under the table's lock).
    let counted = |rec: &mut LoanRecord<LoanPins>| {
        if let Some(s) = &rec.pins.stats {
            s.loaned(len);
            if let Some(n) = done {
                s.zc_reads.add(1, Relaxed);
                s.zc_read_bytes.add(n as u64, Relaxed);
            }
        }
    };
    let id = match table.insert(rec, counted) {
        Ok(id) => id,
        Err(rec) => {
            let _ = ops.retzcbuf(file, x);
            x.clear_loan(rw, XUIO_ZC_NONE);
            // Back to the caller, which counts the refusal.
            if let Some(mut rec) = rec {
                *stats = rec.pins.stats.take();
                // The pins go after the provider's last call.
                drop(rec);
            }
            return Err(ENOMEM);
        }
    };
    x.set_xuio(Some(UIOTYPE_ZEROCOPY));
    x.set_loffset(offset);
    let Some(n) = done else {
        x.set_zc_state(rw, XUIO_ZC_LOANED, id);
        x.set_resid(len as i64);
        return Ok(0);
    };
    // As after `fop_read_xuio`.
    x.set_zc_state(rw, XUIO_ZC_FILLED, id);
    x.set_resid((len - n) as i64);
    kf::notify_access(file);
    Ok(n)
}

/// The provider's read of the loan in `x` (`len` bytes, `handed` the
/// segments it was given), checked: the provider trims the segments to
/// what it read.
fn provider_read(
    file: &File,
    ops: ProviderOpsRef,
    x: &mut RawXuio,
    len: usize,
    handed: &Published,
) -> Result<usize> {
    let n = ops.read_xuio(file, x)?;
    let intact = n == len && x.published() == *handed && x.segflg() == UIO_SEG_BVEC;
    if n > len || !(intact || x.loaned_segments_total() == Some(n as u64)) {
        pr_warn!("zcvfs: provider read segments inconsistent; refused\n");
        return Err(EIO);
    }
    Ok(n)
}

/// Put the loan's recorded values back into the xuio before calling the
/// provider, so that nothing a caller wrote there can mislead it.
fn restore(x: &mut RawXuio, rec: &LoanRecord<LoanPins>, offset: i64) {
    x.restore(&rec.published);
    x.set_loffset(offset);
    x.set_resid(rec.len as i64);
}

/// `fop_retzcbuf`. Gives back the returned loan's pins, which the caller
/// drops once it no longer uses `file`: the loan's reference on the file
/// may be the only one (a consumer may rely on it until the return has
/// completed, zcvfs.h).
pub(crate) fn retzcbuf(
    file: &File,
    x: &mut RawXuio,
    ct: *const RawCallerContext,
) -> Result<LoanPins> {
    let r = retzcbuf_inner(file, x, ct);
    count_refusal_of(file, &r);
    r
}

fn retzcbuf_inner(file: &File, x: &mut RawXuio, ct: *const RawCallerContext) -> Result<LoanPins> {
    match validate::zc_or_plain(XuioExt::of(x))? {
        None => return Err(EINVAL),
        Some(ZcState::Returned) => return Err(EALREADY),
        Some(_) => {}
    }
    let xp: *mut RawXuio = x;
    let zc = x.zc();
    let rec = loans()?.take(zc.xu_zc_loan, xp as usize, kf::inode_key(file))?;
    restore(x, &rec, rec.offset);
    let ops = rec.pins.ops;
    let mut done = false;
    let mut base = || -> isize {
        done = true;
        match ops.retzcbuf(&rec.pins.file, x) {
            Ok(()) => 0,
            Err(e) => e.to_errno() as isize,
        }
    };
    // Monitors observe the return; they cannot stop it.
    let _ = run_chain(file, ZCVFS_FEM_RETZCBUF, zc.xu_zc_rw, xp, 0, ct, &mut base);
    if !done {
        let _ = ops.retzcbuf(&rec.pins.file, x);
    }
    x.clear_loan(x.zc().xu_zc_rw, XUIO_ZC_RETURNED);
    x.set_resid(0);
    if let Some(s) = &rec.pins.stats {
        s.returned(rec.len);
    }
    // Released by the caller: the file and the provider's module.
    Ok(rec.pins)
}

/// `fop_read_xuio` (`write == false`) and `fop_write_xuio`.
pub(crate) fn rw_xuio(
    file: &File,
    write: bool,
    x: &mut RawXuio,
    ct: *const RawCallerContext,
) -> Result<usize> {
    let r = match validate::zc_or_plain(XuioExt::of(x)) {
        Ok(None) => plain_rw(file, write, x, ct),
        Ok(Some(_)) => zc_rw(file, write, x, ct),
        Err(e) => Err(e),
    };
    count_refusal_of(file, &r);
    r
}

fn plain_rw(
    file: &File,
    write: bool,
    x: &mut RawXuio,
    ct: *const RawCallerContext,
) -> Result<usize> {
    let stats = &stats_of(kf::fs_type(file));
    let lim = limits(file);
    let count = validate::check_plain(
        x.loffset(),
        x.resid(),
        x.segflg(),
        x.iovcnt(),
        || x.plain_segments_total(),
        &lim,
    )?;
    let xp: *mut RawXuio = x;
    let mut pos = x.loffset();
    let mut base = || to_ssize(kf::plain_rw(file, write, x, count, &mut pos));
    let op = if write {
        ZCVFS_FEM_WRITE
    } else {
        ZCVFS_FEM_READ
    };
    let (r, ran) = run_chain(file, op, 0, xp, 0, ct, &mut base);
    let n = if ran {
        from_ssize(r)
    } else {
        // A monitor answered without the operation: nothing happened.
        Err(from_ssize(r).err().unwrap_or(EPERM))
    };
    if let Some(s) = stats {
        if !ran {
            s.vetoed.add(1, Relaxed);
        } else if write {
            s.plain_writes.add(1, Relaxed);
        } else {
            s.plain_reads.add(1, Relaxed);
        }
    }
    if ran {
        if let Ok(done) = n {
            // The uio convention: what is left, and where.
            x.set_resid(x.resid() - done as i64);
            x.set_loffset(pos);
        }
    }
    n
}

fn zc_rw(file: &File, write: bool, x: &mut RawXuio, ct: *const RawCallerContext) -> Result<usize> {
    if !has_feature(kf::sb_key(file), VFSFT_ZEROCOPY_SUPPORTED) {
        return Err(EOPNOTSUPP);
    }
    let io = if write { Io::Write } else { Io::Read };
    let xp: *mut RawXuio = x;
    let zc = x.zc();
    let caller_offset = x.loffset();
    let lim = limits(file);
    let table = loans()?;
    // Take the loan for this I/O (busy), with what the call needs.
    let (id, ops, len, offset, pfile) =
        table.begin_io(zc.xu_zc_loan, xp as usize, kf::inode_key(file), |rec| {
            validate::check_zc_io(io, rec.rw, rec.state)?;
            // Anonymous WRITE buffers get their offset now; others keep it.
            let offset = if rec.offset == -1 {
                caller_offset
            } else {
                rec.offset
            };
            if offset != caller_offset {
                return Err(EINVAL);
            }
            validate::check_range(offset, rec.len, &lim)?;
            restore(x, rec, offset);
            // The provider gets the loan's file. It is the caller's in the
            // common case, which the call holds: no extra reference then.
            let pfile = if core::ptr::eq(&*rec.pins.file, file) {
                None
            } else {
                Some(rec.pins.file.clone())
            };
            Ok((rec.id, rec.pins.ops, rec.len, offset, pfile))
        })?;
    let pfile: &File = pfile.as_deref().unwrap_or(file);
    // What the provider was handed (checked at the request to cover the
    // loan): a read that used all of it needs no new sum.
    let handed = x.published();

    let mut wres = RawWriteResult::default();
    let mut base = || -> isize {
        let r = if write {
            ops.write_xuio(pfile, x, &mut wres)
                .and_then(|n| if n > len { Err(EIO) } else { Ok(n) })
        } else {
            provider_read(pfile, ops, x, len, &handed)
        };
        to_ssize(r)
    };
    let op = if write {
        ZCVFS_FEM_WRITE
    } else {
        ZCVFS_FEM_READ
    };
    let (r, ran) = run_chain(file, op, zc.xu_zc_rw, xp, 0, ct, &mut base);
    let n = if ran { from_ssize(r) } else { Err(EIO) };
    let published = x.published();
    let new_state = match (&n, write) {
        (Ok(_), false) => Some(ZcState::Filled),
        (Ok(_), true) => Some(ZcState::Written),
        (Err(_), _) => None,
    };
    table.end_io(id, |rec| {
        // What the provider published now, even after a failure.
        rec.published = published;
        if let Some(st) = new_state {
            rec.state = st;
            rec.offset = offset;
        }
        // Counted here, where the loan's statistics are at hand.
        let Some(s) = &rec.pins.stats else { return };
        match (ran, &n) {
            (false, _) => s.vetoed.add(1, Relaxed),
            (true, Ok(n)) if write => {
                s.zc_writes.add(1, Relaxed);
                s.zc_write_bytes.add(*n as u64, Relaxed);
                s.write_pages_donated.add(wres.pages_donated, Relaxed);
                s.write_pages_copied.add(wres.pages_copied, Relaxed);
            }
            (true, Ok(n)) => {
                s.zc_reads.add(1, Relaxed);
                s.zc_read_bytes.add(*n as u64, Relaxed);
            }
            (true, Err(_)) => {}
        }
    });
    if !ran {
        // A monitor answered without the operation: nothing happened.
        return Err(from_ssize(r).err().unwrap_or(EPERM));
    }
    let n = n?;
    let cur = x.zc();
    x.set_zc_state(
        cur.xu_zc_rw,
        new_state.map_or(XUIO_ZC_LOANED, |s| s.raw()),
        cur.xu_zc_loan,
    );
    x.set_resid((len - n) as i64);
    // What read(2) and write(2) tell watchers.
    if write {
        if n > 0 {
            kf::notify_modify(file);
        }
    } else {
        kf::notify_access(file);
    }
    Ok(n)
}

/// `fop_truncate`.
pub(crate) fn truncate(file: &File, length: i64, ct: *const RawCallerContext) -> Result {
    if length < 0 {
        return Err(EINVAL);
    }
    // As ftruncate(2): the file must be open for writing.
    if !kf::rw_mode(file).1 {
        return Err(EBADF);
    }
    let mut base = || match kf::truncate(file, length) {
        Ok(()) => 0,
        Err(e) => e.to_errno() as isize,
    };
    let (r, ran) = run_chain(
        file,
        ZCVFS_FEM_TRUNCATE,
        0,
        core::ptr::null_mut(),
        length,
        ct,
        &mut base,
    );
    if !ran {
        if let Some(s) = stats_of(kf::fs_type(file)) {
            s.vetoed.add(1, Relaxed);
        }
        // A monitor answered without the operation: nothing happened.
        return Err(from_ssize(r).err().unwrap_or(EPERM));
    }
    from_ssize(r).map(|_| ())
}

/// Change the registry: `f` changes a copy of the writers' registry,
/// which then replaces both it and the readers' (after a grace period the
/// old one is freed: no reader sees it any more).
fn update_registry<R>(f: impl FnOnce(&mut Registry<ProviderReg>) -> Result<R>) -> Result<R> {
    let (r, old) = {
        let mut reg = REGISTRY.lock();
        let mut next = reg.try_clone()?;
        let r = f(&mut next)?;
        let view = KBox::new(next.try_clone()?, GFP_KERNEL)?;
        *reg = next;
        (r, REGISTRY_VIEW.replace(Some(view)))
    };
    drop(old);
    Ok(r)
}

/// `zcvfs_register_provider`.
pub(crate) fn register_provider(
    fstype: FsTypeRef,
    ops: ProviderOpsRef,
    owner: ModulePtr,
) -> Result {
    // The filesystem's statistics, created now so that they are visible at
    // once, and reached from the registration from now on.
    let stats = STATS.lock().get(fstype.key(), fstype.name());
    update_registry(|r| r.register(fstype.key(), ProviderReg { ops, owner, stats }))
}

/// `zcvfs_unregister_provider`.
pub(crate) fn unregister_provider(fstype: FsTypeRef) -> Result {
    update_registry(|r| r.unregister(fstype.key()).map(|_| ()))
}

/// `zcvfs_sb_set_features` (the file system type comes from the sb).
pub(crate) fn sb_set_features(sb: usize, fstype: usize, features: u64) -> Result {
    update_registry(|r| r.set_features(sb, fstype, features))
}

/// `zcvfs_sb_clear_features`.
pub(crate) fn sb_clear_features(sb: usize, features: u64) -> Result {
    update_registry(|r| r.clear_features(sb, features))
}

/// `vfs_has_feature` (read under RCU).
pub(crate) fn has_feature(sb: usize, feature: u64) -> bool {
    let g = rcu::read_lock();
    REGISTRY_VIEW
        .get(&g)
        .is_some_and(|r| r.has_feature(sb, feature))
}

/// `zcvfs_monitor_install`.
pub(crate) fn monitor_install(file: &File, ops: MonitorOpsRef, owner: ModulePtr) -> Result<i64> {
    let module = ModuleRef::get(owner)?;
    // Allocate first, without the ops: a failure must not release the
    // caller's data (it keeps it when the install fails, zcvfs.h).
    let mut entry = UniqueArc::new(
        MonitorEntry {
            ops: None,
            _module: module,
        },
        GFP_KERNEL,
    )?;
    entry.ops = Some(ops);
    let entry: Arc<MonitorEntry> = entry.into();
    let pin: ARef<File> = file.into();
    let inode = kf::inode_key(file);
    let (r, old, undone) = {
        let mut mons = MONITORS.lock();
        match mons.install(inode, entry.clone(), pin) {
            Ok((id, extra_pin)) => {
                match mons.view(None).and_then(|v| Ok(KBox::new(v, GFP_KERNEL)?)) {
                    Ok(view) => {
                        let old = MONITOR_VIEW.replace(Some(view));
                        // After the view: a reader that sees the count
                        // sees the view.
                        MONITORED_INODES.store(mons.stacks(), Release);
                        (Ok((id, extra_pin)), old, None)
                    }
                    // Readers cannot see it yet: take it out again.
                    Err(e) => (Err(e), None, mons.uninstall(inode, id).ok()),
                }
            }
            Err(e) => (Err(e), None, None),
        }
    };
    // Released outside the lock.
    drop(old);
    drop(undone);
    match r {
        Ok((id, extra_pin)) => {
            drop(extra_pin);
            Ok(id)
        }
        Err(e) => {
            // Not installed: give the data back to the caller unreleased.
            if let Some(mut entry) = Arc::into_unique_or_drop(entry) {
                forget_release(&mut entry);
            }
            Err(e)
        }
    }
}

fn forget_release(entry: &mut MonitorEntry) {
    // The caller of a failed install keeps its data: no release.
    entry.ops = None;
}

/// `zcvfs_monitor_uninstall`.
pub(crate) fn monitor_uninstall(file: &File, id: i64) -> Result {
    let inode = kf::inode_key(file);
    let (removed, old) = {
        let mut mons = MONITORS.lock();
        // The readers' view without it first (the only step that can fail
        // for want of memory), then the writers' table.
        let view = KBox::new(mons.view(Some((inode, id)))?, GFP_KERNEL)?;
        let removed = mons.uninstall(inode, id)?;
        let old = MONITOR_VIEW.replace(Some(view));
        MONITORED_INODES.store(mons.stacks(), Release);
        (removed, old)
    };
    // The monitor is released (and the pin dropped) outside the lock, once
    // no new chain can find it (a chain already running keeps it).
    drop(old);
    drop(removed);
    Ok(())
}

/// Module exit: nothing may be left; report and release what is.
pub(crate) fn shutdown() {
    if let Some(loans) = globals::take_loans() {
        if loans.len() > 0 {
            pr_err!("zcvfs: {} loans outstanding at unload\n", loans.len());
        }
        // Dropping the table releases what is left.
        drop(loans);
    }
    MONITORED_INODES.store(0, Release);
    drop(MONITOR_VIEW.replace(None));
    let n = MONITORS.lock().drain();
    if n > 0 {
        pr_err!("zcvfs: {} monitor stacks installed at unload\n", n);
    }
    drop(REGISTRY_VIEW.replace(None));
    REGISTRY.lock().clear();
    STATS.lock().clear();
    xuio_alloc::drain();
}

/// The `enum zcvfs_fem_op` values.
const ZCVFS_FEM_READ: u32 = 0;
const ZCVFS_FEM_WRITE: u32 = 1;
const ZCVFS_FEM_REQZCBUF: u32 = 2;
const ZCVFS_FEM_RETZCBUF: u32 = 3;
const ZCVFS_FEM_TRUNCATE: u32 = 4;
