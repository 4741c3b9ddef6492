// SPDX-License-Identifier: GPL-2.0

//! [`Dentry`], a `struct dentry` owned through [`ARef`] (`dget`/`dput`),
//! and [`Dir`], a dentry checked to be a directory: the only thing the
//! operations on names take.

use super::helpers::{
    exportfs_encode_fh, lookup_one_positive_unlocked, zcnfsd_d_can_lookup, zcnfsd_d_is_dir,
    zcnfsd_d_is_reg, zcnfsd_d_unhashed, zcnfsd_dget, FILEID_INVALID,
};
use core::ops::Deref;
use core::ptr::NonNull;
use kernel::bindings;
use kernel::error::from_err_ptr;
use kernel::ffi::c_int;
use kernel::prelude::*;
use kernel::sync::aref::{ARef, AlwaysRefCounted};
use kernel::types::Opaque;

/// `name` as a `struct qstr` (`QSTR_LEN`: length, no hash yet), for the
/// VFS's lookups; `ENAMETOOLONG` if its length does not fit.
pub(super) fn qstr(name: &[u8]) -> Result<bindings::qstr> {
    let len = u32::try_from(name.len()).map_err(|_| ENAMETOOLONG)?;
    Ok(bindings::qstr {
        __bindgen_anon_1: bindings::qstr__bindgen_ty_1 {
            __bindgen_anon_1: bindings::qstr__bindgen_ty_1__bindgen_ty_1 { hash: 0, len },
        },
        name: name.as_ptr(),
    })
}

/// `d_inode()`: the inode of `d`, NULL if `d` is negative.
///
/// # Safety
///
/// `d` is a live dentry.
pub(super) unsafe fn d_inode(d: *const bindings::dentry) -> *mut bindings::inode {
    // SAFETY: `d` is alive (the caller's contract); `d_inode()` is this
    // plain read of the field.
    unsafe { (*d).d_inode }
}

/// `i_nlink` of `inode`, read once (`READ_ONCE()`): it may change under
/// us.
///
/// # Safety
///
/// `inode` is a live inode.
pub(super) unsafe fn inode_nlink(inode: *const bindings::inode) -> u32 {
    // SAFETY: `inode` is alive (the caller's contract); `i_nlink` is a
    // `c_uint` in a union of two `c_uint`s, so either name reads it.
    unsafe { core::ptr::read_volatile(&raw const (*inode).__bindgen_anon_1.i_nlink) }
}

/// Whether `inode`'s `i_flags` has `flag`: `S_IMMUTABLE`
/// (`IS_IMMUTABLE()`), `S_APPEND` (`IS_APPEND()`) or `S_DEAD`
/// (`IS_DEADDIR()`), a plain read as those macros make.
///
/// # Safety
///
/// `inode` is a live inode.
pub(super) unsafe fn inode_has_flag(inode: *const bindings::inode, flag: u32) -> bool {
    // SAFETY: `inode` is alive (the caller's contract).
    let flags = unsafe { (*inode).i_flags };
    flags & flag != 0
}

/// `&nop_mnt_idmap`: the export's mounts are not idmapped.
pub(super) fn nop_idmap() -> *mut bindings::mnt_idmap {
    &raw mut bindings::nop_mnt_idmap
}

/// Most 32-bit words of a fid that zcnfsd puts in a file handle.
pub(crate) const FID_MAX_WORDS: usize = 8;

/// A file system's identification of one of its objects, as its export
/// operations encode it (exportfs's `struct fid` and fid type).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Fid {
    /// The fid type (`enum fid_type`).
    pub(crate) fid_type: u8,
    /// How many words of `raw` are used (at most [`FID_MAX_WORDS`]).
    pub(crate) words: usize,
    /// The words.
    pub(crate) raw: [u32; FID_MAX_WORDS],
}

/// A `struct dentry`, owned through `ARef<Dentry>`.
///
/// # Invariants
///
/// Instances are only reached through `&Dentry` or `ARef<Dentry>` made
/// from a live dentry: the reference count is non-zero while they exist,
/// and the dentry is positive (the helpers hand out only dentries found
/// by lookups, decoded from file handles, or created).
#[repr(transparent)]
pub(crate) struct Dentry(Opaque<bindings::dentry>);

