// SPDX-License-Identifier: GPL-2.0

//! Safe wrappers around the kernel and the C helpers (`helpers/`), and the
//! calls through C function pointers (provider and monitor ops tables).
//!
//! Together with `helpers.rs`, `ffi_exports.rs` and `globals.rs` this is the
//! only place in zcvfs.ko with `unsafe` code; it holds no logic.

use crate::zcvfs_api::xuio_raw::{
    RawFemArg, RawFemFn, RawMonitorOps, RawProviderOps, RawWriteResult, RawXuio, UIO_SEG_BVEC,
};
use kernel::bindings;
use kernel::error::to_result;
use kernel::ffi::{c_char, c_int, c_uint, c_ulong, c_void};
use kernel::fs::File;
use kernel::prelude::*;

// Pointers to opaque kernel structures: some bindgen types contain
// zero-length arrays, which the lint flags although only pointers cross.
#[allow(improper_ctypes)]
extern "C" {
    fn zcvfs_helper_file_inode(file: *mut bindings::file) -> *mut bindings::inode;
    fn zcvfs_file_sb(file: *mut bindings::file) -> *mut bindings::super_block;
    fn zcvfs_file_fs_type(file: *mut bindings::file) -> *mut bindings::file_system_type;
    fn zcvfs_helper_fs_type_name(fstype: *mut bindings::file_system_type) -> *const c_char;
    fn zcvfs_helper_file_maxbytes(file: *mut bindings::file) -> i64;
    fn zcvfs_helper_file_rw_mode(file: *mut bindings::file) -> c_uint;
    fn zcvfs_helper_max_rw_count() -> usize;
    fn zcvfs_helper_fsnotify_access(file: *mut bindings::file);
    fn zcvfs_helper_fsnotify_modify(file: *mut bindings::file);
    fn zcvfs_helper_iter_rw(
        file: *mut bindings::file,
        write: c_int,
        segflg: c_uint,
        segs: *mut c_void,
        nsegs: c_ulong,
        count: usize,
        pos: *mut i64,
    ) -> isize;
    fn zcvfs_helper_truncate(file: *mut bindings::file, length: i64) -> c_int;
    fn zcvfs_helper_module_get(owner: *mut bindings::module) -> bool;
    fn zcvfs_helper_module_put(owner: *mut bindings::module);
}

fn isize_result(r: isize) -> Result<usize> {
    if r < 0 {
        // Errno values fit in an i32.
        Err(Error::from_errno(r as i32))
    } else {
        Ok(r as usize)
    }
}

/// Identity of the file's inode (its address, used as a key only).
pub(crate) fn inode_key(file: &File) -> usize {
    // SAFETY: `file` is live; `file_inode` only reads a field.
    unsafe { zcvfs_helper_file_inode(file.as_ptr()) as usize }
}

/// Identity of the file's super_block (its address, used as a key only).
pub(crate) fn sb_key(file: &File) -> usize {
    // SAFETY: `file` is live, and so are its inode and super_block.
    unsafe { zcvfs_file_sb(file.as_ptr()) as usize }
}

/// The file's filesystem type.
pub(crate) fn fs_type(file: &File) -> FsTypeRef {
    // SAFETY: `file` is live, and so are its inode, super_block and type.
    FsTypeRef(unsafe { zcvfs_file_fs_type(file.as_ptr()) })
}

/// The largest offset of the file's filesystem (`s_maxbytes`).
pub(crate) fn maxbytes(file: &File) -> i64 {
    // SAFETY: `file` is live.
    unsafe { zcvfs_helper_file_maxbytes(file.as_ptr()) }
}

/// Whether the file was opened for reading and for writing.
pub(crate) fn rw_mode(file: &File) -> (bool, bool) {
    // SAFETY: `file` is live.
    let m = unsafe { zcvfs_helper_file_rw_mode(file.as_ptr()) };
    (m & 1 != 0, m & 2 != 0)
}

/// `MAX_RW_COUNT`: the most bytes one read or write may move.
pub(crate) fn max_rw_count() -> usize {
    // SAFETY: no preconditions.
    unsafe { zcvfs_helper_max_rw_count() }
}

/// `fsnotify_access(file)`.
pub(crate) fn notify_access(file: &File) {
    // SAFETY: `file` is live.
    unsafe { zcvfs_helper_fsnotify_access(file.as_ptr()) }
}

