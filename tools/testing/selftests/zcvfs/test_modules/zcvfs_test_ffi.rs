// SPDX-License-Identifier: GPL-2.0

//! The thin unsafe layer of the test driver: file descriptors, the C
//! helpers of the test provider, and the global lock's initialisation.

use crate::zcvfs_api::error::from_ssize;
use crate::zcvfs_api::xuio::{Segment, WritableSegments};
use kernel::bindings;
use kernel::ffi::c_void;
use kernel::fs::{File, LocalFile};
use kernel::prelude::*;
use kernel::sync::aref::ARef;
use kernel::uaccess::UserPtr;

// Pointers to opaque kernel structures: some bindgen types contain
// zero-length arrays, which the lint flags although only pointers cross.
#[allow(improper_ctypes)]
extern "C" {
    fn zcvfs_test_rw_bvec(
        file: *mut bindings::file,
        bv: *const bindings::bio_vec,
        nr: usize,
        len: usize,
        pos: i64,
        write: bool,
    ) -> isize;
    fn zcvfs_test_c_read(
        file: *mut bindings::file,
        off: i64,
        len: usize,
        buf: *mut u8,
        zc: *mut i32,
    ) -> isize;
    fn zcvfs_test_bvec_to_user(
        bv: *const bindings::bio_vec,
        nr: usize,
        ubuf: *mut c_void,
        len: usize,
    ) -> isize;
    fn zcvfs_test_bvec_from_user(
        bv: *const bindings::bio_vec,
        nr: usize,
        ubuf: *const c_void,
        len: usize,
    ) -> isize;
}

/// The file of descriptor `fd` of the calling process.
pub(crate) fn fget(fd: i64) -> Result<ARef<File>> {
    let fd = u32::try_from(fd).map_err(|_| EBADF)?;
    let f = LocalFile::fget(fd).map_err(|_| EBADF)?;
    // SAFETY: called from an ioctl of our misc device, which does not use
    // `fdget_pos` on this thread.
    Ok(unsafe { LocalFile::assume_no_fdget_pos(f) })
}

/// Read `len` bytes at `pos` into the pages of `segs` (`write` false), or
/// write them from those pages (`write` true), without fsnotify.
///
/// # Safety
///
/// For a read, nothing but the caller accesses the pages of `segs` (they
/// are a `WritableSegments`).
unsafe fn rw_bvec(
    file: &File,
    segs: &[Segment],
    len: usize,
    pos: u64,
    write: bool,
) -> Result<usize> {
    if len > Segment::total(segs) {
        return Err(EINVAL);
    }
    let pos = i64::try_from(pos).map_err(|_| EINVAL)?;
    // SAFETY: `file` is live; `segs` are valid (`Segment`) and cover `len`
    // bytes (checked above); a write only reads them, and the pages a read
    // writes are only the caller's (the function's contract).
    from_ssize(unsafe {
        zcvfs_test_rw_bvec(
            file.as_ptr(),
            Segment::as_raw_slice(segs),
            segs.len(),
            len,
            pos,
            write,
        )
    })
}

/// Read `len` bytes at `pos` into the pages of `segs` (no fsnotify).
pub(crate) fn read_into(
    file: &File,
    segs: WritableSegments<'_>,
    len: usize,
    pos: u64,
) -> Result<usize> {
    // SAFETY: `segs` are writable segments, which only the caller uses.
    let n = unsafe { rw_bvec(file, segs.as_slice(), len, pos, false) }?;
    // SAFETY: the read just wrote the first `n` bytes.
    unsafe { segs.mark_filled(0, n) };
    Ok(n)
}

/// Write `len` bytes at `pos` from the pages of `segs` (no fsnotify).
pub(crate) fn write_from(file: &File, segs: &[Segment], len: usize, pos: u64) -> Result<usize> {
    // SAFETY: a write; the contract is only about reads.
    unsafe { rw_bvec(file, segs, len, pos, true) }
}

/// Copy the start of `segs` to user memory at `ptr` (at most `len`
/// bytes, fewer if the segments hold less); returns the bytes copied.
pub(crate) fn segments_to_user(segs: &[Segment], ptr: UserPtr, len: usize) -> Result<usize> {
    // SAFETY: `segs` are valid segments of a loan the caller may read (a
    // READ loan after its read); the helper checks the user range
    // (`import_ubuf`) and copies with fault handling.
    from_ssize(unsafe {
        zcvfs_test_bvec_to_user(
            Segment::as_raw_slice(segs),
            segs.len(),
            ptr.as_mut_ptr(),
            len,
        )
    })
}

/// Fill the start of `segs` from user memory at `ptr` (at most `len`
/// bytes); returns the bytes copied.
pub(crate) fn segments_from_user(
    segs: WritableSegments<'_>,
    ptr: UserPtr,
    len: usize,
) -> Result<usize> {
    let raw = segs.as_slice();
    // SAFETY: `raw` are writable segments (a WRITE loan not written yet),
    // which nothing else accesses; the user range is checked as above.
    let n = from_ssize(unsafe {
        zcvfs_test_bvec_from_user(
            Segment::as_raw_slice(raw),
            raw.len(),
            ptr.as_const_ptr(),
            len,
        )
    })?;
    // SAFETY: the copy just wrote the first `n` bytes.
    unsafe { segs.mark_filled(0, n) };
    Ok(n)
}

/// The C consumer of `zcvfs_test_helpers.c` (the documentation's example):
/// reads into `buf`; returns the bytes and whether zero-copy served them.
pub(crate) fn c_consumer_read(file: &File, off: i64, buf: &mut [u8]) -> Result<(usize, bool)> {
    let mut zc = 0i32;
    // SAFETY: `file` is live, `buf` is valid for writes of its length, `zc`
    // is a valid out-parameter.
    let n = unsafe { zcvfs_test_c_read(file.as_ptr(), off, buf.len(), buf.as_mut_ptr(), &mut zc) };
    Ok((from_ssize(n)?, zc != 0))
}

kernel::sync::global_lock! {
    // SAFETY: `init` runs first thing at module load.
    pub(crate) unsafe(uninit) static PROVIDER: Mutex<crate::provider::ProviderState> =
        crate::provider::ProviderState::new();
}

/// Initialise the global lock; called once, first thing at module load.
pub(crate) fn init() {
    // SAFETY: called once, from module init, before any use.
    unsafe { PROVIDER.init() };
}