// SAFETY: a dentry reference may be used and dropped from any thread.
unsafe impl Send for Dentry {}
// SAFETY: the operations through `&Dentry` are the VFS's own thread-safe
// calls.
unsafe impl Sync for Dentry {}

// SAFETY: `dget` and `dput` are the dentry's reference count; the type
// invariant keeps it non-zero while a `&Dentry` exists.
unsafe impl AlwaysRefCounted for Dentry {
    fn inc_ref(&self) {
        // SAFETY: the dentry is alive (`&self`); dget only takes a reference.
        unsafe { zcnfsd_dget(self.as_ptr()) };
    }

    unsafe fn dec_ref(obj: NonNull<Dentry>) {
        // SAFETY: the caller passes us one reference; `Dentry` is a
        // transparent wrapper of `struct dentry`.
        unsafe { bindings::dput(obj.cast().as_ptr()) }
    }
}

impl Dentry {
    /// Takes ownership of a reference returned by the VFS, or of its
    /// error.
    ///
    /// # Safety
    ///
    /// `ptr` is an error pointer, NULL, or a dentry on which the caller
    /// passes one reference.
    pub(super) unsafe fn from_result(ptr: *mut bindings::dentry) -> Result<ARef<Dentry>> {
        let ptr = from_err_ptr(ptr)?;
        let ptr = NonNull::new(ptr).ok_or(ENOENT)?;
        // SAFETY: by the function's safety requirements the reference is
        // ours; `Dentry` is a transparent wrapper of `struct dentry`.
        Ok(unsafe { ARef::from_raw(ptr.cast()) })
    }

    /// The raw dentry.
    pub(super) fn as_ptr(&self) -> *mut bindings::dentry {
        self.0.get()
    }

    /// Its inode (`d_inode`): never NULL, as the dentry is positive; alive
    /// as long as `self` is.
    pub(super) fn inode(&self) -> *mut bindings::inode {
        // SAFETY: `self` is alive (type invariant).
        unsafe { d_inode(self.as_ptr()) }
    }

    /// The mode (type and permission bits) of its inode.
    pub(super) fn mode(&self) -> u32 {
        // SAFETY: the inode of a live positive dentry is alive (type
        // invariant); `i_mode` is read as the VFS reads it.
        u32::from(unsafe { (*self.inode()).i_mode })
    }

    /// Whether it is a directory (`d_is_dir`).
    pub(super) fn is_dir(&self) -> bool {
        // SAFETY: `self` is alive (type invariant).
        unsafe { zcnfsd_d_is_dir(self.as_ptr()) }
    }

    /// Whether it is a regular file (`d_is_reg`).
    pub(super) fn is_reg(&self) -> bool {
        // SAFETY: `self` is alive (type invariant).
        unsafe { zcnfsd_d_is_reg(self.as_ptr()) }
    }

    /// Whether it still names a live object: positive, linked, and either
    /// still in the dcache hash or a file system root (never hashed).
    ///
    /// # Safety
    ///
    /// `d` is a live dentry (positive or not).
    pub(super) unsafe fn is_live(d: *mut bindings::dentry) -> bool {
        // SAFETY: `d` is alive (the function's safety requirements).
        let inode = unsafe { d_inode(d) };
        if inode.is_null() {
            return false;
        }
        // SAFETY: the inode of a live dentry is alive while the dentry is.
        let dead = unsafe { inode_nlink(inode) == 0 || inode_has_flag(inode, bindings::S_DEAD) };
        if dead {
            return false;
        }
        // SAFETY: `d` is alive; `IS_ROOT()` is this comparison with its
        // `d_parent`.
        unsafe { core::ptr::eq((*d).d_parent, d) || !zcnfsd_d_unhashed(d) }
    }

    /// The identity of its inode (the address of the `struct inode`): two
    /// dentries, or a dentry and an open file
    /// ([`super::file::inode_key`]), name the same inode if their keys are
    /// equal while both are held.
    pub(crate) fn inode_key(&self) -> usize {
        self.inode() as usize
    }

