// SPDX-License-Identifier: GPL-2.0

//! The C entry points of zcvfs.ko, declared for Rust, and the few raw
//! pointer conversions the safe API needs. Thin: no logic.

use super::fop::{FsType, SuperBlock};
use super::xuio::Xuio;
use super::xuio_raw::*;
use core::marker::PhantomData;
use kernel::bindings;
use kernel::error::to_result;
use kernel::ffi::{c_int, c_void};
use kernel::fs::File;
use kernel::prelude::*;

// Pointers to opaque kernel structures: some bindgen types contain
// zero-length arrays, which the lint flags although only pointers cross.
#[allow(improper_ctypes)]
extern "C" {
    fn fop_reqzcbuf(
        file: *mut bindings::file,
        rw: u32,
        xuio: *mut RawXuio,
        ct: *const RawCallerContext,
    ) -> c_int;
    fn fop_retzcbuf(
        file: *mut bindings::file,
        xuio: *mut RawXuio,
        ct: *const RawCallerContext,
    ) -> c_int;
    fn fop_read_xuio(
        file: *mut bindings::file,
        xuio: *mut RawXuio,
        ct: *const RawCallerContext,
    ) -> isize;
    fn fop_write_xuio(
        file: *mut bindings::file,
        xuio: *mut RawXuio,
        ct: *const RawCallerContext,
    ) -> isize;
    fn fop_truncate(file: *mut bindings::file, length: i64, ct: *const RawCallerContext) -> c_int;
    fn vfs_has_feature(sb: *mut bindings::super_block, feature: u64) -> c_int;
    fn zcvfs_sb_set_features(sb: *mut bindings::super_block, features: u64) -> c_int;
    fn zcvfs_sb_clear_features(sb: *mut bindings::super_block, features: u64) -> c_int;
    fn zcvfs_file_sb(file: *mut bindings::file) -> *mut bindings::super_block;
    fn zcvfs_file_fs_type(file: *mut bindings::file) -> *mut bindings::file_system_type;
    fn zcvfs_bvec_copy_from(
        segs: *const bindings::bio_vec,
        nsegs: u32,
        skip: usize,
        buf: *mut c_void,
        len: usize,
    ) -> isize;
    fn zcvfs_bvec_copy_to(
        segs: *const bindings::bio_vec,
        nsegs: u32,
        skip: usize,
        buf: *const c_void,
        len: usize,
    ) -> isize;
}

fn ct_ptr(ct: Option<&RawCallerContext>) -> *const RawCallerContext {
    ct.map_or(core::ptr::null(), core::ptr::from_ref)
}

fn to_isize(r: isize) -> Result<usize> {
    if r < 0 {
        // Errno values fit in an i32.
        Err(Error::from_errno(r as i32))
    } else {
        Ok(r as usize)
    }
}

/// `fop_reqzcbuf`.
pub(super) fn reqzcbuf(
    file: &File,
    rw: u32,
    xuio: *mut RawXuio,
    ct: Option<&RawCallerContext>,
) -> Result {
    // SAFETY: `file` is a live file for the duration of the call; `xuio`
    // points to a live, exclusively borrowed `RawXuio` owned by an `Xuio`
    // (callers pass `Xuio::as_raw_mut`); `ct` is null or valid. zcvfs checks
    // every field of the xuio itself.
    to_result(unsafe { fop_reqzcbuf(file.as_ptr(), rw, xuio, ct_ptr(ct)) })
}

/// `fop_retzcbuf`.
pub(super) fn retzcbuf(file: &File, xuio: *mut RawXuio, ct: Option<&RawCallerContext>) -> Result {
    // SAFETY: as in `reqzcbuf`.
    to_result(unsafe { fop_retzcbuf(file.as_ptr(), xuio, ct_ptr(ct)) })
}

/// `fop_read_xuio`.
pub(super) fn read_xuio(
    file: &File,
    xuio: *mut RawXuio,
    ct: Option<&RawCallerContext>,
) -> Result<usize> {
    // SAFETY: as in `reqzcbuf`; a plain xuio passed here has segments that
    // live at least as long as the call (see `fop::read_plain`).
    to_isize(unsafe { fop_read_xuio(file.as_ptr(), xuio, ct_ptr(ct)) })
}

/// `fop_write_xuio`.
pub(super) fn write_xuio(
    file: &File,
    xuio: *mut RawXuio,
    ct: Option<&RawCallerContext>,
) -> Result<usize> {
    // SAFETY: as in `read_xuio`.
    to_isize(unsafe { fop_write_xuio(file.as_ptr(), xuio, ct_ptr(ct)) })
}

