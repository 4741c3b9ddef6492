// SPDX-License-Identifier: GPL-2.0

//! The callbacks of zcfs's operation tables ([`crate::tables`]) that read and
//! change a file's data: the file, inode and VM operations of regular
//! files (`read_iter`, `write_iter`, `setattr`, `page_mkwrite`), the
//! address-space operations of every zcfs inode (`read_folio`,
//! `write_begin`, `write_end`), and the super operations `statfs` and
//! `show_options` (those of an inode's life are [`crate::inode_ops`]'s,
//! of the mount [`crate::mount`]'s, of file handles [`crate::export`]'s).
//! Each turns its raw pointers into the safe types of [`crate::inode`],
//! [`crate::folio`], [`crate::kiocb`] and [`crate::super_block`], calls
//! the logic in [`crate::rw`] (or [`crate::space`], [`crate::options`])
//! and turns the result into the C return value.

use crate::folio::{Folio, FolioGuard, FolioLock};
use crate::inode::{CacheInode, Inode};
use crate::kiocb::{IovIter, Kiocb};
use crate::options;
use crate::rw::{self, Fault};
use crate::super_block::{self, ZcfsSb};
use crate::zcvfs_api::error::to_result;
use kernel::bindings;
use kernel::ffi::{c_int, c_uint, c_void};
use kernel::prelude::*;
use kernel::seq_file::SeqFile;

// Pointers to opaque kernel structures: some bindgen types contain
// zero-length arrays, which the lint flags although only pointers cross.
#[allow(improper_ctypes)]
extern "C" {
    fn zcfs_vmf_folio(vmf: *mut bindings::vm_fault) -> *mut bindings::folio;
    fn zcfs_vmf_error(err: c_int) -> bindings::vm_fault_t;
    fn zcfs_statfs_set_blocks(buf: *mut bindings::kstatfs, blocks: u64, avail: u64);
}

/// A byte count or a negative errno, as `ssize_t`.
fn ssize(r: Result<usize>) -> isize {
    match r {
        // A call's byte count fits an isize.
        Ok(n) => n as isize,
        Err(e) => e.to_errno() as isize,
    }
}

