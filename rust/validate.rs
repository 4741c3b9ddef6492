// SPDX-License-Identifier: GPL-2.0

//! Argument checking of the VOP entry points (the errors listed under "Semantics" in Documentation/zcvfs.rst). Pure logic.
#![deny(unsafe_code)]

use crate::zcvfs_api::bindings::{UIO_MAXSEGS, UIO_SEG_BVEC, UIO_SEG_KVEC};
use crate::zcvfs_api::xuio::{Rw, XuioExt, ZcState};
use kernel::prelude::*;

/// What the checks need to know about the file.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FileLimits {
    /// `s_maxbytes` of its filesystem.
    pub(crate) maxbytes: i64,
    /// `MAX_RW_COUNT`.
    pub(crate) max_rw: usize,
    /// Opened for reading.
    pub(crate) readable: bool,
    /// Opened for writing.
    pub(crate) writable: bool,
}

/// Check that `len` bytes at `offset >= 0` fit the file's limits.
pub(crate) fn check_range(offset: i64, len: usize, lim: &FileLimits) -> Result {
    if offset < 0 {
        return Err(EINVAL);
    }
    let len = i64::try_from(len).map_err(|_| EOVERFLOW)?;
    let end = offset.checked_add(len).ok_or(EOVERFLOW)?;
    if end > lim.maxbytes {
        return Err(EFBIG);
    }
    Ok(())
}

/// Check a `fop_reqzcbuf` request; returns its direction.
///
/// - `EINVAL`: bad direction, length 0 or negative or above `MAX_RW_COUNT`,
///   offset below -1, an anonymous READ, an asynchronous-I/O or unknown xuio
///   type;
/// - `EBUSY`: the xuio still holds a loan (a new one would lose it);
/// - `EOVERFLOW`: offset + length overflows; `EFBIG`: beyond `s_maxbytes`;
/// - `EBADF`: the file is not open for the direction.
pub(crate) fn check_request(
    rw: u32,
    ext: XuioExt,
    offset: i64,
    len: i64,
    lim: &FileLimits,
) -> Result<Rw> {
    let rw = Rw::from_raw(rw)?;
    match ext {
        XuioExt::Plain => {}
        XuioExt::ZeroCopy {
            state: ZcState::None | ZcState::Returned,
            ..
        } => {}
        XuioExt::ZeroCopy {
            state: ZcState::Loaned | ZcState::Filled | ZcState::Written,
            ..
        } => return Err(EBUSY),
        _ => return Err(EINVAL),
    }
    if len <= 0 {
        return Err(EINVAL);
    }
    let len = usize::try_from(len).map_err(|_| EINVAL)?;
    if len > lim.max_rw {
        return Err(EINVAL);
    }
    match offset {
        -1 if rw == Rw::Read => return Err(EINVAL),
        -1 => {}
        o if o < 0 => return Err(EINVAL),
        o => check_range(o, len, lim)?,
    }
    let allowed = match rw {
        Rw::Read => lim.readable,
        Rw::Write => lim.writable,
    };
    if !allowed {
        return Err(EBADF);
    }
    Ok(rw)
}

/// Check a plain xuio for `fop_read_xuio`/`fop_write_xuio`; returns the
/// byte count, given the total length of its segments (asked for lazily,
/// after the cheap checks).
pub(crate) fn check_plain(
    offset: i64,
    resid: i64,
    segflg: u32,
    nsegs: u32,
    segs_total: impl FnOnce() -> Result<u64>,
    lim: &FileLimits,
) -> Result<usize> {
    if resid < 0 || offset < 0 {
        return Err(EINVAL);
    }
    if segflg != UIO_SEG_BVEC && segflg != UIO_SEG_KVEC {
        return Err(EINVAL);
    }
    if nsegs == 0 || nsegs > UIO_MAXSEGS {
        return Err(EINVAL);
    }
    let count = usize::try_from(resid).map_err(|_| EINVAL)?;
    check_range(offset, count, lim)?;
    if segs_total()? < resid as u64 {
        return Err(EINVAL);
    }
    Ok(count)
}

/// The direction of an I/O.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Io {
    /// `fop_read_xuio`.
    Read,
    /// `fop_write_xuio`.
    Write,
}

/// Check a zero-copy read or write against the loan's state: a READ loan
/// is read once, a WRITE loan written once, nothing after the return.
pub(crate) fn check_zc_io(io: Io, rw: Rw, state: ZcState) -> Result {
    match (io, rw) {
        (Io::Read, Rw::Read) | (Io::Write, Rw::Write) => {}
        _ => return Err(EINVAL),
    }
    if state != ZcState::Loaned {
        return Err(EINVAL);
    }
    Ok(())
}

/// Check the extension for a zero-copy read/write/return: a plain xuio is
/// not one (`None`: use the normal path), other types get `EINVAL`.
pub(crate) fn zc_or_plain(ext: XuioExt) -> Result<Option<ZcState>> {
    match ext {
        XuioExt::Plain => Ok(None),
        XuioExt::ZeroCopy { state, .. } => Ok(Some(state)),
        _ => Err(EINVAL),
    }
}

