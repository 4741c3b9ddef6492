// SPDX-License-Identifier: GPL-2.0

//! Helpers shared by the integration tests: a deterministic PRNG, hex
//! parsing, encoding into a `Vec`, and the round-trip / truncation checks.

#![allow(dead_code)]

use zcnfsd_proto::xdr::{encode_to, Encode, XdrError};

/// SplitMix64: small, deterministic, good enough to drive property tests.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn u32(&mut self) -> u32 {
        (self.u64() >> 32) as u32
    }

    /// Uniform-ish in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.u64() % n as u64) as usize
    }

    pub fn bool(&mut self) -> bool {
        self.u64() & 1 == 1
    }

    /// A u32 biased towards edge values, which matter most to a codec.
    pub fn edgy_u32(&mut self) -> u32 {
        match self.below(6) {
            0 => 0,
            1 => u32::MAX,
            2 => self.below(8) as u32,
            3 => 0x8000_0000,
            _ => self.u32(),
        }
    }

    pub fn edgy_u64(&mut self) -> u64 {
        match self.below(6) {
            0 => 0,
            1 => u64::MAX,
            2 => self.below(8) as u64,
            3 => 1 << 63,
            _ => self.u64(),
        }
    }

    pub fn fill(&mut self, buf: &mut [u8]) {
        for b in buf {
            *b = self.u64() as u8;
        }
    }

    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        let mut v = vec![0; n];
        self.fill(&mut v);
        v
    }

    /// A slice of `pool` of length `0..=max` (`max <= pool.len()`).
    pub fn slice<'p>(&mut self, pool: &'p [u8], max: usize) -> &'p [u8] {
        let len = self.below(max + 1);
        let start = self.below(pool.len() - len + 1);
        &pool[start..start + len]
    }

    pub fn array8(&mut self) -> [u8; 8] {
        self.u64().to_ne_bytes()
    }
}

/// Parses whitespace-separated hex (comments after `#` up to end of line).
pub fn hex(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for line in s.lines() {
        let line = line.split('#').next().unwrap_or("");
        let digits: String = line.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(digits.len() % 2 == 0, "odd hex digits in {line:?}");
        for i in (0..digits.len()).step_by(2) {
            out.push(u8::from_str_radix(&digits[i..i + 2], 16).expect("hex"));
        }
    }
    out
}

/// Big-endian words.
pub fn words(ws: &[u32]) -> Vec<u8> {
    ws.iter().flat_map(|w| w.to_be_bytes()).collect()
}

/// Encodes `v` into a fresh `Vec`.
pub fn enc<T: Encode + ?Sized>(v: &T) -> Vec<u8> {
    let mut buf = vec![0u8; 1 << 20];
    let n = encode_to(v, &mut buf).expect("encode");
    buf.truncate(n);
    buf
}

/// Encoding `v` into any buffer shorter than its encoding fails with
/// `NoSpace` (and never panics).
pub fn check_short_buffers<T: Encode + ?Sized>(v: &T, len: usize) {
    let mut buf = vec![0u8; len];
    for cap in 0..len {
        assert_eq!(
            encode_to(v, &mut buf[..cap]),
            Err(XdrError::NoSpace),
            "capacity {cap} of {len}"
        );
    }
    assert_eq!(encode_to(v, &mut buf), Ok(len));
}

/// Round trip of one value of type `$t`: encode, decode (consuming every
/// byte), compare, re-encode to the same bytes; then every strict prefix of
/// the encoding must fail to decode with `Short`, and every buffer shorter
/// than the encoding must fail to encode with `NoSpace`. Evaluates to the
/// encoding.
#[macro_export]
macro_rules! roundtrip {
    ($t:ty, $v:expr) => {{
        use zcnfsd_proto::xdr::{decode_from, XdrError};
        let v: $t = $v;
        let bytes = $crate::common::enc(&v);
        assert_eq!(bytes.len() % 4, 0, "XDR is word-aligned: {v:?}");
        let (back, used) = decode_from::<$t>(&bytes).expect("decode");
        assert_eq!(used, bytes.len(), "decode consumed all of {v:?}");
        assert_eq!(back, v);
        assert_eq!($crate::common::enc(&back), bytes);
        for n in 0..bytes.len() {
            assert_eq!(
                decode_from::<$t>(&bytes[..n]).err(),
                Some(XdrError::Short),
                "prefix {n} of {} for {v:?}",
                bytes.len()
            );
        }
        $crate::common::check_short_buffers(&v, bytes.len());
        bytes
    }};
}
