// SPDX-License-Identifier: GPL-2.0

//! XDR primitives.

mod common;

use common::{hex, Rng};
use zcnfsd_proto::xdr::*;

#[test]
fn integers_are_big_endian() {
    let mut buf = [0u8; 32];
    let mut e = Encoder::new(&mut buf);
    e.u32(0x0102_0304).unwrap();
    e.i32(-2).unwrap();
    e.u64(0x0102_0304_0506_0708).unwrap();
    e.i64(-1).unwrap();
    e.bool(true).unwrap();
    assert_eq!(e.position(), 28);
    assert_eq!(
        e.written(),
        &hex("01020304 fffffffe 0102030405060708 ffffffffffffffff 00000001")[..]
    );
    let mut d = Decoder::new(&buf[..28]);
    assert_eq!(d.u32(), Ok(0x0102_0304));
    assert_eq!(d.i32(), Ok(-2));
    assert_eq!(d.u64(), Ok(0x0102_0304_0506_0708));
    assert_eq!(d.i64(), Ok(-1));
    assert_eq!(d.bool(), Ok(true));
    assert!(d.is_empty());
    assert_eq!(d.u32(), Err(XdrError::Short));
}

#[test]
fn bool_rejects_other_values() {
    for v in [2u32, 3, 0x100, u32::MAX, 0x8000_0000] {
        let b = v.to_be_bytes();
        let mut d = Decoder::new(&b);
        assert_eq!(d.bool(), Err(XdrError::BadValue));
        assert_eq!(d.position(), 0);
    }
}

#[test]
fn padding() {
    assert_eq!(pad_len(0), 0);
    assert_eq!(pad_len(1), 3);
    assert_eq!(pad_len(2), 2);
    assert_eq!(pad_len(3), 1);
    assert_eq!(pad_len(4), 0);
    assert_eq!(pad_len(usize::MAX), 1);
    for n in 0..64 {
        assert_eq!(padding_for(n).len(), pad_len(n));
        assert_eq!((n + pad_len(n)) % 4, 0);
        assert_eq!(padded_len(n), Some(n + pad_len(n)));
        assert_eq!(opaque_wire_len(n), Some(4 + n + pad_len(n)));
    }
    assert_eq!(padded_len(usize::MAX), None);
    assert_eq!(opaque_wire_len(usize::MAX - 3), None);
    assert_eq!(opaque_wire_len(usize::MAX - 4), None);
}

#[test]
fn opaque_variable_and_fixed() {
    for len in 0..=9usize {
        let data: Vec<u8> = (1..=len as u8).collect();
        let mut buf = [0xaau8; 32];
        let mut e = Encoder::new(&mut buf);
        e.opaque(&data, 16).unwrap();
        let n = e.position();
        assert_eq!(n, 4 + len + pad_len(len));
        // Padding is written as zeros.
        assert!(buf[4 + len..n].iter().all(|&b| b == 0));
        let mut d = Decoder::new(&buf[..n]);
        assert_eq!(d.opaque(16), Ok(&data[..]));
        assert!(d.is_empty());
        // Limits.
        let mut d = Decoder::new(&buf[..n]);
        if len > 0 {
            assert_eq!(d.opaque(len - 1), Err(XdrError::TooLong));
            assert_eq!(d.position(), 0);
        }
        // Every prefix is short.
        for k in 0..n {
            assert_eq!(Decoder::new(&buf[..k]).opaque(16), Err(XdrError::Short));
        }

        let mut buf = [0u8; 16];
        let mut e = Encoder::new(&mut buf);
        e.opaque_fixed(&data).unwrap();
        let n = e.position();
        assert_eq!(n, len + pad_len(len));
        let mut d = Decoder::new(&buf[..n]);
        assert_eq!(d.opaque_fixed(len), Ok(&data[..]));
        assert!(d.is_empty());
    }
    let mut buf = [0u8; 64];
    assert_eq!(
        Encoder::new(&mut buf).opaque(&[0; 17], 16),
        Err(XdrError::TooLong)
    );
}

