// SPDX-License-Identifier: GPL-2.0

//! [`Dentry`], a `struct dentry` owned through [`ARef`] (`dget`/`dput`),
//! and [`Dir`], a dentry checked to be a directory: the only thing the
//! operations on names take.

use core::ops::Deref;
use core::ptr::NonNull;
use kernel::bindings;
use kernel::error::{from_err_ptr, to_result};
use kernel::ffi::c_int;
use kernel::prelude::*;
use kernel::sync::aref::{ARef, AlwaysRefCounted};
use kernel::types::Opaque;

// Pointers to opaque kernel structures only.
#[allow(improper_ctypes)]
extern "C" {
    fn zcnfsd_dget(d: *mut bindings::dentry) -> *mut bindings::dentry;
    fn zcnfsd_encode_fid(d: *mut bindings::dentry, fid: *mut u32, words: *mut c_int) -> c_int;
    fn zcnfsd_dentry_inode_key(d: *mut bindings::dentry) -> usize;
    fn zcnfsd_mode_check(d: *mut bindings::dentry, type_: u32) -> c_int;
    fn zcnfsd_lookup(
        dir: *mut bindings::dentry,
        name: *const u8,
        len: u32,
    ) -> *mut bindings::dentry;
}

/// A name's length as the C helpers take it.
pub(super) fn name_len(name: &[u8]) -> Result<u32> {
    u32::try_from(name.len()).map_err(|_| ENAMETOOLONG)
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
    /// Takes ownership of a reference returned by a C helper, or of its
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

    /// The identity of its inode (the address of the `struct inode`): two
    /// dentries, or a dentry and an open file
    /// ([`super::file::inode_key`]), name the same inode if their keys are
    /// equal while both are held.
    pub(crate) fn inode_key(&self) -> usize {
        // SAFETY: `self` is alive and positive (type invariant).
        unsafe { zcnfsd_dentry_inode_key(self.as_ptr()) }
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
        // the helper updates.
        let t = unsafe { zcnfsd_encode_fid(self.as_ptr(), raw.as_mut_ptr(), &mut words) };
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
    /// object a file handle names: `ENOTDIR` if a directory is wanted,
    /// `EISDIR` (a directory) or `EINVAL` (any other type) if a regular
    /// file is.
    pub(crate) fn check_type(&self, t: ObjType) -> Result {
        let mode = match t {
            ObjType::Dir => bindings::S_IFDIR,
            ObjType::Reg => bindings::S_IFREG,
        };
        // SAFETY: `self` is alive and positive (type invariant).
        to_result(unsafe { zcnfsd_mode_check(self.as_ptr(), mode) })
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

    /// Looks `name` up in this directory (not `.` or `..`).
    pub(crate) fn lookup(&self, name: &[u8]) -> Result<ARef<Dentry>> {
        let len = name_len(name)?;
        // SAFETY: `self` is a live directory; `name` is valid for `len`
        // bytes; the helper returns a new reference or an error.
        unsafe { Dentry::from_result(zcnfsd_lookup(self.as_ptr(), name.as_ptr(), len)) }
    }
}

impl Deref for Dir {
    type Target = ARef<Dentry>;

    fn deref(&self) -> &ARef<Dentry> {
        &self.0
    }
}
