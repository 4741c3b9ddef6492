// SPDX-License-Identifier: GPL-2.0

//! The thin unsafe layer over the C helpers of `zcnfsd_vfs.c` and
//! `zcnfsd_thread.c` (declared in `zcnfsd_vfs.h`): owned dentry and path
//! references, open files, and one safe function per VFS operation.
//! Everything above this file is safe Rust.

use core::ops::Deref;
use core::ptr::NonNull;
use kernel::bindings;
use kernel::error::{from_err_ptr, to_result};
use kernel::ffi::{c_char, c_int, c_void};
use kernel::fs::File;
use kernel::prelude::*;
use kernel::sync::aref::ARef;

/// `struct zcnfsd_attr`: what `vfs_getattr` says about an inode.
#[repr(C)]
#[derive(Clone, Copy, Default, Debug)]
pub(crate) struct Attr {
    pub(crate) ino: u64,
    pub(crate) size: u64,
    pub(crate) used: u64,
    pub(crate) fsid: u64,
    pub(crate) atime_sec: i64,
    pub(crate) mtime_sec: i64,
    pub(crate) ctime_sec: i64,
    pub(crate) atime_nsec: u32,
    pub(crate) mtime_nsec: u32,
    pub(crate) ctime_nsec: u32,
    pub(crate) mode: u32,
    pub(crate) nlink: u32,
    pub(crate) uid: u32,
    pub(crate) gid: u32,
    pub(crate) rdev_major: u32,
    pub(crate) rdev_minor: u32,
    pub(crate) generation: u32,
}

/// `ZCNFSD_SET_*`: which fields of a [`SetAttr`] apply.
pub(crate) mod set {
    pub(crate) const MODE: u32 = 0x01;
    pub(crate) const UID: u32 = 0x02;
    pub(crate) const GID: u32 = 0x04;
    pub(crate) const SIZE: u32 = 0x08;
    pub(crate) const ATIME: u32 = 0x10;
    pub(crate) const ATIME_NOW: u32 = 0x20;
    pub(crate) const MTIME: u32 = 0x40;
    pub(crate) const MTIME_NOW: u32 = 0x80;
}

/// `struct zcnfsd_sattr`: attributes to change.
#[repr(C)]
#[derive(Clone, Copy, Default, Debug)]
pub(crate) struct SetAttr {
    pub(crate) size: u64,
    pub(crate) atime_sec: i64,
    pub(crate) mtime_sec: i64,
    pub(crate) atime_nsec: u32,
    pub(crate) mtime_nsec: u32,
    pub(crate) valid: u32,
    pub(crate) mode: u32,
    pub(crate) uid: u32,
    pub(crate) gid: u32,
}

/// `struct zcnfsd_statfs`.
#[repr(C)]
#[derive(Clone, Copy, Default, Debug)]
pub(crate) struct StatFs {
    pub(crate) bsize: u64,
    pub(crate) blocks: u64,
    pub(crate) bfree: u64,
    pub(crate) bavail: u64,
    pub(crate) files: u64,
    pub(crate) ffree: u64,
    pub(crate) maxbytes: u64,
    pub(crate) namelen: u64,
}

/// `struct zcnfsd_readdir_res`.
#[repr(C)]
#[derive(Clone, Copy, Default, Debug)]
pub(crate) struct ReaddirRes {
    pub(crate) used: u64,
    pub(crate) next_pos: i64,
    pub(crate) eof: u32,
    pub(crate) pad: u32,
}

/// `MAY_EXEC`: search permission on a directory.
pub(crate) const MAY_EXEC: i32 = bindings::MAY_EXEC as i32;

/// Most supplementary groups of a request (AUTH_SYS carries at most 16).
pub(crate) const MAX_GROUPS: usize = 16;

/// `struct zcnfsd_ids`: the ids a request runs with.
#[repr(C)]
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub(crate) struct Ids {
    pub(crate) uid: u32,
    pub(crate) gid: u32,
    pub(crate) ngroups: u32,
    pub(crate) groups: [u32; MAX_GROUPS],
}

