// SPDX-License-Identifier: GPL-2.0

//! File handles, for an NFS server exporting zcfs (`samples/zcnfsd`): the
//! callbacks of `zcfs_export_ops` (a table of `zcfs_vfs.c`:
//! `struct export_operations` is opaque in the Rust bindings).
//!
//! A handle is the inode number and generation (`FILEID_INO32_GEN`, as
//! `generic_encode_ino32_fh()` makes it). Every zcfs inode is hashed while
//! it lives, and it lives while it has a name (its dentries are pinned, as
//! in ramfs) or is open, so a handle is decoded by looking the number up;
//! a removed file (no link left, even if still open) is stale.

use kernel::bindings;
use kernel::ffi::{c_int, c_void};
use kernel::prelude::*;

/// The inode of a handle (`ilookup` by number), or null.
type GetInode = unsafe extern "C" fn(*mut bindings::super_block, u64, u32) -> *mut bindings::inode;

// `<linux/exportfs.h>`, which the Rust bindings do not cover; `struct fid`
// only crosses as a pointer.
#[allow(improper_ctypes)]
extern "C" {
    fn generic_fh_to_dentry(
        sb: *mut bindings::super_block,
        fid: *mut c_void,
        fh_len: c_int,
        fh_type: c_int,
        get_inode: GetInode,
    ) -> *mut bindings::dentry;
    fn generic_fh_to_parent(
        sb: *mut bindings::super_block,
        fid: *mut c_void,
        fh_len: c_int,
        fh_type: c_int,
        get_inode: GetInode,
    ) -> *mut bindings::dentry;
}

/// `ERR_PTR(-ESTALE)`.
fn stale<T>() -> *mut T {
    // An error pointer is the negative errno as an address.
    ESTALE.to_errno() as isize as *mut T
}

/// Whether an inode found by number is the one a handle names: the same
/// generation (numbers are reused), and still linked.
fn current(generation: u32, wanted: u32, nlink: u32) -> bool {
    generation == wanted && nlink != 0
}

/// The inode numbered `ino` of generation `gen` in `sb`, with a
/// reference, or `ERR_PTR(-ESTALE)`.
///
/// # Safety
///
/// `sb` is a live zcfs super_block (the export's).
unsafe extern "C" fn nfs_get_inode(
    sb: *mut bindings::super_block,
    ino: u64,
    gen: u32,
) -> *mut bindings::inode {
    // SAFETY: a live super_block (see the function's safety section).
    let inode = unsafe { bindings::ilookup(sb, ino) };
    if inode.is_null() {
        return stale();
    }
    // SAFETY: `ilookup` returned a live inode with a reference for us;
    // the generation is set when it is made, the link count is read once.
    let (generation, nlink) = unsafe { ((*inode).i_generation, (*inode).__bindgen_anon_1.i_nlink) };
    if !current(generation, gen, nlink) {
        // SAFETY: our reference, given up.
        unsafe { bindings::iput(inode) };
        return stale();
    }
    inode
}

/// `fh_to_dentry`: the dentry of a handle (`generic_fh_to_dentry`).
///
/// # Safety
///
/// The export code's call on a zcfs super_block: `sb` and `fid` (of
/// `fh_len` words) are live for the call.
#[no_mangle]
pub(crate) unsafe extern "C" fn zcfs_rs_fh_to_dentry(
    sb: *mut bindings::super_block,
    fid: *mut c_void,
    fh_len: c_int,
    fh_type: c_int,
) -> *mut bindings::dentry {
    // SAFETY: see the function's safety section; `nfs_get_inode` takes a
    // zcfs super_block.
    unsafe { generic_fh_to_dentry(sb, fid, fh_len, fh_type, nfs_get_inode) }
}

/// `fh_to_parent`: the parent's dentry of a handle
/// (`generic_fh_to_parent`).
///
/// # Safety
///
/// As [`zcfs_rs_fh_to_dentry`].
#[no_mangle]
pub(crate) unsafe extern "C" fn zcfs_rs_fh_to_parent(
    sb: *mut bindings::super_block,
    fid: *mut c_void,
    fh_len: c_int,
    fh_type: c_int,
) -> *mut bindings::dentry {
    // SAFETY: see the function's safety section; `nfs_get_inode` takes a
    // zcfs super_block.
    unsafe { generic_fh_to_parent(sb, fid, fh_len, fh_type, nfs_get_inode) }
}

/// `get_parent`: directories are never disconnected (their dentries are
/// pinned), so the parent is known (`dget_parent`).
///
/// # Safety
///
/// The export code's call: `child` is a live zcfs directory's dentry.
#[no_mangle]
pub(crate) unsafe extern "C" fn zcfs_rs_get_parent(
    child: *mut bindings::dentry,
) -> *mut bindings::dentry {
    // SAFETY: see the function's safety section.
    unsafe { bindings::dget_parent(child) }
}