#[test]
fn nonzero_padding_is_accepted() {
    let b = hex("00000001 41 ffffff 00000007");
    let mut d = Decoder::new(&b);
    assert_eq!(d.string(10), Ok(&b"A"[..]));
    assert_eq!(d.u32(), Ok(7));
}

#[test]
fn huge_lengths_are_errors() {
    for len in [
        u32::MAX,
        u32::MAX - 1,
        u32::MAX - 3,
        0x8000_0000,
        0x7fff_ffff,
    ] {
        let b = len.to_be_bytes();
        assert_eq!(Decoder::new(&b).opaque(usize::MAX), Err(XdrError::Short));
        assert_eq!(Decoder::new(&b).opaque(1024), Err(XdrError::TooLong));
        assert_eq!(
            U32List::decode_max(&mut Decoder::new(&b), usize::MAX).err(),
            Some(XdrError::Short)
        );
    }
    let mut d = Decoder::new(&[]);
    assert_eq!(d.take(usize::MAX), Err(XdrError::Short));
    assert_eq!(d.opaque_fixed(usize::MAX), Err(XdrError::Short));
    assert_eq!(d.opaque_fixed(usize::MAX - 2), Err(XdrError::Short));
}

#[test]
fn encoder_bounds() {
    let mut buf = [0u8; 6];
    let mut e = Encoder::new(&mut buf);
    e.u32(1).unwrap();
    assert_eq!(e.u32(2), Err(XdrError::NoSpace));
    assert_eq!(e.u64(2), Err(XdrError::NoSpace));
    assert_eq!(e.opaque_fixed(&[1, 2]), Err(XdrError::NoSpace));
    assert_eq!(e.opaque(&[], 0), Err(XdrError::NoSpace));
    assert_eq!(e.position(), 4, "failed primitives write nothing");
    e.put(&[9, 9]).unwrap();
    assert_eq!(e.remaining(), 0);
    assert_eq!(e.put(&[]), Ok(()));
    assert_eq!(e.put(&[1]), Err(XdrError::NoSpace));
}

#[test]
fn reserve_patch_truncate() {
    let mut buf = [0xffu8; 16];
    let mut e = Encoder::new(&mut buf);
    let at = e.reserve(4).unwrap();
    e.u32(7).unwrap();
    e.patch_u32(at, 0xdead_beef).unwrap();
    assert_eq!(e.written(), &hex("deadbeef 00000007")[..]);
    assert_eq!(e.patch_u32(8, 1), Err(XdrError::NoSpace), "beyond written");
    assert_eq!(e.patch_u32(usize::MAX, 1), Err(XdrError::NoSpace));
    e.truncate(4);
    assert_eq!(e.position(), 4);
    e.truncate(100);
    assert_eq!(e.position(), 4);
    assert_eq!(e.reserve(13), Err(XdrError::NoSpace));
    assert_eq!(e.reserve(usize::MAX), Err(XdrError::NoSpace));
}

#[test]
fn fixed_arrays_and_options() {
    roundtrip!([u8; 8], [1, 2, 3, 4, 5, 6, 7, 8]);
    roundtrip!([u8; 3], [1, 2, 3]);
    assert_eq!(roundtrip!(Option<u32>, None), hex("00000000"));
    assert_eq!(roundtrip!(Option<u32>, Some(5)), hex("00000001 00000005"));
    assert_eq!(
        roundtrip!(Option<u64>, Some(u64::MAX)),
        hex("00000001 ffffffffffffffff")
    );
    roundtrip!(bool, false);
    roundtrip!((), ());
}