/// The current thread runs with a request's credentials until this is
/// dropped (`override_creds` of credentials prepared as `nfsd_setuser`
/// does; `revert_creds` and `put_cred` on drop).
///
/// # Invariants
///
/// `old` is what `override_creds` returned on this thread; the thread's
/// credentials are the prepared ones, whose reference this value owns.
pub(crate) struct CredGuard {
    old: NonNull<bindings::cred>,
    /// Reverted on the thread that overrode: neither `Send` nor `Sync`.
    _not_send: core::marker::PhantomData<*const ()>,
}

impl CredGuard {
    /// Switches the current thread to `ids` (uid 0: with the file-system
    /// capabilities, any other uid: without). `EINVAL` for an id that has
    /// no mapping, `ENOMEM`.
    pub(crate) fn new(ids: &Ids) -> Result<CredGuard> {
        // SAFETY: `ids` is a valid `struct zcnfsd_ids` for the call.
        let old = from_err_ptr(unsafe { zcnfsd_cred_override(ids) }.cast_mut())?;
        // INVARIANT: on success the helper installed new credentials and
        // returned the previous ones.
        NonNull::new(old)
            .map(|old| CredGuard {
                old,
                _not_send: core::marker::PhantomData,
            })
            .ok_or(EINVAL)
    }
}

impl Drop for CredGuard {
    fn drop(&mut self) {
        // SAFETY: the guard is dropped on the thread that overrode (not
        // `Send`), with the prepared credentials still installed (guards
        // nest only in order); reverting restores `old` and drops ours.
        unsafe { zcnfsd_cred_revert(self.old.as_ptr()) }
    }
}

/// Size of `struct zcnfsd_dirent`, the header of a readdir record.
pub(crate) const DIRENT_HEADER: usize = 24;

// Pointers to opaque kernel structures only.
#[allow(improper_ctypes)]
extern "C" {
    fn zcnfsd_export_path_param() -> *const c_char;
    fn zcnfsd_export_open(out: *mut bindings::path) -> c_int;
    fn zcnfsd_path_put(p: *mut bindings::path);
    fn zcnfsd_dget(d: *mut bindings::dentry) -> *mut bindings::dentry;
    fn zcnfsd_dput(d: *mut bindings::dentry);
    fn zcnfsd_dget_parent(d: *mut bindings::dentry) -> *mut bindings::dentry;
    fn zcnfsd_encode_fid(d: *mut bindings::dentry, fid: *mut u32, words: *mut c_int) -> c_int;
    fn zcnfsd_decode_fid(
        mnt: *mut bindings::vfsmount,
        export_root: *mut bindings::dentry,
        fid: *mut u32,
        words: c_int,
        fid_type: c_int,
    ) -> *mut bindings::dentry;
    fn zcnfsd_mode_check(d: *mut bindings::dentry, type_: u32) -> c_int;
    fn zcnfsd_getattr(
        mnt: *mut bindings::vfsmount,
        d: *mut bindings::dentry,
        out: *mut Attr,
    ) -> c_int;
    fn zcnfsd_setattr(
        mnt: *mut bindings::vfsmount,
        d: *mut bindings::dentry,
        sa: *const SetAttr,
    ) -> c_int;
    fn zcnfsd_access(mnt: *mut bindings::vfsmount, d: *mut bindings::dentry, want: u32) -> u32;
    fn zcnfsd_cred_override(ids: *const Ids) -> *const bindings::cred;
    fn zcnfsd_permission(
        mnt: *mut bindings::vfsmount,
        d: *mut bindings::dentry,
        acc: c_int,
    ) -> c_int;
    fn zcnfsd_cred_revert(old: *const bindings::cred);
    fn zcnfsd_lookup(
        dir: *mut bindings::dentry,
        name: *const u8,
        len: u32,
    ) -> *mut bindings::dentry;
    fn zcnfsd_create(
        mnt: *mut bindings::vfsmount,
        dir: *mut bindings::dentry,
        name: *const u8,
        len: u32,
        mode: u32,
        existed: *mut bool,
    ) -> *mut bindings::dentry;
    fn zcnfsd_mkdir(
        mnt: *mut bindings::vfsmount,
        dir: *mut bindings::dentry,
        name: *const u8,
        len: u32,
        mode: u32,
    ) -> *mut bindings::dentry;
    fn zcnfsd_remove(
        mnt: *mut bindings::vfsmount,
        dir: *mut bindings::dentry,
        name: *const u8,
        len: u32,
        rmdir: bool,
    ) -> c_int;
    fn zcnfsd_rename(
        mnt: *mut bindings::vfsmount,
        fdir: *mut bindings::dentry,
        fname: *const u8,
        flen: u32,
        tdir: *mut bindings::dentry,
        tname: *const u8,
        tlen: u32,
    ) -> c_int;
    fn zcnfsd_open(
        mnt: *mut bindings::vfsmount,
        d: *mut bindings::dentry,
        write: c_int,
    ) -> *mut bindings::file;
    fn zcnfsd_fsync(f: *mut bindings::file, start: i64, end: i64) -> c_int;
    fn zcnfsd_statfs(
        mnt: *mut bindings::vfsmount,
        d: *mut bindings::dentry,
        out: *mut StatFs,
    ) -> c_int;
    fn zcnfsd_readdir(
        f: *mut bindings::file,
        pos: i64,
        buf: *mut u8,
        buflen: u64,
        res: *mut ReaddirRes,
    ) -> c_int;
    fn zcnfsd_real_time_ns() -> u64;
    fn zcnfsd_thread_start(
        f: Option<unsafe extern "C" fn(*mut c_void) -> c_int>,
        data: *mut c_void,
        name: *const c_char,
    ) -> *mut bindings::task_struct;
    fn zcnfsd_thread_stop(task: *mut bindings::task_struct) -> c_int;
}