/// `fsnotify_modify(file)`.
pub(crate) fn notify_modify(file: &File) {
    // SAFETY: `file` is live.
    unsafe { zcvfs_helper_fsnotify_modify(file.as_ptr()) }
}

/// `vfs_truncate` on the file's path.
pub(crate) fn truncate(file: &File, length: i64) -> Result {
    // SAFETY: `file` is live.
    to_result(unsafe { zcvfs_helper_truncate(file.as_ptr(), length) })
}

/// A filesystem type.
///
/// # Invariants
///
/// Points to a filesystem type that is registered while zcvfs uses it:
/// either a file of it is open (the caller holds one) or its provider
/// registration is in place.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct FsTypeRef(pub(crate) *mut bindings::file_system_type);

// SAFETY: filesystem types are shared, immutable after registration.
unsafe impl Send for FsTypeRef {}
// SAFETY: as above.
unsafe impl Sync for FsTypeRef {}

impl FsTypeRef {
    /// The address, as a key.
    pub(crate) fn key(self) -> usize {
        self.0 as usize
    }

    /// The name, e.g. `tmpfs`.
    pub(crate) fn name(self) -> &'static CStr {
        // SAFETY: a filesystem type's name is a static string (type
        // invariant: the type is registered, and its module is pinned by
        // an open file or a provider registration whose owner is it).
        unsafe { CStr::from_char_ptr(zcvfs_helper_fs_type_name(self.0)) }
    }
}

/// The segments of a plain xuio, as the caller gave them.
///
/// Returns their total length, or `EINVAL` for a null array.
pub(crate) fn plain_segments_total(x: &RawXuio) -> Result<u64> {
    let n = x.xu_uio.uio_iovcnt as usize;
    if x.xu_uio.uio_segs.is_null() {
        return Err(EINVAL);
    }
    let mut total: u64 = 0;
    if x.xu_uio.uio_segflg == UIO_SEG_BVEC {
        // SAFETY: the C caller of `fop_read_xuio`/`fop_write_xuio` passes
        // `uio_iovcnt` valid segments of the kind `uio_segflg` says
        // (include/zcvfs/zcvfs.h); `n` is bounded by `UIO_MAXSEGS`.
        let segs = unsafe {
            core::slice::from_raw_parts(x.xu_uio.uio_segs as *const bindings::bio_vec, n)
        };
        for s in segs {
            total += u64::from(s.bv_len);
        }
    } else {
        // SAFETY: as above, for `struct kvec`.
        let segs =
            unsafe { core::slice::from_raw_parts(x.xu_uio.uio_segs as *const bindings::kvec, n) };
        for s in segs {
            total = total.checked_add(s.iov_len as u64).ok_or(EINVAL)?;
        }
    }
    Ok(total)
}

/// The normal VFS path over the caller's segments of a plain xuio:
/// `count` bytes at `*pos`.
pub(crate) fn plain_rw(
    file: &File,
    write: bool,
    x: &RawXuio,
    count: usize,
    pos: &mut i64,
) -> Result<usize> {
    // SAFETY: `file` is live; the segments are the caller's, valid for the
    // call (see `plain_segments_total`), and cover at least `count` bytes
    // (checked by the caller with `plain_segments_total`).
    isize_result(unsafe {
        zcvfs_helper_iter_rw(
            file.as_ptr(),
            c_int::from(write),
            x.xu_uio.uio_segflg,
            x.xu_uio.uio_segs,
            x.xu_uio.uio_iovcnt as c_ulong,
            count,
            pos,
        )
    })
}

/// A reference on a module (`try_module_get`), dropped with `module_put`.
///
/// # Invariants
///
/// Holds one reference on `self.0` (or `self.0` is null: built-in code).
pub(crate) struct ModuleRef(*mut bindings::module);

// SAFETY: module references may be dropped from any thread.
unsafe impl Send for ModuleRef {}
// SAFETY: a `ModuleRef` has no interior state.
unsafe impl Sync for ModuleRef {}

impl ModuleRef {
    /// Take a reference, failing (`ENOENT`) if the module is going away.
    pub(crate) fn get(owner: ModulePtr) -> Result<ModuleRef> {
        // SAFETY: `owner` is null or a module that registered something
        // with zcvfs and has not unregistered it (type invariant).
        if unsafe { zcvfs_helper_module_get(owner.0) } {
            Ok(ModuleRef(owner.0))
        } else {
            Err(ENOENT)
        }
    }
}