/// 0 or a negative errno.
fn errno(r: Result) -> c_int {
    match r {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// `read_iter` of a regular file ([`rw::read_iter`]).
///
/// # Safety
///
/// The VFS's `read_iter` call on a zcfs regular file: `iocb` and `to` are
/// the call's, live and the calling thread's for the call.
pub(crate) unsafe extern "C" fn zcfs_rs_read_iter(
    iocb: *mut bindings::kiocb,
    to: *mut bindings::iov_iter,
) -> isize {
    // SAFETY: see the function's safety section; `tables::FILE_OPS` is
    // installed on zcfs regular files only.
    let (iocb, to) = unsafe { (Kiocb::from_raw(iocb), IovIter::from_raw(to)) };
    ssize(rw::read_iter(iocb, to))
}

/// `write_iter` of a regular file ([`rw::write_iter`]).
///
/// # Safety
///
/// The VFS's `write_iter` call on a zcfs regular file: `iocb` and `from`
/// are the call's, live and the calling thread's for the call.
pub(crate) unsafe extern "C" fn zcfs_rs_write_iter(
    iocb: *mut bindings::kiocb,
    from: *mut bindings::iov_iter,
) -> isize {
    // SAFETY: see the function's safety section; `tables::FILE_OPS` is
    // installed on zcfs regular files only.
    let (iocb, from) = unsafe { (Kiocb::from_raw(iocb), IovIter::from_raw(from)) };
    ssize(rw::write_iter(iocb, from))
}

/// `setattr` of a regular file ([`rw::setattr`], which applies the
/// change with `simple_setattr`).
///
/// # Safety
///
/// The VFS's `setattr` call on a zcfs regular file: `idmap`, `dentry`
/// (positive) and `iattr` are live for the call.
pub(crate) unsafe extern "C" fn zcfs_rs_setattr(
    idmap: *mut bindings::mnt_idmap,
    dentry: *mut bindings::dentry,
    iattr: *mut bindings::iattr,
) -> c_int {
    // SAFETY: `iattr` is live (see the function's safety section).
    let (valid, size) = unsafe { ((*iattr).ia_valid, (*iattr).ia_size) };
    let size = (valid & bindings::ATTR_SIZE != 0).then_some(size);
    // SAFETY: `dentry` is live and positive; `tables::FILE_INODE_OPS` is
    // installed on zcfs regular files only, and the dentry holds its
    // inode for the call.
    let inode = unsafe { Inode::from_raw((*dentry).d_inode) };
    // SAFETY: the call's own arguments, live for the call.
    let apply = || to_result(unsafe { bindings::simple_setattr(idmap, dentry, iattr) });
    errno(rw::setattr(inode, size, apply))
}

/// `page_mkwrite` of a mapping of a regular file ([`rw::page_mkwrite`]).
///
/// # Safety
///
/// The fault handler's `page_mkwrite` call: `vmf` is a live write fault on
/// a page, referenced by the fault, of a mapping of a zcfs regular file.
pub(crate) unsafe extern "C" fn zcfs_rs_page_mkwrite(
    vmf: *mut bindings::vm_fault,
) -> bindings::vm_fault_t {
    // SAFETY: see the function's safety section; the mapping holds its
    // file, which `tables::VM_OPS` (installed by the `mmap_prepare` of
    // `tables::FILE_OPS` only) says is a zcfs regular file.
    let file = unsafe { (*(*vmf).__bindgen_anon_1.vma).vm_file };
    // SAFETY: as above.
    let inode = unsafe { Inode::of_zcfs_file(file) };
    // SAFETY: the fault holds a reference on the page, so on its folio,
    // for the call.
    let folio = unsafe { Folio::from_raw(zcfs_vmf_folio(vmf)) };
    // SAFETY: the mapped file, live for the call; the result (an error
    // of the time update) is ignored, as by `filemap_page_mkwrite()`.
    let update_time = || unsafe {
        bindings::file_update_time(file);
    };
    match rw::page_mkwrite(inode, folio, update_time) {
        Ok(Fault::Locked) => bindings::vm_fault_reason_VM_FAULT_LOCKED,
        Ok(Fault::NoPage) => bindings::vm_fault_reason_VM_FAULT_NOPAGE,
        // SAFETY: converts an errno.
        Err(e) => unsafe { zcfs_vmf_error(e.to_errno()) },
    }
}

/// `read_folio` of any zcfs inode ([`rw::read_folio`]).
///
/// # Safety
///
/// The page cache's `read_folio` call: `folio` is a folio of the cache of
/// a live zcfs inode, referenced by the caller and locked, its lock given
/// to the callee.
pub(crate) unsafe extern "C" fn zcfs_rs_read_folio(
    _file: *mut bindings::file,
    folio: *mut bindings::folio,
) -> c_int {
    // SAFETY: see the function's safety section; `tables::AOPS` is installed
    // on zcfs inodes only.
    let inode = unsafe { CacheInode::of_cached_folio(folio) };
    // SAFETY: as above: referenced for the call, the lock is ours.
    let folio = unsafe { FolioLock::new(Folio::from_raw(folio)) };
    errno(rw::read_folio(inode, folio))
}

/// `write_begin` of any zcfs inode ([`rw::write_begin`]): the folio for
/// `len` bytes at `pos`, locked and referenced, in `*foliop`.
///
/// # Safety
///
/// The `write_begin` call of a write (`generic_perform_write`, or
/// `page_symlink` on a new symlink): `mapping` is the cache of a live zcfs
/// inode, whose size changes the caller serializes; `foliop` is valid for
/// a write.
pub(crate) unsafe extern "C" fn zcfs_rs_write_begin(
    _iocb: *const bindings::kiocb,
    mapping: *mut bindings::address_space,
    pos: i64,
    len: c_uint,
    foliop: *mut *mut bindings::folio,
    _fsdata: *mut *mut c_void,
) -> c_int {
    // SAFETY: see the function's safety section; `tables::AOPS` is installed
    // on zcfs inodes only.
    let inode = unsafe { CacheInode::of_mapping(mapping) };
    match rw::write_begin(inode, pos, len) {
        Ok(folio) => {
            // SAFETY: `foliop` is valid for a write; the folio's lock and
            // reference go to the caller, which gives them to `write_end`.
            unsafe { *foliop = folio.into_raw() };
            0
        }
        Err(e) => e.to_errno(),
    }
}

/// `write_end` of any zcfs inode ([`rw::write_end`]): returns `copied`.
///
/// # Safety
///
/// The `write_end` call after [`zcfs_rs_write_begin`]: `mapping` as
/// there, `folio` the folio it returned, whose lock and reference are
/// given back.
pub(crate) unsafe extern "C" fn zcfs_rs_write_end(
    _iocb: *const bindings::kiocb,
    mapping: *mut bindings::address_space,
    pos: i64,
    len: c_uint,
    copied: c_uint,
    folio: *mut bindings::folio,
    _fsdata: *mut c_void,
) -> c_int {
    // SAFETY: see the function's safety section.
    let inode = unsafe { CacheInode::of_mapping(mapping) };
    // SAFETY: the folio of `write_begin`, locked and referenced, both
    // handed back; never null.
    let Some(folio) = (unsafe { FolioGuard::from_owned_locked(folio) }) else {
        return 0;
    };
    // At most `len`, which fits a c_int (a chunk of a write).
    rw::write_end(inode, pos, len, copied, folio) as c_int
}

/// `statfs`: `simple_statfs()`, with the blocks of `size=` (as
/// `shmem_statfs()`, [`crate::space::Space::statfs_blocks`]).
///
/// # Safety
///
/// The VFS's `statfs` call on a mounted zcfs: `dentry` is live, `buf` is
/// valid for writes, for the call.
pub(crate) unsafe extern "C" fn zcfs_rs_statfs(
    dentry: *mut bindings::dentry,
    buf: *mut bindings::kstatfs,
) -> c_int {
    // SAFETY: see the function's safety section: the dentry's super_block
    // is a mounted zcfs, which `get_tree` set up.
    let sb = unsafe { ZcfsSb::from_raw((*dentry).d_sb) };
    let blocks = sb.space().statfs_blocks();
    // SAFETY: the call's own arguments.
    let err = unsafe { bindings::simple_statfs(dentry, buf) };
    if err != 0 {
        return err;
    }
    if let Some((total, avail)) = blocks {
        // SAFETY: `buf` is valid for writes (see the function's safety
        // section).
        unsafe { zcfs_statfs_set_blocks(buf, total, avail) };
    }
    0
}

/// `show_options` ([`options::show`]).
///
/// # Safety
///
/// The VFS's `show_options` call on a mounted zcfs: `m` is live and the
/// calling thread's, `root` is live, for the call.
pub(crate) unsafe extern "C" fn zcfs_rs_show_options(
    m: *mut bindings::seq_file,
    root: *mut bindings::dentry,
) -> c_int {
    // SAFETY: see the function's safety section: the root's super_block
    // is a mounted zcfs, which `get_tree` set up.
    let sb = unsafe { ZcfsSb::from_raw((*root).d_sb) };
    // SAFETY: see the function's safety section.
    let m = unsafe { SeqFile::from_raw(m) };
    options::show(
        m,
        &sb.opts(),
        sb.space().max_blocks(),
        options::default_max_blocks(super_block::ram_pages()),
    );
    0
}
