// SPDX-License-Identifier: GPL-2.0

//! Safe calls of the VOP entry points on an owned [`Xuio`].
//!
//! These are the C ABI's semantics, one call per function: zcvfs checks the
//! protocol and answers misuse (a second return, a write after the return, a
//! read of a WRITE loan, ...) with an errno. Consumers should prefer
//! [`super::consumer`], where the protocol is enforced by ownership.

use super::bindings::*;
#[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
use super::error::from_ssize;
use super::error::to_result;
#[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
use super::xuio::WritableSegments;
#[cfg(zcvfs_test_api)]
use super::xuio::{copy_from_segments, copy_to_segments, Segment};
#[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
use super::xuio::{Rw, Xuio};
#[cfg(zcvfs_role_provider)]
use core::marker::PhantomData;
use kernel::bindings;
#[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
use kernel::ffi::c_void;
#[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
use kernel::fs::File;
use kernel::prelude::*;

#[cfg(any(zcvfs_role_provider, zcvfs_test_api))]
pub(crate) use super::bindings::VFSFT_ZEROCOPY_SUPPORTED;

/// Identifies the caller to file event monitors
/// (`struct zcvfs_caller_context`).
#[derive(Clone, Copy)]
#[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
pub(crate) struct CallerContext {
    raw: RawCallerContext,
}

#[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
impl CallerContext {
    /// A context with a static name and an id.
    #[cfg(zcvfs_test_api)]
    pub(crate) const fn new(name: &'static CStr, id: u64) -> Self {
        CallerContext {
            raw: RawCallerContext {
                cc_name: name.to_bytes_with_nul().as_ptr().cast(),
                cc_id: id,
                cc_data: core::ptr::null_mut(),
            },
        }
    }

    #[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
    fn raw(ct: Option<&CallerContext>) -> Option<&RawCallerContext> {
        ct.map(|c| &c.raw)
    }
}

/// `VOP_REQZCBUF`: ask the file's filesystem to loan buffers for
/// `xuio.resid()` bytes at `xuio.loffset()`.
#[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
pub(crate) fn reqzcbuf(file: &File, rw: Rw, xuio: &mut Xuio, ct: Option<&CallerContext>) -> Result {
    raw_reqzcbuf(file, rw.raw(), xuio.as_raw_mut(), CallerContext::raw(ct))?;
    xuio.reset_fill();
    Ok(())
}

/// `VOP_RETZCBUF`: return every buffer loaned through `xuio` (consumers
/// return through [`Loan`]'s drop).
#[cfg(zcvfs_test_api)]
pub(crate) fn retzcbuf(file: &File, xuio: &mut Xuio, ct: Option<&CallerContext>) -> Result {
    raw_retzcbuf(file, xuio.as_raw_mut(), CallerContext::raw(ct))
}

/// `VOP_READ` with a zero-copy xuio.
#[cfg(zcvfs_test_api)]
pub(crate) fn read_xuio(file: &File, xuio: &mut Xuio, ct: Option<&CallerContext>) -> Result<usize> {
    raw_read_xuio(file, xuio.as_raw_mut(), CallerContext::raw(ct))
}

/// `VOP_WRITE` with a zero-copy xuio. The bytes of a WRITE loan that the
/// consumer did not fill are zeroed first (see
/// [`super::xuio::WritableSegments`]).
#[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
pub(crate) fn write_xuio(
    file: &File,
    xuio: &mut Xuio,
    ct: Option<&CallerContext>,
) -> Result<usize> {
    xuio.zero_unfilled()?;
    raw_write_xuio(file, xuio.as_raw_mut(), CallerContext::raw(ct))
}

/// A loan: its xuio and its file, returned on drop (exactly one
/// `fop_retzcbuf`). zcvfs holds a reference on the file of a loan until its
/// return has completed (`include/zcvfs/zcvfs.h`), so the loan takes none
/// of its own. The protocol's states are [`super::consumer`]'s.
///
/// # Invariants
///
/// `xuio` had a successful `fop_reqzcbuf` on the file `file` and has not
/// been returned: only `drop` returns it (no `&mut Xuio` is handed out, so
/// nothing else can call `fop_retzcbuf` on it). Hence zcvfs holds a
/// reference on `file` for as long as this value exists.
#[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
pub(crate) struct Loan {
    file: core::ptr::NonNull<bindings::file>,
    xuio: Xuio,
    ct: Option<&'static CallerContext>,
}