#[test]
fn u32_list() {
    let vals = [1u32, 2, 0xffff_ffff];
    let l = U32List::from_slice(&vals);
    let mut buf = [0u8; 32];
    let mut e = Encoder::new(&mut buf);
    l.encode_max(&mut e, 3).unwrap();
    let n = e.position();
    assert_eq!(&buf[..n], &hex("00000003 00000001 00000002 ffffffff")[..]);
    let mut d = Decoder::new(&buf[..n]);
    let back = U32List::decode_max(&mut d, 3).unwrap();
    assert!(d.is_empty());
    assert_eq!(back, l);
    assert_eq!(back.len(), 3);
    assert_eq!(back.get(2), Some(0xffff_ffff));
    assert_eq!(back.get(3), None);
    assert_eq!(back.iter().collect::<Vec<_>>(), vals);
    assert_eq!(back.iter().size_hint(), (3, Some(3)));
    assert_eq!(
        U32List::decode_max(&mut Decoder::new(&buf[..n]), 2),
        Err(XdrError::TooLong)
    );
    for k in 0..n {
        let mut d = Decoder::new(&buf[..k]);
        assert_eq!(U32List::decode_max(&mut d, 3), Err(XdrError::Short));
        assert_eq!(d.position(), 0);
    }
    let mut e = Encoder::new(&mut buf);
    assert_eq!(l.encode_max(&mut e, 2), Err(XdrError::TooLong));
    for cap in 0..n {
        let mut small = vec![0u8; cap];
        let mut e = Encoder::new(&mut small);
        assert_eq!(l.encode_max(&mut e, 3), Err(XdrError::NoSpace));
        assert_eq!(e.position(), 0);
    }
    assert!(U32List::EMPTY.is_empty());
    assert_ne!(U32List::EMPTY, l);
}

/// Random sequences of primitive operations, encoded then decoded.
#[test]
fn random_primitive_sequences() {
    #[derive(Debug)]
    enum Op {
        U32(u32),
        I32(i32),
        U64(u64),
        I64(i64),
        Bool(bool),
        Opaque(Vec<u8>),
        Fixed(Vec<u8>),
    }
    let mut rng = Rng::new(1);
    for _ in 0..2000 {
        let ops: Vec<Op> = (0..rng.below(12))
            .map(|_| match rng.below(7) {
                0 => Op::U32(rng.edgy_u32()),
                1 => Op::I32(rng.edgy_u32() as i32),
                2 => Op::U64(rng.edgy_u64()),
                3 => Op::I64(rng.edgy_u64() as i64),
                4 => Op::Bool(rng.bool()),
                5 => {
                    let n = rng.below(20);
                    Op::Opaque(rng.bytes(n))
                }
                _ => {
                    let n = rng.below(20);
                    Op::Fixed(rng.bytes(n))
                }
            })
            .collect();
        let mut buf = vec![0u8; 1024];
        let mut e = Encoder::new(&mut buf);
        for op in &ops {
            match op {
                Op::U32(v) => e.u32(*v),
                Op::I32(v) => e.i32(*v),
                Op::U64(v) => e.u64(*v),
                Op::I64(v) => e.i64(*v),
                Op::Bool(v) => e.bool(*v),
                Op::Opaque(v) => e.opaque(v, 19),
                Op::Fixed(v) => e.opaque_fixed(v),
            }
            .unwrap();
        }
        let n = e.position();
        assert_eq!(n % 4, 0);
        let mut d = Decoder::new(&buf[..n]);
        for op in &ops {
            match op {
                Op::U32(v) => assert_eq!(d.u32(), Ok(*v)),
                Op::I32(v) => assert_eq!(d.i32(), Ok(*v)),
                Op::U64(v) => assert_eq!(d.u64(), Ok(*v)),
                Op::I64(v) => assert_eq!(d.i64(), Ok(*v)),
                Op::Bool(v) => assert_eq!(d.bool(), Ok(*v)),
                Op::Opaque(v) => assert_eq!(d.opaque(19), Ok(&v[..])),
                Op::Fixed(v) => assert_eq!(d.opaque_fixed(v.len()), Ok(&v[..])),
            }
        }
        assert!(d.is_empty());
        assert_eq!(d.rest(), &[] as &[u8]);
    }
}