    /// Whether both are the same dentry.
    pub(crate) fn same(&self, other: &Dentry) -> bool {
        core::ptr::eq(self, other)
    }

    /// The parent directory (the dentry itself at a file system root).
    pub(crate) fn parent(&self) -> ARef<Dentry> {
        // SAFETY: `self` is alive; dget_parent returns a new reference,
        // never an error.
        unsafe { Dentry::from_result(bindings::dget_parent(self.as_ptr())) }
            .unwrap_or_else(|_| self.into())
    }

    /// Its fid (`exportfs_encode_fh`): `EOPNOTSUPP` if its file system
    /// has no export operations (cannot decode handles).
    pub(crate) fn encode_fid(&self) -> Result<Fid> {
        let mut raw = [0u32; FID_MAX_WORDS];
        let mut words = FID_MAX_WORDS as c_int;
        // SAFETY: `self` is alive; `raw` has room for `words` words, which
        // `exportfs_encode_fh` updates.
        let t = unsafe { exportfs_encode_fh(self.as_ptr(), raw.as_mut_ptr(), &mut words, 0) };
        if t == FILEID_INVALID {
            return Err(EOVERFLOW);
        }
        if t < 0 {
            return Err(Error::from_errno(t));
        }
        let words = usize::try_from(words)
            .ok()
            .filter(|w| (1..=FID_MAX_WORDS).contains(w))
            .ok_or(EOVERFLOW)?;
        Ok(Fid {
            fid_type: u8::try_from(t).map_err(|_| EOVERFLOW)?,
            words,
            raw,
        })
    }

    /// Whether it is of type `t`, as NFSD's `fh_verify()` checks the
    /// object a file handle names (`nfsd_mode_check()` and
    /// `nfsd3_map_status()` for NFSv3): `ENOTDIR` if a directory is wanted
    /// (a directory the VFS cannot look names up in included), `EISDIR` (a
    /// directory) or `EINVAL` (any other type) if a regular file is. The
    /// type of an inode never changes, so the answer holds as long as the
    /// dentry is referenced.
    pub(crate) fn check_type(&self, t: ObjType) -> Result {
        match t {
            ObjType::Dir => {
                // SAFETY: `self` is alive (type invariant).
                if unsafe { zcnfsd_d_can_lookup(self.as_ptr()) } {
                    Ok(())
                } else {
                    Err(ENOTDIR)
                }
            }
            ObjType::Reg => match self.mode() & bindings::S_IFMT {
                bindings::S_IFREG => Ok(()),
                bindings::S_IFDIR => Err(EISDIR),
                _ => Err(EINVAL),
            },
        }
    }
}

/// The object types a procedure can require of a handle's object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ObjType {
    /// A directory that names can be looked up in.
    Dir,
    /// A regular file.
    Reg,
}

/// A dentry checked to be a directory that names can be looked up in: the
/// only thing the operations on names (lookup, create, mkdir, remove,
/// rename) take, so that no other object reaches them.
///
/// # Invariants
///
/// The dentry's inode is a directory with a `lookup` operation
/// (`d_can_lookup`); the type of an inode never changes.
#[derive(Clone)]
pub(crate) struct Dir(ARef<Dentry>);

impl Dir {
    /// `d` as a directory, or `ENOTDIR`.
    pub(crate) fn new(d: ARef<Dentry>) -> Result<Dir> {
        d.check_type(ObjType::Dir)?;
        // INVARIANT: checked just above.
        Ok(Dir(d))
    }

    /// Looks `name` up in this directory (not `.` or `..`): the positive
    /// dentry, `ENOENT` if there is none.
    pub(crate) fn lookup(&self, name: &[u8]) -> Result<ARef<Dentry>> {
        let mut q = qstr(name)?;
        // SAFETY: `self` is a live directory; `q` points to `name`, valid
        // for the call; the lookup returns a new reference or an error.
        unsafe {
            Dentry::from_result(lookup_one_positive_unlocked(
                nop_idmap(),
                &mut q,
                self.as_ptr(),
            ))
        }
    }
}

impl Deref for Dir {
    type Target = ARef<Dentry>;

    fn deref(&self) -> &ARef<Dentry> {
        &self.0
    }
}