#[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
impl Loan {
    /// `VOP_REQZCBUF` for `len` bytes at `offset` (`-1`: anonymous WRITE
    /// buffers).
    pub(crate) fn request(
        file: &File,
        rw: Rw,
        offset: i64,
        len: usize,
        ct: Option<&'static CallerContext>,
    ) -> Result<Loan> {
        Loan::make(file, offset, len, ct, |x| reqzcbuf(file, rw, x, ct)).map(|(loan, ())| loan)
    }

    /// `VOP_REQZCBUF` for a READ of `len` bytes at `offset` and
    /// `VOP_READ` of the loan, in one call (`fop_reqzcbuf_read`); returns
    /// the loan, filled, and the bytes read. On failure nothing is out.
    pub(crate) fn request_read(
        file: &File,
        offset: i64,
        len: usize,
        ct: Option<&'static CallerContext>,
    ) -> Result<(Loan, usize)> {
        Loan::make(file, offset, len, ct, |x| {
            raw_reqzcbuf_read(file, x.as_raw_mut(), CallerContext::raw(ct))
        })
    }

    /// A fresh xuio for `len` bytes at `offset`, handed to `request` (a
    /// call of zcvfs that makes a loan through it on `file`); on success,
    /// the loan and what `request` returned.
    fn make<R>(
        file: &File,
        offset: i64,
        len: usize,
        ct: Option<&'static CallerContext>,
        request: impl FnOnce(&mut Xuio) -> Result<R>,
    ) -> Result<(Loan, R)> {
        let mut xuio = Xuio::new_request(offset, i64::try_from(len).map_err(|_| EOVERFLOW)?)?;
        let r = request(&mut xuio)?;
        // INVARIANT: the request succeeded; zcvfs now holds a reference on
        // `file` until the return.
        let loan = Loan {
            file: core::ptr::NonNull::from(file).cast(),
            xuio,
            ct,
        };
        Ok((loan, r))
    }

    /// The loan's file and its xuio.
    fn parts(&mut self) -> (&File, &mut Xuio) {
        // SAFETY: zcvfs holds a reference on the file while the loan is
        // out, which it is for as long as `self` exists (type invariant).
        let file = unsafe { File::from_raw_file(self.file.as_ptr()) };
        (file, &mut self.xuio)
    }

    /// The xuio (its loaned segments, when the protocol allows).
    pub(crate) fn xuio(&self) -> &Xuio {
        &self.xuio
    }

    /// `VOP_READ` with the loan.
    #[cfg(zcvfs_test_api)]
    pub(crate) fn read(&mut self) -> Result<usize> {
        let ct = self.ct;
        let (file, xuio) = self.parts();
        read_xuio(file, xuio, ct)
    }

    /// `VOP_WRITE` with the loan (what the consumer did not fill zeroed
    /// first).
    pub(crate) fn write(&mut self) -> Result<usize> {
        let ct = self.ct;
        let (file, xuio) = self.parts();
        write_xuio(file, xuio, ct)
    }

    /// The segments of a WRITE loan to fill (see
    /// [`Xuio::segments_mut`]).
    pub(crate) fn segments_mut(&mut self) -> Result<WritableSegments<'_>> {
        self.xuio.segments_mut()
    }

    /// Set the file offset of anonymous WRITE buffers.
    #[cfg(zcvfs_test_api)]
    pub(crate) fn set_loffset(&mut self, offset: i64) {
        self.xuio.set_loffset(offset);
    }
}

#[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
impl Drop for Loan {
    fn drop(&mut self) {
        // The only return of this loan: `Loan` is not `Clone` and `drop`
        // runs once. No `&File` here: the loan's reference, which zcvfs
        // drops at the end of the call, may be the file's last one.
        let ct = ct_ptr(CallerContext::raw(self.ct));
        let xuio = self.xuio.as_raw_mut();
        // SAFETY: the file is valid for the call: zcvfs holds the loan's
        // reference on it (type invariant) until the call has completed;
        // `xuio` points to the loan's `RawXuio`, exclusively borrowed; `ct`
        // is null or valid.
        if let Err(e) = to_result(unsafe { fop_retzcbuf(self.file.as_ptr(), xuio, ct) }) {
            pr_warn!("zcvfs: return of a loan failed: {:?}\n", e);
        }
    }
}

