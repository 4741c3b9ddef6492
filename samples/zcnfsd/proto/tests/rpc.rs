// SPDX-License-Identifier: GPL-2.0

//! ONC RPC: record marking, call and reply headers, credentials.

mod common;

use common::{hex, words, Rng};
use zcnfsd_proto::rpc::*;
use zcnfsd_proto::xdr::*;

/// An NFS NULL call with AUTH_SYS as Linux's client marshals it
/// (net/sunrpc/auth_unix.c: stamp 0, the node name, uid, gid, groups; an
/// AUTH_NONE verifier), preceded by its record mark.
const LINUX_NULL_CALL: &str = "
    80000050            # record mark: last fragment, 80 bytes
    2a3b4c5d            # xid
    00000000            # msg_type CALL
    00000002            # rpcvers 2
    000186a3            # prog 100003 (NFS)
    00000003            # vers 3
    00000000            # proc 0 (NULL)
    00000001            # cred flavor AUTH_SYS
    00000028            # cred body length 40
    00000000            # stamp
    0000000b            # machinename length 11
    7a637666 732d6775 65737400  # 'zcvfs-guest' + 1 byte of padding
    00000000            # uid 0
    00000000            # gid 0
    00000002            # 2 gids
    00000000 0000000a   # gids 0, 10
    00000000 00000000   # verf AUTH_NONE, empty
";

#[test]
fn kat_linux_auth_sys_null_call() {
    let rec = hex(LINUX_NULL_CALL);
    let rm = RecordMark::parse(&rec).unwrap();
    assert_eq!(
        rm,
        RecordMark {
            last: true,
            len: 80
        }
    );
    let body = &rec[4..];
    assert_eq!(body.len(), 80);
    let mut d = Decoder::new(body);
    let call = CallHeader::decode_call(&mut d).unwrap();
    assert!(d.is_empty(), "NULL has no arguments");
    assert_eq!(call.xid, 0x2a3b_4c5d);
    assert_eq!(call.prog, 100_003);
    assert_eq!(call.vers, 3);
    assert_eq!(call.procedure, 0);
    assert_eq!(call.verf, OpaqueAuth::NONE);
    let Credential::Sys(sys) = call.cred else {
        panic!("not AUTH_SYS: {:?}", call.cred)
    };
    assert_eq!(sys.stamp, 0);
    assert_eq!(sys.machinename, b"zcvfs-guest");
    assert_eq!((sys.uid, sys.gid), (0, 0));
    assert_eq!(sys.gids.iter().collect::<Vec<_>>(), [0, 10]);
    assert_eq!(sys.body_len(), Some(40));

    // Re-encode: identical bytes.
    let again = common::enc(&call);
    assert_eq!(again, body);
    assert_eq!(
        RecordMark::for_record(again.len()).unwrap().to_bytes(),
        Ok([0x80, 0, 0, 0x50])
    );

    // Every truncation is an error value; which one follows Linux.
    for n in 0..body.len() {
        let r = CallHeader::decode_call(&mut Decoder::new(&body[..n]));
        let want = if n < 24 {
            CallError::Drop
        } else {
            CallError::Garbage { xid: 0x2a3b_4c5d }
        };
        assert_eq!(r, Err(want), "prefix {n}");
    }
}

#[test]
fn record_mark() {
    assert_eq!(
        RecordMark::from_bytes([0x80, 0, 0, 0]),
        RecordMark { last: true, len: 0 }
    );
    assert_eq!(
        RecordMark::from_u32(0x7fff_ffff),
        RecordMark {
            last: false,
            len: 0x7fff_ffff
        }
    );
    assert_eq!(
        RecordMark::from_u32(0xffff_ffff),
        RecordMark {
            last: true,
            len: 0x7fff_ffff
        }
    );
    for w in [0u32, 1, 0x8000_0001, 0x1234_5678, 0xffff_ffff, 0x8000_0000] {
        let rm = RecordMark::from_u32(w);
        assert_eq!(rm.to_u32(), Ok(w));
        assert_eq!(rm.to_bytes(), Ok(w.to_be_bytes()));
        assert_eq!(RecordMark::parse(&w.to_be_bytes()), Ok(rm));
    }
    assert_eq!(
        RecordMark {
            last: false,
            len: 0x8000_0000
        }
        .to_u32(),
        Err(XdrError::TooLong)
    );
    assert_eq!(RecordMark::for_record(0x8000_0000), Err(XdrError::TooLong));
    assert_eq!(RecordMark::for_record(usize::MAX), Err(XdrError::TooLong));
    for n in 0..4 {
        assert_eq!(RecordMark::parse(&[0x80; 4][..n]), Err(XdrError::Short));
    }
}