/// `fop_truncate`.
pub(super) fn truncate(file: &File, length: i64, ct: Option<&RawCallerContext>) -> Result {
    // SAFETY: `file` is live; `ct` is null or valid.
    to_result(unsafe { fop_truncate(file.as_ptr(), length, ct_ptr(ct)) })
}

/// `vfs_has_feature` on the file's super_block.
pub(super) fn file_has_feature(file: &File, feature: u64) -> bool {
    sb_has_feature(file_sb(file), feature)
}

/// The super_block of `file`, live as long as the file (which pins its
/// mount).
pub(super) fn file_sb(file: &File) -> *mut bindings::super_block {
    // SAFETY: `file` is live.
    unsafe { zcvfs_file_sb(file.as_ptr()) }
}

/// `vfs_has_feature`; `sb` is live (a [`SuperBlock`] or [`file_sb`]).
pub(super) fn sb_has_feature(sb: *mut bindings::super_block, feature: u64) -> bool {
    // SAFETY: `sb` is live (see above); zcvfs only looks up its address.
    unsafe { vfs_has_feature(sb, feature) != 0 }
}

/// `zcvfs_sb_set_features`; `sb` is live (a [`SuperBlock`] or
/// [`file_sb`]).
pub(super) fn sb_set_features(sb: *mut bindings::super_block, features: u64) -> Result {
    // SAFETY: `sb` is live (see above).
    to_result(unsafe { zcvfs_sb_set_features(sb, features) })
}

/// `zcvfs_sb_clear_features`; `sb` is live (a [`SuperBlock`] or
/// [`file_sb`]).
pub(super) fn sb_clear_features(sb: *mut bindings::super_block, features: u64) -> Result {
    // SAFETY: `sb` is live (see above); zcvfs only uses its address.
    to_result(unsafe { zcvfs_sb_clear_features(sb, features) })
}

impl FsType {
    /// The token of a filesystem type the calling module defines, for
    /// [`super::provider::Registration::register`].
    ///
    /// # Safety
    ///
    /// `ptr` points to a `struct file_system_type` that stays valid at its
    /// address for as long as the token, its copies and every registration
    /// made with it are used: in practice a `static` of the calling
    /// module, whose registrations end before the module is unloaded.
    pub unsafe fn from_raw(ptr: *mut bindings::file_system_type) -> Self {
        FsType(ptr)
    }
}

impl<'a> SuperBlock<'a> {
    /// The super_block at `ptr`, for its filesystem's `fill_super` or
    /// `kill_sb`.
    ///
    /// # Safety
    ///
    /// `ptr` points to a live `struct super_block` for the whole lifetime
    /// `'a` (the caller is the filesystem mounting or tearing it down).
    pub unsafe fn from_raw(ptr: *mut bindings::super_block) -> Self {
        SuperBlock {
            ptr,
            _life: PhantomData,
        }
    }
}

/// The file's filesystem type.
pub(super) fn file_fs_type(file: &File) -> *mut bindings::file_system_type {
    // SAFETY: `file` is live.
    unsafe { zcvfs_file_fs_type(file.as_ptr()) }
}

/// The loaned segments of `x`, if the protocol state allows access.
pub(super) fn loaned_segments(x: &Xuio) -> Result<&[bindings::bio_vec]> {
    if !x.segments_accessible() {
        return Err(EINVAL);
    }
    let raw = x.raw();
    let n = raw.xu_uio.uio_iovcnt as usize;
    let p = raw.xu_uio.uio_segs as *const bindings::bio_vec;
    if n == 0 || p.is_null() {
        return Ok(&[]);
    }
    // SAFETY: by the `Xuio` invariant only zcvfs set `uio_segs` and
    // `uio_iovcnt`, from the provider's loan, and the state (checked above)
    // says the loan is live and its segments are published. The loan stays
    // allocated until `fop_retzcbuf`, which needs `&mut` of the `Xuio`, so
    // not while this shared borrow lives.
    Ok(unsafe { core::slice::from_raw_parts(p, n) })
}

/// Copy from segments into `buf`, skipping `skip` bytes of the segments.
pub(super) fn copy_from_segments(
    segs: &[bindings::bio_vec],
    skip: usize,
    buf: &mut [u8],
) -> Result<usize> {
    let n = u32::try_from(segs.len())?;
    // SAFETY: `segs` are valid loaned segments (callers get them from
    // `loaned_segments`), `buf` is valid for writes of its length; the
    // helper never goes beyond either.
    to_isize(unsafe {
        zcvfs_bvec_copy_from(segs.as_ptr(), n, skip, buf.as_mut_ptr().cast(), buf.len())
    })
}