// SAFETY: the file pointer is only an identity the loan's reference keeps
// valid (any thread may use a file it has a reference on); the rest is
// `Send`.
#[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
unsafe impl Send for Loan {}
// SAFETY: shared access reads the xuio only (`Xuio` is `Sync`).
#[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
unsafe impl Sync for Loan {}

/// `VOP_READ` with a plain xuio over `buf` (the normal VFS path).
#[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
pub(crate) fn read_plain(
    file: &File,
    offset: i64,
    buf: &mut [u8],
    ct: Option<&CallerContext>,
) -> Result<usize> {
    plain_read(file, offset, buf, CallerContext::raw(ct))
}

/// `VOP_WRITE` with a plain xuio over `buf` (the normal VFS path).
#[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
pub(crate) fn write_plain(
    file: &File,
    offset: i64,
    buf: &[u8],
    ct: Option<&CallerContext>,
) -> Result<usize> {
    plain_write(file, offset, buf, CallerContext::raw(ct))
}

/// Truncate the file to `length` through its monitors (`VOP_SETATTR` of
/// the size).
#[cfg(zcvfs_test_api)]
pub(crate) fn truncate(file: &File, length: i64, ct: Option<&CallerContext>) -> Result {
    raw_truncate(file, length, CallerContext::raw(ct))
}

/// `vfs_has_feature(VFSFT_ZEROCOPY_SUPPORTED)` for the file's filesystem.
#[cfg(zcvfs_test_api)]
pub(crate) fn zerocopy_supported(file: &File) -> bool {
    file_has_feature(file, VFSFT_ZEROCOPY_SUPPORTED)
}

/// Set features on the super_block of `file`.
#[cfg(zcvfs_test_api)]
pub(crate) fn sb_set_features(file: &File, features: u64) -> Result {
    raw_sb_set_features(file_sb(file), features)
}

/// Clear features on the super_block of `file`.
#[cfg(zcvfs_test_api)]
pub(crate) fn sb_clear_features(file: &File, features: u64) -> Result {
    raw_sb_clear_features(file_sb(file), features)
}

/// The filesystem type of `file`, as an opaque token for registration.
#[cfg(zcvfs_test_api)]
pub(crate) fn fs_type_of(file: &File) -> FsType {
    FsType(file_fs_type(file))
}

/// A filesystem type (`struct file_system_type`), as a token for
/// [`super::provider::Registration`] and comparisons.
///
/// Made from a file ([`fs_type_of`]) or, by the filesystem that defines
/// the type, with `FsType::from_raw` (in `this file`, with its safety
/// contract).
///
/// # Invariants
///
/// Points to a `struct file_system_type` that stays at its address while
/// the token (or a registration made with it) is used: the type of a live
/// file, or a `static` of the module that defines it, which outlives the
/// module's own registrations.
#[derive(Clone, Copy, PartialEq, Eq)]
#[cfg(any(zcvfs_role_provider, zcvfs_test_api))]
pub(crate) struct FsType(pub(super) *mut bindings::file_system_type);

/// A super_block, as its filesystem sees it while mounting or tearing it
/// down (`fill_super`, `kill_sb`): what a provider sets
/// `VFSFT_ZEROCOPY_SUPPORTED` on, and clears it from before the
/// super_block goes away.
///
/// Made with `SuperBlock::from_raw` (in `this file`, with its safety
/// contract).
///
/// # Invariants
///
/// Points to a live `struct super_block` for the lifetime `'a`.
#[derive(Clone, Copy)]
#[cfg(zcvfs_role_provider)]
pub(crate) struct SuperBlock<'a> {
    pub(super) ptr: *mut bindings::super_block,
    pub(super) _life: PhantomData<&'a bindings::super_block>,
}