/// A name's length as the C helpers take it.
fn name_len(name: &[u8]) -> Result<u32> {
    u32::try_from(name.len()).map_err(|_| ENAMETOOLONG)
}

/// The `export_path` module parameter, if given.
pub(crate) fn export_path_param() -> Option<&'static CStr> {
    // SAFETY: the parameter is a NUL-terminated string owned by the module
    // parameter code, which only changes it at load (mode 0444: read-only
    // in sysfs), so it lives, unchanged, as long as the module.
    let p = unsafe { zcnfsd_export_path_param() };
    if p.is_null() {
        return None;
    }
    // SAFETY: non-null and NUL-terminated, see above.
    Some(unsafe { CStr::from_char_ptr(p) })
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

/// A counted reference on a dentry.
///
/// # Invariants
///
/// `ptr` points to a dentry on which this value owns one reference.
pub(crate) struct Dentry {
    ptr: NonNull<bindings::dentry>,
}

// SAFETY: a dentry reference may be used and dropped from any thread.
unsafe impl Send for Dentry {}
// SAFETY: the operations through `&Dentry` are the VFS's own thread-safe
// calls.
unsafe impl Sync for Dentry {}

impl Dentry {
    /// Takes ownership of a reference returned by a C helper (or an error
    /// pointer).
    fn from_result(ptr: *mut bindings::dentry) -> Result<Self> {
        let ptr = from_err_ptr(ptr)?;
        // INVARIANT: the helpers return a referenced dentry or an error.
        NonNull::new(ptr).map(|ptr| Dentry { ptr }).ok_or(ENOENT)
    }

    fn as_ptr(&self) -> *mut bindings::dentry {
        self.ptr.as_ptr()
    }

    /// Whether both are the same dentry.
    pub(crate) fn same(&self, other: &Dentry) -> bool {
        self.ptr == other.ptr
    }

    /// The parent directory (the dentry itself at a file system root).
    pub(crate) fn parent(&self) -> Dentry {
        // SAFETY: `self` holds a reference; dget_parent returns another
        // reference, never NULL.
        let p = unsafe { zcnfsd_dget_parent(self.as_ptr()) };
        // INVARIANT: dget_parent returned a reference.
        NonNull::new(p).map_or_else(|| self.clone(), |ptr| Dentry { ptr })
    }