fn call_with(cred: Credential<'_>, verf: OpaqueAuth<'_>) -> Vec<u8> {
    common::enc(&CallHeader {
        xid: 7,
        prog: 100_005,
        vers: 3,
        procedure: 1,
        cred,
        verf,
    })
}

#[test]
fn call_header_roundtrip_and_truncation() {
    let gids: Vec<u32> = (0..16).collect();
    let name = [b'm'; 255];
    let creds = [
        Credential::None,
        Credential::Sys(AuthSys {
            stamp: 0xffff_ffff,
            machinename: b"",
            uid: 1,
            gid: 2,
            gids: U32List::EMPTY,
        }),
        Credential::Sys(AuthSys {
            stamp: 3,
            machinename: &name,
            uid: 65534,
            gid: 65534,
            gids: U32List::from_slice(&gids),
        }),
        Credential::Other(OpaqueAuth {
            flavor: RPCSEC_GSS,
            body: &[1; 400],
        }),
        Credential::Other(OpaqueAuth {
            flavor: AUTH_DH,
            body: &[],
        }),
    ];
    for cred in creds {
        for verf in [
            OpaqueAuth::NONE,
            OpaqueAuth {
                flavor: 9,
                body: &[7; 5],
            },
        ] {
            let b = call_with(cred, verf);
            let mut d = Decoder::new(&b);
            let back = CallHeader::decode_call(&mut d).unwrap();
            assert!(d.is_empty());
            assert_eq!(back.cred, cred);
            assert_eq!(back.verf, verf);
            assert_eq!(common::enc(&back), b);
            assert!(b.len() <= MAX_CALL_HEADER_LEN);
            for n in 0..b.len() {
                let r = CallHeader::decode_call(&mut Decoder::new(&b[..n]));
                assert!(matches!(
                    r,
                    Err(CallError::Drop | CallError::Garbage { xid: 7 })
                ));
            }
            common::check_short_buffers(&back, b.len());
            roundtrip!(Credential<'_>, cred);
        }
    }
}

#[test]
fn max_call_header() {
    let b = call_with(
        Credential::Other(OpaqueAuth {
            flavor: 6,
            body: &[0; 400],
        }),
        OpaqueAuth {
            flavor: 6,
            body: &[0; 400],
        },
    );
    assert_eq!(b.len(), MAX_CALL_HEADER_LEN);
}

/// Patches a call's bytes and decodes it.
fn decode_words(ws: &[u32]) -> Result<CallHeader<'static>, CallError> {
    let b: &'static [u8] = Box::leak(words(ws).into_boxed_slice());
    CallHeader::decode_call(&mut Decoder::new(b))
}

#[test]
fn call_header_errors() {
    // Not a call.
    assert_eq!(
        decode_words(&[1, MSG_REPLY, 0, 0, 0, 0]),
        Err(CallError::Drop)
    );
    assert_eq!(decode_words(&[1, 2]), Err(CallError::Drop));
    // Wrong RPC version, even with nothing after the fixed words.
    assert_eq!(
        decode_words(&[5, 0, 3, 100_003, 3, 0]),
        Err(CallError::RpcMismatch { xid: 5 })
    );
    assert_eq!(
        decode_words(&[5, 0, 1, 100_003, 3, 0, 0, 0, 0, 0]),
        Err(CallError::RpcMismatch { xid: 5 })
    );
    // Credential body over 400 bytes.
    assert_eq!(
        decode_words(&[5, 0, 2, 1, 1, 0, 1, 404]),
        Err(CallError::Auth {
            xid: 5,
            stat: AuthStat::BadCred
        })
    );
    // Verifier body over 400 bytes.
    assert_eq!(
        decode_words(&[5, 0, 2, 1, 1, 0, 0, 0, 0, 401]),
        Err(CallError::Auth {
            xid: 5,
            stat: AuthStat::BadVerf
        })
    );
    // Huge lengths that are also short.
    assert_eq!(
        decode_words(&[5, 0, 2, 1, 1, 0, 0, 0xffff_ffff]),
        Err(CallError::Auth {
            xid: 5,
            stat: AuthStat::BadCred
        })
    );
    assert_eq!(
        decode_words(&[5, 0, 2, 1, 1, 0, 0, 400]),
        Err(CallError::Garbage { xid: 5 })
    );
    // AUTH_NONE with a body.
    assert_eq!(
        decode_words(&[5, 0, 2, 1, 1, 0, AUTH_NONE, 4, 0, 0, 0]),
        Err(CallError::Auth {
            xid: 5,
            stat: AuthStat::BadCred
        })
    );
}

fn sys_body(ws: &[u32], name: &[u8]) -> Vec<u8> {
    // stamp, name, then `ws` (uid, gid, count, gids...).
    let mut b = words(&[0, name.len() as u32]);
    b.extend_from_slice(name);
    b.resize(b.len() + pad_len(name.len()), 0);
    b.extend(words(ws));
    b
}

