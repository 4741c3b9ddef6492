// SPDX-License-Identifier: GPL-2.0

//! The life of a zcfs inode: its allocation inside the container that
//! holds its charges ([`InodeInfo`], `alloc_inode` and `free_inode`), its
//! making ([`new_inode`]: a regular file, a directory or a symbolic link,
//! for `create`, `mkdir`, `symlink` and the root), and its eviction; and
//! the `mmap_prepare` of regular files: callbacks of the operation tables
//! ([`crate::tables`]), which [`new_inode`] gives to each new inode.

use crate::inode::{self, CacheInode};
use crate::space;
use crate::tables;
use kernel::bindings;
use kernel::ffi::{c_char, c_int};
use kernel::prelude::*;
use kernel::str::CStr;
use kernel::sync::atomic::Atomic;
use kernel::types::Opaque;

// Pointers to opaque kernel structures: some bindgen types contain
// zero-length arrays, which the lint flags although only pointers cross.
#[allow(improper_ctypes)]
extern "C" {
    fn zcfs_mapping_set_large_folios(mapping: *mut bindings::address_space);
    fn zcfs_file_accessed(file: *mut bindings::file);
}

/// A zcfs inode in its container: the `struct inode` the VFS sees, and
/// the pages its cache has charged to the mount ([`crate::space`] keeps
/// them). It covers every zcfs inode with pages (symbolic links too),
/// while the [`crate::inode_state::InodeState`] of `i_private` exists for
/// regular files only.
///
/// # Invariants
///
/// Made by [`zcfs_rs_alloc_inode`] (a `KBox`), freed by
/// [`zcfs_rs_free_inode`]; `alloced` is accessed only atomically.
#[repr(C)]
pub(crate) struct InodeInfo {
    alloced: Atomic<i64>,
    vfs_inode: Opaque<bindings::inode>,
}

impl InodeInfo {
    /// The charges of the container of `inode`.
    ///
    /// # Safety
    ///
    /// `inode` is a live zcfs inode (made by [`zcfs_rs_alloc_inode`]), for
    /// `'a`.
    pub(crate) unsafe fn charges_of<'a>(inode: *mut bindings::inode) -> &'a Atomic<i64> {
        // SAFETY: see the function's safety section: the inode is the
        // `vfs_inode` of a live `InodeInfo` (`container_of`).
        unsafe { &(*container_of(inode)).alloced }
    }
}

/// The container of `inode` (`container_of`).
fn container_of(inode: *mut bindings::inode) -> *mut InodeInfo {
    inode
        .cast::<u8>()
        .wrapping_sub(core::mem::offset_of!(InodeInfo, vfs_inode))
        .cast()
}

/// `alloc_inode`: a new container, its inode initialized once
/// (`inode_init_once`), no charges; null when memory is short.
///
/// # Safety
///
/// The VFS's `alloc_inode` call on a zcfs super_block.
pub(crate) unsafe extern "C" fn zcfs_rs_alloc_inode(
    _sb: *mut bindings::super_block,
) -> *mut bindings::inode {
    let Ok(mut info) = KBox::<InodeInfo>::new_uninit(GFP_KERNEL_ACCOUNT) else {
        return core::ptr::null_mut();
    };
    let p = info.as_mut_ptr();
    // SAFETY: `p` is valid for writes; `inode_init_once` initializes the
    // whole inode, which the container owns.
    unsafe {
        (&raw mut (*p).alloced).write(Atomic::new(0));
        bindings::inode_init_once(Opaque::cast_into(&raw const (*p).vfs_inode));
    }
    // SAFETY: both fields are initialized just above.
    let info = unsafe { info.assume_init() };
    // INVARIANT: a `KBox`, freed by `zcfs_rs_free_inode`.
    let p = KBox::into_raw(info);
    // SAFETY: `p` is live.
    Opaque::cast_into(unsafe { &raw const (*p).vfs_inode })
}

/// `free_inode`: frees the container (after an RCU grace period).
///
/// # Safety
///
/// The VFS's `free_inode` call: `inode` came from [`zcfs_rs_alloc_inode`]
/// and is not used afterwards.
pub(crate) unsafe extern "C" fn zcfs_rs_free_inode(inode: *mut bindings::inode) {
    // SAFETY: see the function's safety section: the container is the
    // `KBox` of `zcfs_rs_alloc_inode`.
    drop(unsafe { KBox::from_raw(container_of(inode)) });
}

/// `evict_inode`: empties the cache, gives its charges back
/// ([`space::recalc`]) and frees a regular file's state. A loan holds the
/// inode: none is outstanding here.
///
/// # Safety
///
/// The VFS's `evict_inode` call: `inode` is a zcfs inode, unused.
pub(crate) unsafe extern "C" fn zcfs_rs_evict_inode(inode: *mut bindings::inode) {
    // SAFETY: see the function's safety section.
    unsafe { bindings::truncate_inode_pages_final(&raw mut (*inode).i_data) };
    // SAFETY: a live zcfs inode.
    space::recalc(unsafe { CacheInode::from_raw(inode) });
    // SAFETY: as above.
    unsafe { bindings::clear_inode(inode) };
    // SAFETY: as above; the type and state are set when the inode is made.
    let (mode, state) = unsafe { (u32::from((*inode).i_mode), (*inode).i_private) };
    if mode & bindings::S_IFMT == bindings::S_IFREG && !state.is_null() {
        // SAFETY: a regular file's state, made by `new_inode`, not used
        // afterwards.
        unsafe { inode::free_state(state) };
    }
    // SAFETY: as above.
    unsafe { (*inode).i_private = core::ptr::null_mut() };
}