/// Copy `buf` into segments, skipping `skip` bytes of the segments.
pub(super) fn copy_to_segments(
    segs: &[bindings::bio_vec],
    skip: usize,
    buf: &[u8],
) -> Result<usize> {
    let n = u32::try_from(segs.len())?;
    // SAFETY: as in `copy_from_segments`; writing into the pages of a WRITE
    // loan is what the loan is for.
    to_isize(unsafe { zcvfs_bvec_copy_to(segs.as_ptr(), n, skip, buf.as_ptr().cast(), buf.len()) })
}

/// A plain read into `buf`, as one kernel-buffer segment.
pub(super) fn plain_read(
    file: &File,
    offset: i64,
    buf: &mut [u8],
    ct: Option<&RawCallerContext>,
) -> Result<usize> {
    plain_rw(file, false, offset, buf.as_mut_ptr(), buf.len(), ct)
}

/// A plain write of `buf`, as one kernel-buffer segment.
pub(super) fn plain_write(
    file: &File,
    offset: i64,
    buf: &[u8],
    ct: Option<&RawCallerContext>,
) -> Result<usize> {
    // The write path only reads through the pointer.
    plain_rw(file, true, offset, buf.as_ptr().cast_mut(), buf.len(), ct)
}

/// `buf` must be valid for `len` bytes (reads, and writes if `!write`) for
/// the duration of the call: the two callers above pass a slice.
fn plain_rw(
    file: &File,
    write: bool,
    offset: i64,
    buf: *mut u8,
    len: usize,
    ct: Option<&RawCallerContext>,
) -> Result<usize> {
    let mut kv = bindings::kvec {
        iov_base: buf.cast(),
        iov_len: len,
    };
    let segs = Segs {
        ptr: (&raw mut kv).cast(),
        count: 1,
        flag: UIO_SEG_KVEC,
    };
    plain_xuio_rw(file, write, offset, segs, len, ct)
}

/// The segments of a plain xuio: `count` `struct kvec` or `struct bio_vec`
/// (`flag`) at `ptr`.
struct Segs {
    ptr: *mut c_void,
    count: u32,
    flag: u32,
}

/// A read or write with a plain xuio over `segs`, which describe at least
/// `len` bytes of memory valid for the call.
fn plain_xuio_rw(
    file: &File,
    write: bool,
    offset: i64,
    segs: Segs,
    len: usize,
    ct: Option<&RawCallerContext>,
) -> Result<usize> {
    let mut x = RawXuio::zeroed();
    x.xu_uio.uio_segs = segs.ptr;
    x.xu_uio.uio_iovcnt = segs.count;
    x.xu_uio.uio_segflg = segs.flag;
    x.xu_uio.uio_loffset = offset;
    x.xu_uio.uio_resid = i64::try_from(len)?;
    if write {
        write_xuio(file, &raw mut x, ct)
    } else {
        read_xuio(file, &raw mut x, ct)
    }
}

// SAFETY: a `CallerContext` only holds a pointer to a `'static` string and
// an integer; its data pointer is always null (see `CallerContext::new`).
unsafe impl Send for super::fop::CallerContext {}
// SAFETY: as above; it is never written through.
unsafe impl Sync for super::fop::CallerContext {}
// SAFETY: a filesystem type is a static, shared object, internally locked.
unsafe impl Send for super::fop::FsType {}
// SAFETY: as above.
unsafe impl Sync for super::fop::FsType {}

/// A plain read or write over owned pages described by `segs`, which cover
/// at least `len` bytes (see `fop::PageBuf`).
pub(super) fn plain_bvec_rw(
    file: &File,
    write: bool,
    offset: i64,
    segs: &[bindings::bio_vec],
    len: usize,
    ct: Option<&RawCallerContext>,
) -> Result<usize> {
    // The segments are only read (as the description of the pages), also
    // for a read: the data goes into the pages.
    let segs = Segs {
        ptr: segs.as_ptr().cast_mut().cast(),
        count: u32::try_from(segs.len())?,
        flag: UIO_SEG_BVEC,
    };
    plain_xuio_rw(file, write, offset, segs, len, ct)
}
// SAFETY: an `Xuio` owns its structure; the pointers in it (loaned
// segments, provider handle) refer to memory owned by the loan, not to the
// thread, and zcvfs serialises the calls on it.
unsafe impl Send for super::xuio::Xuio {}
// SAFETY: shared access only reads the structure.
unsafe impl Sync for super::xuio::Xuio {}
