// SPDX-License-Identifier: GPL-2.0

//! KUnit tests of the shared API's xuio types (`api/xuio.rs`,
//! `api/bindings.rs`), run in zcvfs.ko only (one suite name per kernel).
#![deny(unsafe_code)]

use kernel::prelude::*;

#[kunit_tests(zcvfs_xuio)]
mod tests {
    use crate::zcvfs_api::bindings::*;
    use crate::zcvfs_api::xuio::{AioState, Rw, Xuio, XuioExt, ZcState};
    use kernel::prelude::*;

    #[test]
    fn decode_extension() {
        let mut raw = RawXuio::zeroed();
        assert_eq!(XuioExt::of(&raw), XuioExt::Plain);
        raw.set_xuio(Some(UIOTYPE_ZEROCOPY));
        raw.set_zc_state(UIO_WRITE, XUIO_ZC_FILLED, 5);
        assert_eq!(
            XuioExt::of(&raw),
            XuioExt::ZeroCopy {
                rw: Some(Rw::Write),
                state: ZcState::Filled,
                handle: core::ptr::null_mut(),
            }
        );
        raw.set_xuio(Some(9));
        assert_eq!(XuioExt::of(&raw), XuioExt::Unknown(9));
        // The type tag means nothing without UIO_XUIO.
        raw.set_xuio(None);
        assert_eq!(XuioExt::of(&raw), XuioExt::Plain);
    }

    #[test]
    fn values_round_trip() {
        for s in [
            ZcState::None,
            ZcState::Loaned,
            ZcState::Filled,
            ZcState::Written,
            ZcState::Returned,
        ] {
            assert_eq!(ZcState::from_raw(s.raw()), s);
        }
        assert_eq!(ZcState::from_raw(77), ZcState::Unknown(77));
        assert_eq!(Rw::from_raw(Rw::Read.raw()), Ok(Rw::Read));
        assert_eq!(Rw::from_raw(Rw::Write.raw()), Ok(Rw::Write));
        assert_eq!(Rw::from_raw(2), Err(EINVAL));
        assert_eq!(VFSFT_ZEROCOPY_SUPPORTED, 0x1_0000_0100);
    }

    #[test]
    fn owned_xuio() -> Result {
        let mut x = Xuio::new_request(-1, 100)?;
        assert_eq!((x.loffset(), x.resid(), x.extflag()), (-1, 100, 0));
        assert_eq!(x.ext(), XuioExt::Plain);
        assert_eq!(x.zc_state(), None);
        // No loan: no segments to look at.
        assert_eq!(x.segments().err(), Some(EINVAL));
        x.make_async_io(AioState {
            state: 3,
            mbytes: 42,
        })?;
        assert_eq!(
            x.ext(),
            XuioExt::AsyncIo(AioState {
                state: 3,
                mbytes: 42
            })
        );
        assert_eq!(x.extflag(), UIO_XUIO);
        Ok(())
    }
}