/// The type of a new inode.
enum Kind {
    File,
    Dir,
    Symlink,
}

impl Kind {
    /// zcfs makes regular files, directories and symbolic links only.
    fn of_mode(mode: u32) -> Option<Kind> {
        match mode & bindings::S_IFMT {
            bindings::S_IFREG => Some(Kind::File),
            bindings::S_IFDIR => Some(Kind::Dir),
            bindings::S_IFLNK => Some(Kind::Symlink),
            _ => None,
        }
    }
}

/// A new zcfs inode of `mode` (a regular file, a directory or a symbolic
/// link) in `sb`, owned as made in `dir` (null for the root), with a
/// reference; null if memory is short or the type is not one of those.
///
/// Its number is the next free one, its generation random (file handles:
/// [`crate::export`]), and it is hashed; its cache is unevictable, of
/// `GFP_HIGHUSER` folios (large ones for a regular file, where the kernel
/// has them).
///
/// # Safety
///
/// `sb` is a live zcfs super_block set up by `get_tree`; `dir` is null or
/// a live directory of it.
pub(crate) unsafe fn new_inode(
    sb: *mut bindings::super_block,
    dir: *const bindings::inode,
    mode: u32,
) -> *mut bindings::inode {
    let Some(kind) = Kind::of_mode(mode) else {
        return core::ptr::null_mut();
    };
    // SAFETY: a live super_block (see the function's safety section).
    let inode = unsafe { bindings::new_inode(sb) };
    if inode.is_null() {
        return inode;
    }
    // SAFETY: a new inode, ours alone until it is hashed (below), and its
    // cache; `dir` is null or live; the tables are statics.
    unsafe {
        (*inode).i_ino = bindings::get_next_ino().into();
        (*inode).i_generation = bindings::get_random_u32();
        // `insert_inode_hash`.
        bindings::__insert_inode_hash(inode, (*inode).i_ino);
        bindings::inode_init_owner(&raw mut bindings::nop_mnt_idmap, inode, dir, mode as u16);
        let mapping = (*inode).i_mapping;
        (*mapping).a_ops = tables::AOPS.get();
        // `mapping_set_gfp_mask`, `mapping_set_unevictable`.
        (*mapping).gfp_mask = crate::folio::gfp_highuser();
        bindings::set_bit(
            bindings::mapping_flags_AS_UNEVICTABLE as usize,
            &raw mut (*mapping).flags,
        );
        bindings::simple_inode_init_ts(inode);
    }
    match kind {
        Kind::File => {
            // SAFETY: a live zcfs super_block, set up.
            let range_locks = unsafe { crate::super_block::ZcfsSb::from_raw(sb) }
                .opts()
                .debug_norangelock
                == 0;
            // The range locks and the set of loaned folios.
            let Some(state) = inode::new_state(range_locks) else {
                // SAFETY: our reference, given up: the inode is evicted.
                unsafe { bindings::iput(inode) };
                return core::ptr::null_mut();
            };
            // SAFETY: a new inode, ours alone; the tables are statics.
            unsafe {
                (*inode).i_private = state;
                (*inode).i_op = tables::FILE_INODE_OPS.get();
                (*inode).__bindgen_anon_3.i_fop = tables::FILE_OPS.get();
                // Large folios (up to the page cache's largest order): a
                // no-op on kernels without CONFIG_TRANSPARENT_HUGEPAGE.
                zcfs_mapping_set_large_folios((*inode).i_mapping);
            }
        }
        // SAFETY: a new inode, ours alone; the tables are statics.
        Kind::Dir => unsafe {
            (*inode).i_op = tables::DIR_INODE_OPS.get();
            (*inode).__bindgen_anon_3.i_fop = &raw const bindings::simple_dir_operations;
            bindings::inc_nlink(inode);
        },
        // SAFETY: a new inode, ours alone; the table is a static.
        Kind::Symlink => unsafe {
            (*inode).i_op = &raw const bindings::page_symlink_inode_operations;
            bindings::inode_nohighmem(inode);
        },
    }
    inode
}