fn sys_call(body: &[u8]) -> Result<CallHeader<'static>, CallError> {
    let mut b = words(&[9, 0, 2, 100_003, 3, 0, AUTH_SYS, body.len() as u32]);
    b.extend_from_slice(body);
    b.resize(b.len() + pad_len(body.len()), 0);
    b.extend(words(&[0, 0]));
    let b: &'static [u8] = Box::leak(b.into_boxed_slice());
    CallHeader::decode_call(&mut Decoder::new(b))
}

#[test]
fn auth_sys_limits() {
    let bad = Err(CallError::Auth {
        xid: 9,
        stat: AuthStat::BadCred,
    });
    // 255-byte machine name is fine, 256 is not.
    assert!(sys_call(&sys_body(&[0, 0, 0], &[b'a'; 255])).is_ok());
    assert_eq!(sys_call(&sys_body(&[0, 0, 0], &[b'a'; 256])), bad);
    // 16 gids fine, 17 not.
    let mut ws = vec![0, 0, 16];
    ws.extend(0..16);
    assert!(sys_call(&sys_body(&ws, b"h")).is_ok());
    let mut ws = vec![0, 0, 17];
    ws.extend(0..17);
    assert_eq!(sys_call(&sys_body(&ws, b"h")), bad);
    // Trailing garbage inside the body.
    assert_eq!(sys_call(&sys_body(&[0, 0, 0, 0], b"h")), bad);
    // Body too short for its own fields.
    let full = sys_body(&[1, 2, 2, 3, 4], b"host");
    for n in 0..full.len() {
        assert_eq!(sys_call(&full[..n]), bad, "body prefix {n}");
    }
    assert!(sys_call(&full).is_ok());
    // Direct parsing.
    assert_eq!(
        AuthSys::from_body(&full).unwrap().gids,
        U32List::from_slice(&[3, 4])
    );
    // Encoding refuses over-limit values.
    let many: Vec<u32> = (0..17).collect();
    let sys = AuthSys {
        stamp: 0,
        machinename: b"x",
        uid: 0,
        gid: 0,
        gids: U32List::from_slice(&many),
    };
    assert_eq!(sys.body_len(), None);
    let mut buf = [0u8; 512];
    assert_eq!(
        encode_to(&Credential::Sys(sys), &mut buf),
        Err(XdrError::TooLong)
    );
    let long = [0u8; 401];
    assert_eq!(
        encode_to(
            &OpaqueAuth {
                flavor: 0,
                body: &long
            },
            &mut buf
        ),
        Err(XdrError::TooLong)
    );
}

#[test]
fn credential_flavors() {
    assert_eq!(
        Credential::from_opaque(OpaqueAuth::NONE),
        Ok(Credential::None)
    );
    assert_eq!(Credential::None.flavor(), AUTH_NONE);
    let other = OpaqueAuth {
        flavor: AUTH_SHORT,
        body: b"abcd",
    };
    assert_eq!(Credential::from_opaque(other), Ok(Credential::Other(other)));
    assert_eq!(Credential::Other(other).flavor(), AUTH_SHORT);
    assert_eq!(
        Credential::from_opaque(OpaqueAuth {
            flavor: AUTH_SYS,
            body: &[]
        }),
        Err(AuthStat::BadCred)
    );
}

