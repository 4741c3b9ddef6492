// SPDX-License-Identifier: GPL-2.0

//! Safe calls of the VOP entry points on an owned [`Xuio`].
//!
//! These are the C ABI's semantics, one call per function: zcvfs checks the
//! protocol and answers misuse (a second return, a write after the return, a
//! read of a WRITE loan, ...) with an errno. Consumers should prefer
//! [`super::consumer`], where the protocol is enforced by ownership.

use super::fop_ffi;
use super::xuio::{Rw, Xuio};
use super::xuio_raw::{RawCallerContext, VFSFT_ZEROCOPY_SUPPORTED};
use core::marker::PhantomData;
use kernel::bindings;
use kernel::fs::File;
use kernel::prelude::*;

/// Identifies the caller to file event monitors
/// (`struct zcvfs_caller_context`).
#[derive(Clone, Copy)]
pub struct CallerContext {
    raw: RawCallerContext,
}

impl CallerContext {
    /// A context with a static name and an id.
    pub const fn new(name: &'static CStr, id: u64) -> Self {
        CallerContext {
            raw: RawCallerContext {
                cc_name: name.to_bytes_with_nul().as_ptr().cast(),
                cc_id: id,
                cc_data: core::ptr::null_mut(),
            },
        }
    }

    pub(super) fn raw(ct: Option<&CallerContext>) -> Option<&RawCallerContext> {
        ct.map(|c| &c.raw)
    }
}

/// `VOP_REQZCBUF`: ask the file's filesystem to loan buffers for
/// `xuio.resid()` bytes at `xuio.loffset()`.
pub fn reqzcbuf(file: &File, rw: Rw, xuio: &mut Xuio, ct: Option<&CallerContext>) -> Result {
    fop_ffi::reqzcbuf(file, rw.raw(), xuio.as_raw_mut(), CallerContext::raw(ct))
}

/// `VOP_RETZCBUF`: return every buffer loaned through `xuio`.
pub fn retzcbuf(file: &File, xuio: &mut Xuio, ct: Option<&CallerContext>) -> Result {
    fop_ffi::retzcbuf(file, xuio.as_raw_mut(), CallerContext::raw(ct))
}

/// `VOP_READ` with a zero-copy xuio.
pub fn read_xuio(file: &File, xuio: &mut Xuio, ct: Option<&CallerContext>) -> Result<usize> {
    fop_ffi::read_xuio(file, xuio.as_raw_mut(), CallerContext::raw(ct))
}

/// `VOP_WRITE` with a zero-copy xuio.
pub fn write_xuio(file: &File, xuio: &mut Xuio, ct: Option<&CallerContext>) -> Result<usize> {
    fop_ffi::write_xuio(file, xuio.as_raw_mut(), CallerContext::raw(ct))
}

/// `VOP_READ` with a plain xuio over `buf` (the normal VFS path).
pub fn read_plain(
    file: &File,
    offset: i64,
    buf: &mut [u8],
    ct: Option<&CallerContext>,
) -> Result<usize> {
    fop_ffi::plain_read(file, offset, buf, CallerContext::raw(ct))
}

/// `VOP_WRITE` with a plain xuio over `buf` (the normal VFS path).
pub fn write_plain(
    file: &File,
    offset: i64,
    buf: &[u8],
    ct: Option<&CallerContext>,
) -> Result<usize> {
    fop_ffi::plain_write(file, offset, buf, CallerContext::raw(ct))
}

/// Truncate the file to `length` through its monitors (`VOP_SETATTR` of
/// the size).
pub fn truncate(file: &File, length: i64, ct: Option<&CallerContext>) -> Result {
    fop_ffi::truncate(file, length, CallerContext::raw(ct))
}

/// `vfs_has_feature(VFSFT_ZEROCOPY_SUPPORTED)` for the file's filesystem.
pub fn zerocopy_supported(file: &File) -> bool {
    fop_ffi::file_has_feature(file, VFSFT_ZEROCOPY_SUPPORTED)
}

/// Set features on the super_block of `file`.
pub fn sb_set_features(file: &File, features: u64) -> Result {
    fop_ffi::sb_set_features(fop_ffi::file_sb(file), features)
}

/// Clear features on the super_block of `file`.
pub fn sb_clear_features(file: &File, features: u64) -> Result {
    fop_ffi::sb_clear_features(fop_ffi::file_sb(file), features)
}

/// The filesystem type of `file`, as an opaque token for registration.
pub fn fs_type_of(file: &File) -> FsType {
    FsType(fop_ffi::file_fs_type(file))
}