#[kunit_tests(zcvfs_validate)]
mod tests {
    use super::*;

    const LIM: FileLimits = FileLimits {
        maxbytes: i64::MAX,
        max_rw: 0x7fff_f000,
        readable: true,
        writable: true,
    };

    fn zc(state: ZcState) -> XuioExt {
        XuioExt::ZeroCopy {
            rw: Some(Rw::Read),
            state,
            handle: core::ptr::null_mut(),
        }
    }

    #[test]
    fn request_ok() {
        assert_eq!(
            check_request(0, XuioExt::Plain, 0, 4096, &LIM),
            Ok(Rw::Read)
        );
        assert_eq!(check_request(1, XuioExt::Plain, -1, 1, &LIM), Ok(Rw::Write));
        assert_eq!(
            check_request(1, zc(ZcState::Returned), 10, 1, &LIM),
            Ok(Rw::Write)
        );
    }

    #[test]
    fn request_bad() {
        assert_eq!(check_request(2, XuioExt::Plain, 0, 1, &LIM), Err(EINVAL));
        assert_eq!(check_request(0, XuioExt::Plain, 0, 0, &LIM), Err(EINVAL));
        assert_eq!(check_request(0, XuioExt::Plain, 0, -5, &LIM), Err(EINVAL));
        assert_eq!(check_request(0, XuioExt::Plain, -1, 1, &LIM), Err(EINVAL));
        assert_eq!(check_request(1, XuioExt::Plain, -2, 1, &LIM), Err(EINVAL));
        assert_eq!(
            check_request(0, XuioExt::Plain, i64::MAX - 10, 4096, &LIM),
            Err(EOVERFLOW)
        );
        assert_eq!(
            check_request(0, XuioExt::Plain, 0, 0x7fff_f001, &LIM),
            Err(EINVAL)
        );
        let small = FileLimits {
            maxbytes: 8192,
            ..LIM
        };
        assert_eq!(
            check_request(0, XuioExt::Plain, 8000, 4096, &small),
            Err(EFBIG)
        );
        let ro = FileLimits {
            writable: false,
            ..LIM
        };
        assert_eq!(check_request(1, XuioExt::Plain, 0, 1, &ro), Err(EBADF));
        assert_eq!(
            check_request(0, zc(ZcState::Loaned), 0, 1, &LIM),
            Err(EBUSY)
        );
        assert_eq!(
            check_request(0, zc(ZcState::Filled), 0, 1, &LIM),
            Err(EBUSY)
        );
        assert_eq!(
            check_request(0, zc(ZcState::Unknown(9)), 0, 1, &LIM),
            Err(EINVAL)
        );
        let aio = XuioExt::AsyncIo(crate::zcvfs_api::xuio::AioState {
            state: 0,
            mbytes: 0,
        });
        assert_eq!(check_request(0, aio, 0, 1, &LIM), Err(EINVAL));
        assert_eq!(
            check_request(0, XuioExt::Unknown(7), 0, 1, &LIM),
            Err(EINVAL)
        );
    }

    #[test]
    fn plain() {
        let t = || Ok(100u64);
        assert_eq!(check_plain(0, 100, UIO_SEG_KVEC, 1, t, &LIM), Ok(100));
        assert_eq!(check_plain(0, 101, UIO_SEG_KVEC, 1, t, &LIM), Err(EINVAL));
        assert_eq!(check_plain(-1, 10, UIO_SEG_KVEC, 1, t, &LIM), Err(EINVAL));
        assert_eq!(check_plain(0, 10, 0, 1, t, &LIM), Err(EINVAL));
        assert_eq!(check_plain(0, 10, UIO_SEG_BVEC, 0, t, &LIM), Err(EINVAL));
        assert_eq!(
            check_plain(0, 10, UIO_SEG_BVEC, UIO_MAXSEGS + 1, t, &LIM),
            Err(EINVAL)
        );
        assert_eq!(
            check_plain(i64::MAX, 10, UIO_SEG_BVEC, 1, t, &LIM),
            Err(EOVERFLOW)
        );
    }

    #[test]
    fn zc_io_state_machine() {
        assert_eq!(check_zc_io(Io::Read, Rw::Read, ZcState::Loaned), Ok(()));
        assert_eq!(check_zc_io(Io::Write, Rw::Write, ZcState::Loaned), Ok(()));
        assert_eq!(
            check_zc_io(Io::Write, Rw::Read, ZcState::Loaned),
            Err(EINVAL)
        );
        assert_eq!(
            check_zc_io(Io::Read, Rw::Write, ZcState::Loaned),
            Err(EINVAL)
        );
        assert_eq!(
            check_zc_io(Io::Read, Rw::Read, ZcState::Filled),
            Err(EINVAL)
        );
        assert_eq!(
            check_zc_io(Io::Write, Rw::Write, ZcState::Written),
            Err(EINVAL)
        );
        assert_eq!(
            check_zc_io(Io::Write, Rw::Write, ZcState::Returned),
            Err(EINVAL)
        );
        assert_eq!(zc_or_plain(XuioExt::Plain), Ok(None));
        assert_eq!(zc_or_plain(XuioExt::Unknown(3)), Err(EINVAL));
    }
}