#[cfg(zcvfs_role_provider)]
impl SuperBlock<'_> {
    /// `zcvfs_sb_set_features`: offer `features` (a provider, at mount;
    /// its type must be registered with [`super::provider::Registration`]
    /// first for zero-copy requests to reach it).
    pub(crate) fn set_features(&self, features: u64) -> Result {
        raw_sb_set_features(self.ptr, features)
    }

    /// `zcvfs_sb_clear_features`: withdraw `features` (at the latest in
    /// `kill_sb`, before the super_block is freed).
    pub(crate) fn clear_features(&self, features: u64) -> Result {
        raw_sb_clear_features(self.ptr, features)
    }
}

/// Kernel pages described as segments: a plain xuio over pages.
///
/// # Invariants
///
/// `segs[i]` describes the first bytes of `pages[i]`, which this value owns
/// and has not shared.
#[cfg(zcvfs_test_api)]
pub(crate) struct PageBuf {
    // Before `pages`: the segments are dropped before the pages they
    // describe.
    segs: KVec<Segment>,
    _pages: KVec<kernel::page::Page>,
    len: usize,
}

#[cfg(zcvfs_test_api)]
impl PageBuf {
    /// Zeroed pages covering `len` bytes (to read into: what a short read
    /// leaves is zero).
    pub(crate) fn new(len: usize) -> Result<Self> {
        Self::alloc(len, true)
    }

    /// Pages holding a copy of `data` (to write from). The pages are not
    /// zeroed first, the copy overwrites them; only the part of the last
    /// page after the data, which no segment covers, is zeroed.
    pub(crate) fn from_data(data: &[u8]) -> Result<Self> {
        let mut pb = Self::alloc(data.len(), false)?;
        pb.copy_in(data)?;
        Ok(pb)
    }

    fn alloc(len: usize, zero: bool) -> Result<Self> {
        let psize = kernel::page::PAGE_SIZE;
        let n = len.div_ceil(psize);
        let mut pages = KVec::with_capacity(n, GFP_KERNEL)?;
        let mut segs = KVec::with_capacity(n, GFP_KERNEL)?;
        let mut left = len;
        let flags = if zero {
            GFP_KERNEL | __GFP_ZERO
        } else {
            GFP_KERNEL
        };
        for _ in 0..n {
            let page = kernel::page::Page::alloc_page(flags)?;
            let this = left.min(psize);
            if !zero && this < psize {
                // SAFETY: the page was just allocated and is not shared.
                unsafe { page.fill_zero_raw(this, psize - this)? };
            }
            // SAFETY: `pages` keeps the page as long as `segs` (invariant).
            segs.push(unsafe { Segment::from_page(&page, 0, this)? }, GFP_KERNEL)?;
            pages.push(page, GFP_KERNEL)?;
            left -= this;
        }
        Ok(PageBuf {
            segs,
            _pages: pages,
            len,
        })
    }

    /// The pages to fill.
    pub(crate) fn segments_mut(&mut self) -> WritableSegments<'_> {
        // SAFETY: the pages are this value's and unshared (invariant);
        // `&mut self` keeps every other use out for `'_`.
        unsafe { WritableSegments::new(&self.segs) }
    }

    /// Copy `data` in at the start.
    pub(crate) fn copy_in(&mut self, data: &[u8]) -> Result<usize> {
        copy_to_segments(self.segments_mut(), 0, data)
    }

    /// Copy out from the start into `buf`.
    pub(crate) fn copy_out(&self, buf: &mut [u8]) -> Result<usize> {
        copy_from_segments(&self.segs, 0, buf)
    }
}

/// `VOP_READ` with a plain xuio over pages (`UIO_SEG_BVEC`).
#[cfg(zcvfs_test_api)]
pub(crate) fn read_plain_pages(
    file: &File,
    offset: i64,
    buf: &mut PageBuf,
    ct: Option<&CallerContext>,
) -> Result<usize> {
    plain_bvec_rw(
        file,
        false,
        offset,
        &buf.segs,
        buf.len,
        CallerContext::raw(ct),
    )
}