/// A filesystem type (`struct file_system_type`), as a token for
/// [`super::provider::Registration`] and comparisons.
///
/// Made from a file ([`fs_type_of`]) or, by the filesystem that defines
/// the type, with `FsType::from_raw` (in `fop_ffi.rs`, with its safety
/// contract).
///
/// # Invariants
///
/// Points to a `struct file_system_type` that stays at its address while
/// the token (or a registration made with it) is used: the type of a live
/// file, or a `static` of the module that defines it, which outlives the
/// module's own registrations.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct FsType(pub(super) *mut bindings::file_system_type);

/// A super_block, as its filesystem sees it while mounting or tearing it
/// down (`fill_super`, `kill_sb`): what a provider sets
/// `VFSFT_ZEROCOPY_SUPPORTED` on, and clears it from before the
/// super_block goes away.
///
/// Made with `SuperBlock::from_raw` (in `fop_ffi.rs`, with its safety
/// contract).
///
/// # Invariants
///
/// Points to a live `struct super_block` for the lifetime `'a`.
#[derive(Clone, Copy)]
pub struct SuperBlock<'a> {
    pub(super) ptr: *mut bindings::super_block,
    pub(super) _life: PhantomData<&'a bindings::super_block>,
}

impl SuperBlock<'_> {
    /// `zcvfs_sb_set_features`: offer `features` (a provider, at mount;
    /// its type must be registered with [`super::provider::Registration`]
    /// first for zero-copy requests to reach it).
    pub fn set_features(&self, features: u64) -> Result {
        fop_ffi::sb_set_features(self.ptr, features)
    }

    /// `zcvfs_sb_clear_features`: withdraw `features` (at the latest in
    /// `kill_sb`, before the super_block is freed).
    pub fn clear_features(&self, features: u64) -> Result {
        fop_ffi::sb_clear_features(self.ptr, features)
    }

    /// `vfs_has_feature`.
    pub fn has_feature(&self, feature: u64) -> bool {
        fop_ffi::sb_has_feature(self.ptr, feature)
    }
}

/// Kernel pages described as `bio_vec` segments: a plain xuio over pages.
pub struct PageBuf {
    _pages: KVec<kernel::page::Page>,
    segs: KVec<bindings::bio_vec>,
    len: usize,
}

impl PageBuf {
    /// Zeroed pages covering `len` bytes.
    pub fn new(len: usize) -> Result<Self> {
        let psize = kernel::page::PAGE_SIZE;
        let n = len.div_ceil(psize);
        let mut pages = KVec::with_capacity(n, GFP_KERNEL)?;
        let mut segs = KVec::with_capacity(n, GFP_KERNEL)?;
        let mut left = len;
        for _ in 0..n {
            let page = kernel::page::Page::alloc_page(GFP_KERNEL | __GFP_ZERO)?;
            let this = left.min(psize);
            segs.push(
                bindings::bio_vec {
                    bv_page: page.as_ptr(),
                    // At most a page.
                    bv_len: this as u32,
                    bv_offset: 0,
                },
                GFP_KERNEL,
            )?;
            pages.push(page, GFP_KERNEL)?;
            left -= this;
        }
        Ok(PageBuf {
            _pages: pages,
            segs,
            len,
        })
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether it has no bytes.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Copy `data` in at the start.
    pub fn copy_in(&mut self, data: &[u8]) -> Result<usize> {
        fop_ffi::copy_to_segments(&self.segs, 0, data)
    }

    /// Copy out from the start into `buf`.
    pub fn copy_out(&self, buf: &mut [u8]) -> Result<usize> {
        fop_ffi::copy_from_segments(&self.segs, 0, buf)
    }
}

/// `VOP_READ` with a plain xuio over pages (`UIO_SEG_BVEC`).
pub fn read_plain_pages(
    file: &File,
    offset: i64,
    buf: &mut PageBuf,
    ct: Option<&CallerContext>,
) -> Result<usize> {
    fop_ffi::plain_bvec_rw(
        file,
        false,
        offset,
        &buf.segs,
        buf.len,
        CallerContext::raw(ct),
    )
}

/// `VOP_WRITE` with a plain xuio over pages (`UIO_SEG_BVEC`).
pub fn write_plain_pages(
    file: &File,
    offset: i64,
    buf: &PageBuf,
    ct: Option<&CallerContext>,
) -> Result<usize> {
    fop_ffi::plain_bvec_rw(
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
pub fn reqzcbuf_rw_value(
    file: &File,
    rw: u32,
    xuio: &mut Xuio,
    ct: Option<&CallerContext>,
) -> Result {
    fop_ffi::reqzcbuf(file, rw, xuio.as_raw_mut(), CallerContext::raw(ct))
}