#[test]
fn kat_replies() {
    let cases: Vec<(ReplyHeader<'_>, &str)> = vec![
        (
            ReplyHeader::new(0x11, ReplyStat::Success),
            "00000011 00000001 00000000 00000000 00000000 00000000",
        ),
        (
            ReplyHeader::new(0x12, ReplyStat::ProgUnavail),
            "00000012 00000001 00000000 00000000 00000000 00000001",
        ),
        (
            ReplyHeader::new(0x13, ReplyStat::ProgMismatch { low: 3, high: 3 }),
            "00000013 00000001 00000000 00000000 00000000 00000002 00000003 00000003",
        ),
        (
            ReplyHeader::new(0x14, ReplyStat::ProcUnavail),
            "00000014 00000001 00000000 00000000 00000000 00000003",
        ),
        (
            ReplyHeader::new(0x15, ReplyStat::GarbageArgs),
            "00000015 00000001 00000000 00000000 00000000 00000004",
        ),
        (
            ReplyHeader::new(0x16, ReplyStat::SystemErr),
            "00000016 00000001 00000000 00000000 00000000 00000005",
        ),
        (
            ReplyHeader::new(0x17, ReplyStat::RpcMismatch { low: 2, high: 2 }),
            "00000017 00000001 00000001 00000000 00000002 00000002",
        ),
        (
            ReplyHeader::new(0x18, ReplyStat::AuthError(AuthStat::BadCred)),
            "00000018 00000001 00000001 00000001 00000001",
        ),
        (
            ReplyHeader::new(0x19, ReplyStat::AuthError(AuthStat::TooWeak)),
            "00000019 00000001 00000001 00000001 00000005",
        ),
        (
            ReplyHeader {
                xid: 0x1a,
                verf: OpaqueAuth {
                    flavor: 6,
                    body: b"abcde",
                },
                stat: ReplyStat::Success,
            },
            "0000001a 00000001 00000000 00000006 00000005 6162636465000000 00000000",
        ),
    ];
    for (r, h) in cases {
        let b = roundtrip!(ReplyHeader<'_>, r);
        assert_eq!(b, hex(h), "{r:?}");
        assert_eq!(r.stat.is_accepted(), b[8..12] == [0, 0, 0, 0]);
    }
    // Every auth_stat.
    for v in 0..=14 {
        let st = AuthStat::from_u32(v).unwrap();
        assert_eq!(st as u32, v);
        roundtrip!(
            ReplyHeader<'_>,
            ReplyHeader::new(1, ReplyStat::AuthError(st))
        );
    }
    assert_eq!(AuthStat::from_u32(15), None);
    // Bad discriminants.
    for ws in [
        &[1, 0][..],         // a call
        &[1, 1, 2],          // reply_stat 2
        &[1, 1, 0, 0, 0, 6], // accept_stat 6
        &[1, 1, 1, 2],       // reject_stat 2
        &[1, 1, 1, 1, 15],   // auth_stat 15
        &[1, 1, 0, 0, 401],  // verifier too long
    ] {
        assert!(
            decode_from::<ReplyHeader<'_>>(&words(ws)).is_err(),
            "{ws:?}"
        );
    }
}

#[test]
fn call_error_replies() {
    assert_eq!(CallError::Drop.reply(), None);
    assert_eq!(
        CallError::RpcMismatch { xid: 4 }.reply(),
        Some(ReplyHeader::new(
            4,
            ReplyStat::RpcMismatch { low: 2, high: 2 }
        ))
    );
    assert_eq!(
        CallError::Garbage { xid: 4 }.reply(),
        Some(ReplyHeader::new(4, ReplyStat::GarbageArgs))
    );
    assert_eq!(
        CallError::Auth {
            xid: 4,
            stat: AuthStat::BadVerf
        }
        .reply(),
        Some(ReplyHeader::new(4, ReplyStat::AuthError(AuthStat::BadVerf)))
    );
    assert_eq!(ArgsError::ProcUnavail.reply_stat(), ReplyStat::ProcUnavail);
    assert_eq!(
        ArgsError::from(XdrError::Short).reply_stat(),
        ReplyStat::GarbageArgs
    );
}

/// Random call headers round-trip; random mutations never panic and, when
/// they decode, re-encode to something that decodes to the same header.
#[test]
fn random_call_headers() {
    let mut rng = Rng::new(2);
    let pool = rng.bytes(2048);
    for _ in 0..3000 {
        let gids: Vec<u32> = (0..rng.below(17)).map(|_| rng.edgy_u32()).collect();
        let cred = match rng.below(3) {
            0 => Credential::None,
            1 => Credential::Sys(AuthSys {
                stamp: rng.edgy_u32(),
                machinename: rng.slice(&pool, 255),
                uid: rng.edgy_u32(),
                gid: rng.edgy_u32(),
                gids: U32List::from_slice(&gids),
            }),
            _ => Credential::Other(OpaqueAuth {
                flavor: 2 + rng.below(100) as u32,
                body: rng.slice(&pool, 400),
            }),
        };
        let hdr = CallHeader {
            xid: rng.u32(),
            prog: rng.edgy_u32(),
            vers: rng.edgy_u32(),
            procedure: rng.edgy_u32(),
            cred,
            verf: OpaqueAuth {
                flavor: rng.edgy_u32(),
                body: rng.slice(&pool, 400),
            },
        };
        let mut b = common::enc(&hdr);
        let mut d = Decoder::new(&b);
        assert_eq!(CallHeader::decode_call(&mut d), Ok(hdr));
        assert!(d.is_empty());
        for _ in 0..rng.below(4) + 1 {
            let i = rng.below(b.len());
            b[i] = rng.u32() as u8;
        }
        let cut = rng.below(b.len() + 1);
        if let Ok(h) = CallHeader::decode_call(&mut Decoder::new(&b[..cut])) {
            let again = common::enc(&h);
            assert_eq!(CallHeader::decode_call(&mut Decoder::new(&again)), Ok(h));
        }
    }
}