    /// Its fid (`exportfs_encode_fh`): `EOPNOTSUPP` if its file system
    /// has no export operations (cannot decode handles).
    pub(crate) fn encode_fid(&self) -> Result<Fid> {
        let mut raw = [0u32; FID_MAX_WORDS];
        let mut words = FID_MAX_WORDS as c_int;
        // SAFETY: `self` holds a reference; `raw` has room for `words`
        // words, which the helper updates.
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
        // SAFETY: `self` holds a reference on a positive dentry (callers
        // only have live ones: decoded from file handles, looked up, or
        // created).
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
pub(crate) struct Dir(Dentry);

impl Dir {
    /// `d` as a directory, or `ENOTDIR`.
    pub(crate) fn new(d: Dentry) -> Result<Dir> {
        d.check_type(ObjType::Dir)?;
        // INVARIANT: checked just above.
        Ok(Dir(d))
    }

    /// Looks `name` up in this directory (not `.` or `..`).
    pub(crate) fn lookup(&self, name: &[u8]) -> Result<Dentry> {
        let len = name_len(name)?;
        // SAFETY: `self` holds a reference on a directory; `name` is valid
        // for `len` bytes.
        Dentry::from_result(unsafe { zcnfsd_lookup(self.as_ptr(), name.as_ptr(), len) })
    }
}

impl Deref for Dir {
    type Target = Dentry;

    fn deref(&self) -> &Dentry {
        &self.0
    }
}

impl Clone for Dentry {
    fn clone(&self) -> Self {
        // SAFETY: `self` holds a reference, so the dentry is alive.
        let p = unsafe { zcnfsd_dget(self.as_ptr()) };
        // INVARIANT: dget returned its argument with one more reference.
        Dentry {
            ptr: NonNull::new(p).unwrap_or(self.ptr),
        }
    }
}

impl Drop for Dentry {
    fn drop(&mut self) {
        // SAFETY: by the type invariant we own one reference.
        unsafe { zcnfsd_dput(self.as_ptr()) }
    }
}

/// The exported directory: its mount and dentry, referenced.
///
/// # Invariants
///
/// `path` holds references (from `kern_path`) on its mount and dentry.
pub(crate) struct ExportPath {
    path: bindings::path,
}

// SAFETY: a path reference may be used and dropped from any thread.
unsafe impl Send for ExportPath {}
// SAFETY: only read after construction.
unsafe impl Sync for ExportPath {}

impl ExportPath {
    /// Looks up the `export_path` parameter (a directory).
    pub(crate) fn open() -> Result<ExportPath> {
        let mut path = bindings::path {
            mnt: core::ptr::null_mut(),
            dentry: core::ptr::null_mut(),
        };
        // SAFETY: `path` is writable; on success it holds references.
        to_result(unsafe { zcnfsd_export_open(&mut path) })?;
        // INVARIANT: kern_path succeeded.
        Ok(ExportPath { path })
    }

    fn mnt(&self) -> *mut bindings::vfsmount {
        self.path.mnt
    }

    /// The exported directory, with a new reference.
    pub(crate) fn root(&self) -> Result<Dentry> {
        // SAFETY: the path holds a reference on its dentry, so it is alive;
        // dget returns it with one more reference.
        Dentry::from_result(unsafe { zcnfsd_dget(self.path.dentry) })
    }

    /// The live object inside the export that `fid` names
    /// (`exportfs_decode_fh`): `ESTALE` if there is none, `ENOMEM`.
    pub(crate) fn decode_fid(&self, fid: &Fid) -> Result<Dentry> {
        let mut raw = fid.raw;
        let words = c_int::try_from(fid.words.min(FID_MAX_WORDS)).map_err(|_| EINVAL)?;
        // SAFETY: the path holds references on its mount and dentry; `raw`
        // holds `words` words.
        Dentry::from_result(unsafe {
            zcnfsd_decode_fid(
                self.mnt(),
                self.path.dentry,
                raw.as_mut_ptr(),
                words,
                c_int::from(fid.fid_type),
            )
        })
    }

    /// The ACCESS3_* bits of `want` that the permission checks grant the
    /// current credentials (`nfsd_access`).
    pub(crate) fn access(&self, d: &Dentry, want: u32) -> u32 {
        // SAFETY: the path holds a reference on its mount; `d` holds a
        // reference on a positive dentry (callers only have live ones,
        // decoded from file handles).
        unsafe { zcnfsd_access(self.mnt(), d.as_ptr(), want) }
    }

    /// Whether the current credentials have the access `acc` (`MAY_*`) to
    /// `d`, as `nfsd_permission` decides it: `EACCES`, `EPERM`, `EROFS`.
    pub(crate) fn permission(&self, d: &Dentry, acc: i32) -> Result {
        // SAFETY: the path holds a reference on its mount; `d` holds a
        // reference on a positive dentry.
        to_result(unsafe { zcnfsd_permission(self.mnt(), d.as_ptr(), acc) })
    }

    /// `vfs_getattr` of `d` (on this export's mount).
    pub(crate) fn getattr(&self, d: &Dentry) -> Result<Attr> {
        let mut a = Attr::default();
        // SAFETY: both referenced; `a` is writable.
        to_result(unsafe { zcnfsd_getattr(self.mnt(), d.as_ptr(), &mut a) })?;
        Ok(a)
    }

    /// `notify_change` of `d`.
    pub(crate) fn setattr(&self, d: &Dentry, sa: &SetAttr) -> Result {
        // SAFETY: both referenced; `sa` is readable.
        to_result(unsafe { zcnfsd_setattr(self.mnt(), d.as_ptr(), sa) })
    }

    /// Creates regular file `name` in `dir`, or finds the existing object:
    /// returns it and whether it existed.
    pub(crate) fn create(&self, dir: &Dir, name: &[u8], mode: u32) -> Result<(Dentry, bool)> {
        let len = name_len(name)?;
        let mut existed = false;
        // SAFETY: references held; `name` valid for `len` bytes.
        let d = unsafe {
            zcnfsd_create(
                self.mnt(),
                dir.as_ptr(),
                name.as_ptr(),
                len,
                mode,
                &mut existed,
            )
        };
        Ok((Dentry::from_result(d)?, existed))
    }

    /// Creates directory `name` in `dir`.
    pub(crate) fn mkdir(&self, dir: &Dir, name: &[u8], mode: u32) -> Result<Dentry> {
        let len = name_len(name)?;
        // SAFETY: references held; `name` valid for `len` bytes.
        Dentry::from_result(unsafe {
            zcnfsd_mkdir(self.mnt(), dir.as_ptr(), name.as_ptr(), len, mode)
        })
    }

    /// Removes `name` from `dir` (a directory if `rmdir`, else anything
    /// but).
    pub(crate) fn remove(&self, dir: &Dir, name: &[u8], rmdir: bool) -> Result {
        let len = name_len(name)?;
        // SAFETY: references held; `name` valid for `len` bytes.
        to_result(unsafe { zcnfsd_remove(self.mnt(), dir.as_ptr(), name.as_ptr(), len, rmdir) })
    }

    /// Renames `fname` in `fdir` to `tname` in `tdir` (over an existing
    /// target).
    pub(crate) fn rename(&self, fdir: &Dir, fname: &[u8], tdir: &Dir, tname: &[u8]) -> Result {
        let (flen, tlen) = (name_len(fname)?, name_len(tname)?);
        // SAFETY: references held; the names are valid for their lengths.
        to_result(unsafe {
            zcnfsd_rename(
                self.mnt(),
                fdir.as_ptr(),
                fname.as_ptr(),
                flen,
                tdir.as_ptr(),
                tname.as_ptr(),
                tlen,
            )
        })
    }

    /// Opens `d` (read-write if `write`).
    pub(crate) fn open_file(&self, d: &Dentry, write: bool) -> Result<ARef<File>> {
        // SAFETY: references held.
        let f = from_err_ptr(unsafe { zcnfsd_open(self.mnt(), d.as_ptr(), c_int::from(write)) })?;
        let f = NonNull::new(f.cast::<File>()).ok_or(EINVAL)?;
        // SAFETY: dentry_open returned a new reference on a file that is in
        // no file table, so no `fdget_pos` is active on it (File's
        // invariant); `File` is a transparent wrapper of `struct file`.
        Ok(unsafe { ARef::from_raw(f) })
    }

    /// `vfs_statfs` of the file system holding `d`.
    pub(crate) fn statfs(&self, d: &Dentry) -> Result<StatFs> {
        let mut s = StatFs::default();
        // SAFETY: references held; `s` is writable.
        to_result(unsafe { zcnfsd_statfs(self.mnt(), d.as_ptr(), &mut s) })?;
        Ok(s)
    }
}

impl Drop for ExportPath {
    fn drop(&mut self) {
        // SAFETY: by the type invariant the path holds references.
        unsafe { zcnfsd_path_put(&mut self.path) }
    }
}

/// `vfs_fsync_range` of `[start, end]` (inclusive).
pub(crate) fn fsync(file: &File, start: i64, end: i64) -> Result {
    // SAFETY: `file` is a live file.
    to_result(unsafe { zcnfsd_fsync(file.as_ptr(), start, end) })
}

/// Collects directory entries of `dir` from `pos` into `buf` (records of
/// a [`DIRENT_HEADER`]-byte header and the padded name).
pub(crate) fn readdir(dir: &File, pos: i64, buf: &mut [u8]) -> Result<ReaddirRes> {
    let mut res = ReaddirRes::default();
    // SAFETY: `dir` is a live file; `buf` is writable for its length.
    to_result(unsafe {
        zcnfsd_readdir(
            dir.as_ptr(),
            pos,
            buf.as_mut_ptr(),
            buf.len() as u64,
            &mut res,
        )
    })?;
    Ok(res)
}

/// The wall clock, in nanoseconds since the epoch.
pub(crate) fn real_time_ns() -> u64 {
    // SAFETY: no preconditions.
    unsafe { zcnfsd_real_time_ns() }
}

/// A running kernel thread; dropping it waits for the thread to return
/// (the owner makes it return first, e.g. by stopping what it serves).
///
/// # Invariants
///
/// `task` is a kthread started by `zcnfsd_thread_start`, on which this
/// value holds a task reference; `data` is the boxed closure it was given,
/// which the thread takes over if it runs.
pub(crate) struct Thread {
    task: NonNull<bindings::task_struct>,
    data: *mut c_void,
    drop_data: unsafe fn(*mut c_void),
}

// SAFETY: the task reference and the closure pointer may be handled from any
// thread; the closure is `Send`.
unsafe impl Send for Thread {}
// SAFETY: no method works through `&Thread`.
unsafe impl Sync for Thread {}

/// The thread function: runs the closure.
///
/// # Safety
///
/// `data` is the pointer `Thread::spawn` leaked for a `KBox<F>`, passed
/// once.
unsafe extern "C" fn thread_main<F: FnOnce() + Send + 'static>(data: *mut c_void) -> c_int {
    // SAFETY: `data` is the `KBox<F>` leaked by `Thread::spawn`; only this
    // function (which runs at most once) or `Thread::join` (when this never
    // ran) takes it back.
    let f = unsafe { KBox::from_raw(data.cast::<F>()) };
    KBox::into_inner(f)();
    0
}

/// Frees the closure of a thread that never ran.
///
/// # Safety
///
/// `data` is the pointer `Thread::spawn` leaked for a `KBox<F>`, not
/// taken back by `thread_main`.
unsafe fn drop_box<F>(data: *mut c_void) {
    // SAFETY: the caller passes the pointer leaked by `Thread::spawn` for
    // an `F`, not taken back by `thread_main`.
    drop(unsafe { KBox::from_raw(data.cast::<F>()) });
}

impl Thread {
    /// Starts a kernel thread named `name` running `f`.
    pub(crate) fn spawn<F: FnOnce() + Send + 'static>(name: &CStr, f: F) -> Result<Thread> {
        let data = KBox::into_raw(KBox::new(f, GFP_KERNEL)?).cast::<c_void>();
        // SAFETY: `thread_main::<F>` matches `data`; `name` is a C string.
        let task = unsafe { zcnfsd_thread_start(Some(thread_main::<F>), data, name.as_char_ptr()) };
        match from_err_ptr(task).ok().and_then(NonNull::new) {
            // INVARIANT: started, with a task reference.
            Some(task) => Ok(Thread {
                task,
                data,
                drop_data: drop_box::<F>,
            }),
            None => {
                // SAFETY: the thread was not created; the box is still ours.
                unsafe { drop_box::<F>(data) };
                Err(ENOMEM)
            }
        }
    }
}

impl Drop for Thread {
    fn drop(&mut self) {
        // SAFETY: by the type invariant we hold a task reference, which
        // this consumes (`drop` runs once).
        let r = unsafe { zcnfsd_thread_stop(self.task.as_ptr()) };
        if r == -(bindings::EINTR as c_int) {
            // The thread was stopped before it ran: the closure is ours.
            // SAFETY: `thread_main` never ran, so `data` was not taken.
            unsafe { (self.drop_data)(self.data) };
        }
    }
}