/// `VOP_WRITE` with a plain xuio over pages (`UIO_SEG_BVEC`).
#[cfg(zcvfs_test_api)]
pub(crate) fn write_plain_pages(
    file: &File,
    offset: i64,
    buf: &PageBuf,
    ct: Option<&CallerContext>,
) -> Result<usize> {
    plain_bvec_rw(
        file,
        true,
        offset,
        &buf.segs,
        buf.len,
        CallerContext::raw(ct),
    )
}

/// `VOP_REQZCBUF` with a direction given as its C value, valid or not: for
/// tests of zcvfs's argument checking.
#[cfg(zcvfs_test_api)]
pub(crate) fn reqzcbuf_rw_value(
    file: &File,
    rw: u32,
    xuio: &mut Xuio,
    ct: Option<&CallerContext>,
) -> Result {
    raw_reqzcbuf(file, rw, xuio.as_raw_mut(), CallerContext::raw(ct))?;
    xuio.reset_fill();
    Ok(())
}

#[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
fn ct_ptr(ct: Option<&RawCallerContext>) -> *const RawCallerContext {
    ct.map_or(core::ptr::null(), core::ptr::from_ref)
}

/// `fop_reqzcbuf`.
#[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
fn raw_reqzcbuf(file: &File, rw: u32, xuio: *mut RawXuio, ct: Option<&RawCallerContext>) -> Result {
    // SAFETY: `file` is a live file for the duration of the call; `xuio`
    // points to a live, exclusively borrowed `RawXuio` owned by an `Xuio`
    // (callers pass `Xuio::as_raw_mut`); `ct` is null or valid. zcvfs checks
    // every field of the xuio itself.
    to_result(unsafe { fop_reqzcbuf(file.as_ptr(), rw, xuio, ct_ptr(ct)) })
}

/// `fop_retzcbuf`.
#[cfg(zcvfs_test_api)]
fn raw_retzcbuf(file: &File, xuio: *mut RawXuio, ct: Option<&RawCallerContext>) -> Result {
    // SAFETY: as in `reqzcbuf`.
    to_result(unsafe { fop_retzcbuf(file.as_ptr(), xuio, ct_ptr(ct)) })
}

/// `fop_read_xuio`.
#[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
fn raw_read_xuio(file: &File, xuio: *mut RawXuio, ct: Option<&RawCallerContext>) -> Result<usize> {
    // SAFETY: as in `reqzcbuf`; a plain xuio passed here has segments that
    // live at least as long as the call (see `read_plain`).
    from_ssize(unsafe { fop_read_xuio(file.as_ptr(), xuio, ct_ptr(ct)) })
}

/// `fop_reqzcbuf_read`.
#[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
fn raw_reqzcbuf_read(
    file: &File,
    xuio: *mut RawXuio,
    ct: Option<&RawCallerContext>,
) -> Result<usize> {
    // SAFETY: as in `reqzcbuf`.
    from_ssize(unsafe { fop_reqzcbuf_read(file.as_ptr(), xuio, ct_ptr(ct)) })
}

/// `fop_write_xuio`.
#[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
fn raw_write_xuio(file: &File, xuio: *mut RawXuio, ct: Option<&RawCallerContext>) -> Result<usize> {
    // SAFETY: as in `read_xuio`.
    from_ssize(unsafe { fop_write_xuio(file.as_ptr(), xuio, ct_ptr(ct)) })
}

/// `fop_truncate`.
#[cfg(zcvfs_test_api)]
fn raw_truncate(file: &File, length: i64, ct: Option<&RawCallerContext>) -> Result {
    // SAFETY: `file` is live; `ct` is null or valid.
    to_result(unsafe { fop_truncate(file.as_ptr(), length, ct_ptr(ct)) })
}

/// `vfs_has_feature` on the file's super_block.
#[cfg(zcvfs_test_api)]
fn file_has_feature(file: &File, feature: u64) -> bool {
    sb_has_feature(file_sb(file), feature)
}

/// The super_block of `file`, live as long as the file (which pins its
/// mount).
#[cfg(zcvfs_test_api)]
fn file_sb(file: &File) -> *mut bindings::super_block {
    // SAFETY: `file` is live, and so is its inode; `f_inode` and `i_sb`
    // never change (`file_inode(file)->i_sb`).
    unsafe { (*(*file.as_ptr()).f_inode).i_sb }
}