impl Drop for ModuleRef {
    fn drop(&mut self) {
        // SAFETY: we hold a reference (type invariant).
        unsafe { zcvfs_helper_module_put(self.0) }
    }
}

/// The owner module of a registration.
///
/// # Invariants
///
/// Null or a live module, as long as its registration with zcvfs lasts.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct ModulePtr(pub(crate) *mut bindings::module);

// SAFETY: a module pointer is only an identity; see `ModuleRef`.
unsafe impl Send for ModulePtr {}
// SAFETY: as above.
unsafe impl Sync for ModulePtr {}

/// A provider's ops table.
///
/// # Invariants
///
/// Points to a `RawProviderOps` with all four operations set, that lives as
/// long as its owner module (which callers pin with a [`ModuleRef`]).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct ProviderOpsRef(*const RawProviderOps);

// SAFETY: ops tables are immutable.
unsafe impl Send for ProviderOpsRef {}
// SAFETY: as above.
unsafe impl Sync for ProviderOpsRef {}

impl ProviderOpsRef {
    /// Check and wrap a C ops table.
    pub(crate) fn new(ops: *const RawProviderOps) -> Result<Self> {
        if ops.is_null() {
            return Err(EINVAL);
        }
        // SAFETY: the provider passes a valid table it keeps for as long as
        // it is registered (include/zcvfs/zcvfs.h).
        let t = unsafe { &*ops };
        if t.reqzcbuf.is_none()
            || t.retzcbuf.is_none()
            || t.read_xuio.is_none()
            || t.write_xuio.is_none()
        {
            return Err(EINVAL);
        }
        Ok(ProviderOpsRef(ops))
    }

    fn ops(&self) -> &RawProviderOps {
        // SAFETY: valid while the owner module is pinned (type invariant).
        unsafe { &*self.0 }
    }

    /// `ops->reqzcbuf`.
    pub(crate) fn reqzcbuf(&self, file: &File, rw: u32, x: &mut RawXuio) -> Result {
        match self.ops().reqzcbuf {
            // SAFETY: `file` is live and `x` is exclusively borrowed; the
            // dispatch layer checked the request before.
            Some(f) => to_result(unsafe { f(file.as_ptr(), rw, x) }),
            None => Err(EINVAL),
        }
    }

    /// `ops->retzcbuf`.
    pub(crate) fn retzcbuf(&self, file: &File, x: &mut RawXuio) -> Result {
        match self.ops().retzcbuf {
            // SAFETY: as in `reqzcbuf`; `x` carries the loan's handle.
            Some(f) => to_result(unsafe { f(file.as_ptr(), x) }),
            None => Err(EINVAL),
        }
    }

    /// `ops->read_xuio`.
    pub(crate) fn read_xuio(&self, file: &File, x: &mut RawXuio) -> Result<usize> {
        match self.ops().read_xuio {
            // SAFETY: as in `retzcbuf`.
            Some(f) => isize_result(unsafe { f(file.as_ptr(), x) }),
            None => Err(EINVAL),
        }
    }

    /// `ops->write_xuio`.
    pub(crate) fn write_xuio(
        &self,
        file: &File,
        x: &mut RawXuio,
        res: &mut RawWriteResult,
    ) -> Result<usize> {
        match self.ops().write_xuio {
            // SAFETY: as in `retzcbuf`; `res` is exclusively borrowed.
            Some(f) => isize_result(unsafe { f(file.as_ptr(), x, res) }),
            None => Err(EINVAL),
        }
    }
}

/// A monitor's ops table and private data.
///
/// # Invariants
///
/// `ops` points to a valid table that lives as long as its owner module,
/// which the holder pins with a [`ModuleRef`]; `data` is the monitor's,
/// released with `ops.release` exactly once, by [`MonitorOpsRef::release`].
pub(crate) struct MonitorOpsRef {
    ops: *const RawMonitorOps,
    data: *mut c_void,
}

// SAFETY: monitors must be callable from any thread (zcvfs.h).
unsafe impl Send for MonitorOpsRef {}
// SAFETY: as above.
unsafe impl Sync for MonitorOpsRef {}

