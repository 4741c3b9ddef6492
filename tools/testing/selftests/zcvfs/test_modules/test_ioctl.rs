// SPDX-License-Identifier: GPL-2.0

//! The ioctl ABI of `/dev/zcvfs_test`, mirrored from `../test_ioctl.h`: the
//! request every ioctl reads and writes back, and the command numbers.

use kernel::transmute::{AsBytes, FromBytes};

/// `ZT_OUT`: the words of [`Req::out`].
pub(crate) const OUT: usize = 8;

/// `struct zcvfs_test_req`.
#[repr(C)]
#[derive(Default)]
pub(crate) struct Req {
    pub(crate) fd: i64,
    pub(crate) slot: i64,
    pub(crate) rw: i64,
    pub(crate) offset: i64,
    pub(crate) length: i64,
    pub(crate) buf: u64,
    pub(crate) buf_len: u64,
    pub(crate) arg: i64,
    pub(crate) result: i64,
    pub(crate) out: [i64; OUT],
    pub(crate) reserved: i64,
}

// The C header's `struct zcvfs_test_req`: 18 64-bit words.
const _: () = assert!(core::mem::size_of::<Req>() == 18 * 8);

// SAFETY: `Req` is `repr(C)` and holds only `i64`/`u64` fields (arrays of
// them included), all 8-byte aligned: it has no padding, and every bit
// pattern is a valid value.
unsafe impl FromBytes for Req {}

// SAFETY: as above: no padding, so every byte of a `Req` is initialised.
unsafe impl AsBytes for Req {}

/// `ZT_IOC(nr)`: `_IOWR('Z', nr, struct zcvfs_test_req)`.
const fn zt(nr: u32) -> u32 {
    kernel::ioctl::_IOWR::<Req>('Z' as u32, nr)
}
pub(crate) const ZT_PROVIDER_ENABLE: u32 = zt(0x01);
pub(crate) const ZT_PROVIDER_DISABLE: u32 = zt(0x02);
pub(crate) const ZT_HAS_FEATURE: u32 = zt(0x03);
pub(crate) const ZT_REQ: u32 = zt(0x10);
pub(crate) const ZT_READ: u32 = zt(0x11);
pub(crate) const ZT_WRITE: u32 = zt(0x12);
pub(crate) const ZT_RET: u32 = zt(0x13);
pub(crate) const ZT_PEEK: u32 = zt(0x14);
pub(crate) const ZT_FILL: u32 = zt(0x15);
pub(crate) const ZT_STATE: u32 = zt(0x16);
pub(crate) const ZT_SLOT_FREE: u32 = zt(0x17);
pub(crate) const ZT_PLAIN_READ: u32 = zt(0x20);
pub(crate) const ZT_PLAIN_WRITE: u32 = zt(0x21);
pub(crate) const ZT_LOAN_READ: u32 = zt(0x30);
pub(crate) const ZT_LOAN_WRITE: u32 = zt(0x31);
pub(crate) const ZT_C_READ: u32 = zt(0x32);
pub(crate) const ZT_MON_INSTALL: u32 = zt(0x40);
pub(crate) const ZT_MON_UNINSTALL: u32 = zt(0x41);
pub(crate) const ZT_MON_COUNTS: u32 = zt(0x42);
pub(crate) const ZT_TRUNCATE: u32 = zt(0x43);
pub(crate) const ZT_BENCH_READ: u32 = zt(0x50);

/// `arg` of `ZT_REQ`.
pub(crate) const ZT_REQ_ASYNCIO: i64 = 1;
pub(crate) const ZT_REQ_FRESH: i64 = 2;
/// `arg` of `ZT_WRITE`.
pub(crate) const ZT_WRITE_SET_OFFSET: i64 = 1;
/// `ZT_LOAN_READ`'s `arg`: request and read in one call.
pub(crate) const ZT_LOAN_READ_ONE_CALL: i64 = 1;
/// `arg` of `ZT_MON_INSTALL`: a counting or a vetoing monitor.
pub(crate) const ZT_MON_COUNT: i64 = 0;
pub(crate) const ZT_MON_VETO: i64 = 1;