/// `vfs_has_feature`; `sb` is live (a [`SuperBlock`] or [`file_sb`]).
#[cfg(zcvfs_test_api)]
fn sb_has_feature(sb: *mut bindings::super_block, feature: u64) -> bool {
    // SAFETY: `sb` is live (see above); zcvfs only looks up its address.
    unsafe { vfs_has_feature(sb, feature) != 0 }
}

/// `zcvfs_sb_set_features`; `sb` is live (a [`SuperBlock`] or
/// [`file_sb`]).
#[cfg(any(zcvfs_role_provider, zcvfs_test_api))]
fn raw_sb_set_features(sb: *mut bindings::super_block, features: u64) -> Result {
    // SAFETY: `sb` is live (see above).
    to_result(unsafe { zcvfs_sb_set_features(sb, features) })
}

/// `zcvfs_sb_clear_features`; `sb` is live (a [`SuperBlock`] or
/// [`file_sb`]).
#[cfg(any(zcvfs_role_provider, zcvfs_test_api))]
fn raw_sb_clear_features(sb: *mut bindings::super_block, features: u64) -> Result {
    // SAFETY: `sb` is live (see above); zcvfs only uses its address.
    to_result(unsafe { zcvfs_sb_clear_features(sb, features) })
}

#[cfg(zcvfs_role_provider)]
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
    pub(crate) unsafe fn from_raw(ptr: *mut bindings::file_system_type) -> Self {
        FsType(ptr)
    }
}

#[cfg(zcvfs_role_provider)]
impl<'a> SuperBlock<'a> {
    /// The super_block at `ptr`, for its filesystem's `fill_super` or
    /// `kill_sb`.
    ///
    /// # Safety
    ///
    /// `ptr` points to a live `struct super_block` for the whole lifetime
    /// `'a` (the caller is the filesystem mounting or tearing it down).
    pub(crate) unsafe fn from_raw(ptr: *mut bindings::super_block) -> Self {
        SuperBlock {
            ptr,
            _life: PhantomData,
        }
    }
}

/// The file's filesystem type.
#[cfg(zcvfs_test_api)]
fn file_fs_type(file: &File) -> *mut bindings::file_system_type {
    // SAFETY: the super_block of a live file is live; `s_type` never
    // changes.
    unsafe { (*file_sb(file)).s_type }
}

/// A plain read into `buf`, as one kernel-buffer segment.
#[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
fn plain_read(
    file: &File,
    offset: i64,
    buf: &mut [u8],
    ct: Option<&RawCallerContext>,
) -> Result<usize> {
    plain_rw(file, false, offset, buf.as_mut_ptr(), buf.len(), ct)
}

/// A plain write of `buf`, as one kernel-buffer segment.
#[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
fn plain_write(
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
#[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
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
#[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
struct Segs {
    ptr: *mut c_void,
    count: u32,
    flag: u32,
}

/// A read or write with a plain xuio over `segs`, which describe at least
/// `len` bytes of memory valid for the call.
#[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
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
        raw_write_xuio(file, &raw mut x, ct)
    } else {
        raw_read_xuio(file, &raw mut x, ct)
    }
}

// SAFETY: a `CallerContext` only holds a pointer to a `'static` string and
// an integer; its data pointer is always null (see `CallerContext::new`).
#[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
unsafe impl Send for CallerContext {}
// SAFETY: as above; it is never written through.
#[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
unsafe impl Sync for CallerContext {}
// SAFETY: a filesystem type is a static, shared object, internally locked.
#[cfg(any(zcvfs_role_provider, zcvfs_test_api))]
unsafe impl Send for FsType {}
// SAFETY: as above.
#[cfg(any(zcvfs_role_provider, zcvfs_test_api))]
unsafe impl Sync for FsType {}

/// A plain read or write over owned pages described by `segs`, which cover
/// at least `len` bytes (see `fop::PageBuf`).
#[cfg(zcvfs_test_api)]
fn plain_bvec_rw(
    file: &File,
    write: bool,
    offset: i64,
    segs: &[Segment],
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