impl MonitorOpsRef {
    /// Wrap a C monitor table.
    pub(crate) fn new(ops: *const RawMonitorOps, data: *mut c_void) -> Result<Self> {
        if ops.is_null() {
            return Err(EINVAL);
        }
        Ok(MonitorOpsRef { ops, data })
    }

    fn ops(&self) -> &RawMonitorOps {
        // SAFETY: valid while the owner module is pinned (type invariant).
        unsafe { &*self.ops }
    }

    /// The operation for `op` (`enum zcvfs_fem_op`), if the monitor has one.
    pub(crate) fn op(&self, op: u32) -> Option<RawFemFn> {
        let t = self.ops();
        match op {
            0 => t.read,
            1 => t.write,
            2 => t.reqzcbuf,
            3 => t.retzcbuf,
            4 => t.truncate,
            _ => None,
        }
    }

    /// The monitor's private data.
    pub(crate) fn data(&self) -> *mut c_void {
        self.data
    }

    /// Release the private data (once: consumes the reference).
    pub(crate) fn release(self) {
        if let Some(f) = self.ops().release {
            // SAFETY: called once, after the last call (type invariant).
            unsafe { f(self.data) }
        }
    }
}

/// A monitor argument on the dispatcher's stack, shared with C monitors
/// through a raw pointer for the duration of one chain.
///
/// # Invariants
///
/// Points to a live `RawFemArg` for `'a`, which nothing else borrows while
/// the chain runs (the dispatcher only uses this pointer).
#[derive(Clone, Copy)]
pub(crate) struct FemArgPtr<'a>(*mut RawFemArg, core::marker::PhantomData<&'a mut RawFemArg>);

impl<'a> FemArgPtr<'a> {
    /// Share `arg` for a chain.
    pub(crate) fn new(arg: &'a mut RawFemArg) -> Self {
        FemArgPtr(arg, core::marker::PhantomData)
    }

    /// Recover the pointer a monitor passed to `zcvfs_vnext`.
    ///
    /// # Safety
    ///
    /// `arg` is the argument zcvfs passed to the calling monitor, whose
    /// chain is still running.
    pub(crate) unsafe fn from_raw(arg: *mut RawFemArg) -> Self {
        FemArgPtr(arg, core::marker::PhantomData)
    }

    /// The operation (`enum zcvfs_fem_op`).
    pub(crate) fn op(self) -> u32 {
        // SAFETY: live (type invariant); a plain read.
        unsafe { (*self.0).op }
    }

    /// The chain pointer stored in the argument.
    pub(crate) fn chain(self) -> *const c_void {
        // SAFETY: live (type invariant); a plain read.
        unsafe { (*self.0).chain }
    }

    /// Call monitor operation `f` with its private `data`.
    pub(crate) fn call(self, f: RawFemFn, data: *mut c_void) -> isize {
        // SAFETY: live and not otherwise borrowed (type invariant); the
        // monitor's module is pinned by the chain's snapshot.
        unsafe {
            (*self.0).data = data;
            f(self.0)
        }
    }
}

/// The total length of the segments a provider published in `x`.
pub(crate) fn provider_segments_total(x: &RawXuio) -> Option<u64> {
    let n = x.xu_uio.uio_iovcnt as usize;
    if x.xu_uio.uio_segflg != UIO_SEG_BVEC || n > (1 << 20) {
        return None;
    }
    if n == 0 {
        return Some(0);
    }
    if x.xu_uio.uio_segs.is_null() {
        return None;
    }
    // SAFETY: a provider that returned success published `n` bio_vecs it
    // owns until the loan's return (include/zcvfs/zcvfs.h).
    let segs =
        unsafe { core::slice::from_raw_parts(x.xu_uio.uio_segs as *const bindings::bio_vec, n) };
    Some(segs.iter().map(|s| u64::from(s.bv_len)).sum())
}

/// Recover the chain of a monitor argument.
///
/// # Safety
///
/// `p` comes from a `FemArgPtr` of a running chain of this type.
pub(crate) unsafe fn chain_of<'c, L, A>(p: *const c_void) -> &'c crate::fem::Chain<'c, L, A> {
    // SAFETY: the dispatcher stored a pointer to its chain, which lives on
    // its stack until the chain ends, after every monitor returned.
    unsafe { &*p.cast() }
}
