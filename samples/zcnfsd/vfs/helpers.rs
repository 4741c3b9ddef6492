// SPDX-License-Identifier: GPL-2.0

//! The one place that declares the functions vfs/ calls outside the kernel
//! crate's bindings, with the constants it mirrors:
//!
//! - the C helpers of `zcnfsd_vfs.c` (declared in `zcnfsd_vfs.h`): the
//!   `export_path` module parameter, `vfs_statfs` (whose `struct kstatfs`
//!   the bindings do not describe) and one wrapper per `static inline`
//!   function or macro of the kernel that the abstractions use (the
//!   inlines that only read a field the bindings describe, such as
//!   `d_inode()`, `file_inode()` or `IS_IMMUTABLE()`, are done in Rust
//!   where they are used);
//! - exported functions of the kernel whose headers (`linux/namei.h`,
//!   `linux/exportfs.h`) are not among those the bindings are made from,
//!   declared here as the kernel declares them; `zcnfsd_vfs.c` checks each
//!   signature against the kernel's declaration at build time
//!   (`ZCNFSD_SAME_TYPE`), so keep the two in step.
//!
//! No code: each abstraction calls these under its own `// SAFETY:`.

use super::attr::StatFs;
use kernel::bindings;
use kernel::ffi::{c_char, c_int, c_uint, c_void};

/// `LOOKUP_FOLLOW | LOOKUP_DIRECTORY` (`linux/namei.h`; `ZCNFSD_LOOKUP_DIR`,
/// checked against the kernel's at build time in `zcnfsd_vfs.c`).
pub(super) const LOOKUP_DIR: c_uint = 0x3;

/// `FILEID_INVALID` (`linux/exportfs.h`; `ZCNFSD_FILEID_INVALID`, checked in
/// `zcnfsd_vfs.c`).
pub(super) const FILEID_INVALID: c_int = 0xff;

/// `exportfs_decode_fh`'s `acceptable` callback.
pub(super) type AcceptableFn =
    unsafe extern "C" fn(context: *mut c_void, d: *mut bindings::dentry) -> c_int;

// Pointers to opaque kernel structures: some bindgen types contain
// zero-length arrays, which the lint flags although only pointers cross.
#[allow(improper_ctypes)]
extern "C" {
    // zcnfsd_vfs.c: what Rust cannot reach.
    pub(super) fn zcnfsd_export_path_param() -> *const c_char;
    pub(super) fn zcnfsd_statfs(p: *const bindings::path, out: *mut StatFs) -> c_int;

    // zcnfsd_vfs.c: static inline functions and macros of the kernel.
    pub(super) fn zcnfsd_dget(d: *mut bindings::dentry) -> *mut bindings::dentry;
    pub(super) fn zcnfsd_d_is_negative(d: *const bindings::dentry) -> bool;
    pub(super) fn zcnfsd_d_is_dir(d: *const bindings::dentry) -> bool;
    pub(super) fn zcnfsd_d_is_reg(d: *const bindings::dentry) -> bool;
    pub(super) fn zcnfsd_d_can_lookup(d: *const bindings::dentry) -> bool;
    pub(super) fn zcnfsd_d_unhashed(d: *const bindings::dentry) -> bool;
    pub(super) fn zcnfsd_inode_lock(inode: *mut bindings::inode);
    pub(super) fn zcnfsd_inode_unlock(inode: *mut bindings::inode);
    pub(super) fn zcnfsd_get_write_access(inode: *mut bindings::inode) -> c_int;
    pub(super) fn zcnfsd_put_write_access(inode: *mut bindings::inode);
    pub(super) fn zcnfsd_end_creating(child: *mut bindings::dentry);
    pub(super) fn zcnfsd_end_creating_keep(child: *mut bindings::dentry) -> *mut bindings::dentry;
    pub(super) fn zcnfsd_end_removing(child: *mut bindings::dentry);
    pub(super) fn zcnfsd_override_creds(new: *const bindings::cred) -> *const bindings::cred;
    pub(super) fn zcnfsd_revert_creds(old: *const bindings::cred) -> *const bindings::cred;
    pub(super) fn zcnfsd_current_cred() -> *const bindings::cred;
    pub(super) fn zcnfsd_current_fsuid() -> bindings::kuid_t;
    pub(super) fn zcnfsd_put_group_info(gi: *mut bindings::group_info);
    pub(super) fn zcnfsd_cap_drop_nfsd_set(a: bindings::kernel_cap_t) -> bindings::kernel_cap_t;
    pub(super) fn zcnfsd_cap_raise_nfsd_set(
        a: bindings::kernel_cap_t,
        permitted: bindings::kernel_cap_t,
    ) -> bindings::kernel_cap_t;
    pub(super) fn zcnfsd_make_kuid(uid: u32) -> bindings::kuid_t;
    pub(super) fn zcnfsd_make_kgid(gid: u32) -> bindings::kgid_t;
    pub(super) fn zcnfsd_uid_valid(uid: bindings::kuid_t) -> bool;
    pub(super) fn zcnfsd_gid_valid(gid: bindings::kgid_t) -> bool;
    pub(super) fn zcnfsd_from_kuid_munged(uid: bindings::kuid_t) -> u32;
    pub(super) fn zcnfsd_from_kgid_munged(gid: bindings::kgid_t) -> u32;
    pub(super) fn zcnfsd_new_encode_dev(dev: bindings::dev_t) -> u32;
    pub(super) fn zcnfsd_dev_major(dev: bindings::dev_t) -> u32;
    pub(super) fn zcnfsd_dev_minor(dev: bindings::dev_t) -> u32;

    // fs/namei.c (linux/namei.h).
    pub(super) fn kern_path(name: *const c_char, flags: c_uint, path: *mut bindings::path)
        -> c_int;
    pub(super) fn lookup_one_positive_unlocked(
        idmap: *mut bindings::mnt_idmap,
        name: *mut bindings::qstr,
        base: *mut bindings::dentry,
    ) -> *mut bindings::dentry;
    pub(super) fn start_creating(
        idmap: *mut bindings::mnt_idmap,
        parent: *mut bindings::dentry,
        name: *mut bindings::qstr,
    ) -> *mut bindings::dentry;
    pub(super) fn start_removing(
        idmap: *mut bindings::mnt_idmap,
        parent: *mut bindings::dentry,
        name: *mut bindings::qstr,
    ) -> *mut bindings::dentry;
    pub(super) fn start_renaming(
        rd: *mut bindings::renamedata,
        lookup_flags: c_int,
        old_last: *mut bindings::qstr,
        new_last: *mut bindings::qstr,
    ) -> c_int;
    pub(super) fn end_renaming(rd: *mut bindings::renamedata);

    // fs/exportfs/expfs.c (linux/exportfs.h); a `struct fid` is the words
    // of a fid.
    pub(super) fn exportfs_encode_fh(
        dentry: *mut bindings::dentry,
        fid: *mut u32,
        max_len: *mut c_int,
        flags: c_int,
    ) -> c_int;
    pub(super) fn exportfs_decode_fh(
        mnt: *mut bindings::vfsmount,
        fid: *mut u32,
        fh_len: c_int,
        fileid_type: c_int,
        acceptable: AcceptableFn,
        context: *mut c_void,
    ) -> *mut bindings::dentry;
}