/// Binds the new `inode` to `dentry` (pinned, as in ramfs) and updates
/// the times of `dir`.
///
/// # Safety
///
/// `dir` is a live zcfs directory, `dentry` a negative dentry in it,
/// `inode` a new inode whose reference the dentry takes.
unsafe fn instantiate(
    dir: *mut bindings::inode,
    dentry: *mut bindings::dentry,
    inode: *mut bindings::inode,
) {
    // SAFETY: see the function's safety section.
    unsafe {
        bindings::d_make_persistent(dentry, inode);
        // `inode_set_mtime_to_ts(dir, inode_set_ctime_current(dir))`.
        let ts = bindings::inode_set_ctime_current(dir);
        (&raw mut (*dir).i_mtime_sec).write_volatile(ts.tv_sec);
        (&raw mut (*dir).i_mtime_nsec).write_volatile(ts.tv_nsec as u32);
    }
}

/// `mknod` of a regular file or a directory: 0 or `-ENOSPC`.
///
/// # Safety
///
/// As [`instantiate`]; the caller holds `dir`'s lock.
unsafe fn mknod(dir: *mut bindings::inode, dentry: *mut bindings::dentry, mode: u32) -> c_int {
    // SAFETY: `dir` is live, of a set-up zcfs super_block.
    let inode = unsafe { new_inode((*dir).i_sb, dir, mode) };
    if inode.is_null() {
        return ENOSPC.to_errno();
    }
    // SAFETY: see the function's safety section; `inode` is new.
    unsafe { instantiate(dir, dentry, inode) };
    0
}

/// `create`: a new regular file.
///
/// # Safety
///
/// The VFS's `create` call in a zcfs directory: `dir` is locked,
/// `dentry` negative.
pub(crate) unsafe extern "C" fn zcfs_rs_create(
    _idmap: *mut bindings::mnt_idmap,
    dir: *mut bindings::inode,
    dentry: *mut bindings::dentry,
    mode: u16,
) -> c_int {
    let mode = (u32::from(mode) & !bindings::S_IFMT) | bindings::S_IFREG;
    // SAFETY: see the function's safety section.
    unsafe { mknod(dir, dentry, mode) }
}

/// `mkdir`: a new directory; null (the dentry given is used) or an error
/// pointer.
///
/// # Safety
///
/// The VFS's `mkdir` call in a zcfs directory: `dir` is locked, `dentry`
/// negative.
pub(crate) unsafe extern "C" fn zcfs_rs_mkdir(
    _idmap: *mut bindings::mnt_idmap,
    dir: *mut bindings::inode,
    dentry: *mut bindings::dentry,
    mode: u16,
) -> *mut bindings::dentry {
    let mode = (u32::from(mode) & !bindings::S_IFMT) | bindings::S_IFDIR;
    // SAFETY: see the function's safety section.
    let err = unsafe { mknod(dir, dentry, mode) };
    if err != 0 {
        // `ERR_PTR`: the negative errno as an address.
        return err as isize as *mut bindings::dentry;
    }
    // SAFETY: `dir` is live and locked: its new subdirectory's `..`.
    unsafe { bindings::inc_nlink(dir) };
    core::ptr::null_mut()
}

/// `symlink`: a new symbolic link to `symname`, its target in its page
/// cache (`page_symlink`): 0, `-ENOSPC` or the error of the write.
///
/// # Safety
///
/// The VFS's `symlink` call in a zcfs directory: `dir` is locked,
/// `dentry` negative, `symname` a C string.
pub(crate) unsafe extern "C" fn zcfs_rs_symlink(
    _idmap: *mut bindings::mnt_idmap,
    dir: *mut bindings::inode,
    dentry: *mut bindings::dentry,
    symname: *const c_char,
) -> c_int {
    // SAFETY: `dir` is live, of a set-up zcfs super_block.
    let inode = unsafe { new_inode((*dir).i_sb, dir, bindings::S_IFLNK | 0o777) };
    if inode.is_null() {
        return ENOSPC.to_errno();
    }
    // SAFETY: `symname` is a C string (see the function's safety section).
    let len = unsafe { CStr::from_char_ptr(symname) }
        .to_bytes_with_nul()
        .len();
    let Ok(len) = c_int::try_from(len) else {
        // SAFETY: our reference on the new inode, given up.
        unsafe { bindings::iput(inode) };
        return ENAMETOOLONG.to_errno();
    };
    // SAFETY: a new symbolic link, ours alone; `symname` holds `len`
    // bytes.
    let err = unsafe { bindings::page_symlink(inode, symname, len) };
    if err != 0 {
        // SAFETY: as above.
        unsafe { bindings::iput(inode) };
        return err;
    }
    // SAFETY: see the function's safety section; `inode` is new.
    unsafe { instantiate(dir, dentry, inode) };
    0
}

/// `mmap_prepare` of a regular file: the access time, and the VM
/// operations whose write fault is [`crate::vfs_ops::zcfs_rs_page_mkwrite`].
///
/// # Safety
///
/// The VFS's `mmap_prepare` call on a zcfs regular file: `desc` is live
/// and the caller's for the call.
pub(crate) unsafe extern "C" fn zcfs_rs_mmap_prepare(desc: *mut bindings::vm_area_desc) -> c_int {
    // SAFETY: see the function's safety section; the table is a static.
    unsafe {
        zcfs_file_accessed((*desc).file);
        (*desc).vm_ops = tables::VM_OPS.get();
    }
    0
}
