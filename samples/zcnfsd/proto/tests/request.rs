// SPDX-License-Identifier: GPL-2.0

//! Whole requests: call header, routing, arguments, error replies.

mod common;

use common::{hex, words, Rng};
use zcnfsd_proto::mount3::MountArgs;
use zcnfsd_proto::nfs3::{self, Fh3, Nfs3Args, ReadArgs, WriteHeader};
use zcnfsd_proto::request::*;
use zcnfsd_proto::rpc::*;
use zcnfsd_proto::xdr::*;

fn call(prog: u32, vers: u32, procedure: u32, cred: Credential<'_>) -> CallHeader<'_> {
    CallHeader {
        xid: 0x1234,
        prog,
        vers,
        procedure,
        cred,
        verf: OpaqueAuth::NONE,
    }
}

fn sys() -> Credential<'static> {
    Credential::Sys(AuthSys {
        stamp: 0,
        machinename: b"guest",
        uid: 0,
        gid: 0,
        gids: U32List::EMPTY,
    })
}

fn record(c: &CallHeader<'_>, args: &[u8]) -> Vec<u8> {
    let mut b = common::enc(c);
    b.extend_from_slice(args);
    b
}

fn reply_of(b: &[u8]) -> Option<ReplyHeader<'static>> {
    match decode_request(b) {
        Ok(_) => None,
        Err(e) => e.reply().copied(),
    }
}

/// MNT "/export" as mount.nfs in the guest sends it over TCP.
#[test]
fn kat_mnt_call() {
    let rec = hex("
        80000050                # record mark: last, 80 bytes
        5f3e0001 00000000 00000002
        000186a5 00000003 00000001   # MOUNT v3 MNT
        00000001 0000001c            # AUTH_SYS, 28 bytes
        00000000 00000005 67756573 74000000   # stamp, 'guest'
        00000000 00000000 00000000   # uid, gid, no gids
        00000000 00000000            # verf
        00000007 2f657870 6f727400   # '/export'
    ");
    let rm = RecordMark::parse(&rec).unwrap();
    assert!(rm.last);
    assert_eq!(rm.len as usize, rec.len() - 4);
    let req = decode_request(&rec[4..]).unwrap();
    assert_eq!(req.call.xid, 0x5f3e_0001);
    assert_eq!(req.call.cred, sys());
    assert_eq!(
        req.args,
        ProgramArgs::Mount(MountArgs::Mnt {
            dirpath: b"/export"
        })
    );
    assert_eq!(common::enc(&req), &rec[4..]);
}

#[test]
fn every_procedure_routes() {
    for p in 0..=5 {
        let mut args = Vec::new();
        if p == 1 || p == 3 {
            args = words(&[1, 0x2f00_0000]);
        }
        let b = record(&call(100_005, 3, p, sys()), &args);
        let r = decode_request(&b).unwrap();
        let ProgramArgs::Mount(a) = r.args else {
            panic!()
        };
        assert_eq!(a.procedure() as u32, p);
    }
    let fh = words(&[4, 0xdead_beef]);
    for p in 0..=21 {
        // Enough zeros after a handle decode as the arguments of any
        // procedure (empty names, zero counts, UNSTABLE, no data).
        let mut args = fh.clone();
        args.extend(words(&[0; 40]));
        let b = record(&call(100_003, 3, p, Credential::None), &args);
        let r = decode_request(&b).unwrap();
        let ProgramArgs::Nfs(a) = r.args else {
            panic!()
        };
        assert_eq!(a.procedure() as u32, p);
    }
}

#[test]
fn rpc_errors() {
    let x = 0x1234;
    let rej = |stat| Some(ReplyHeader::new(x, stat));
    // Program, version, procedure.
    assert_eq!(
        reply_of(&record(&call(100_227, 3, 0, sys()), &[])),
        rej(ReplyStat::ProgUnavail)
    );
    assert_eq!(
        reply_of(&record(&call(100_003, 4, 0, sys()), &[])),
        rej(ReplyStat::ProgMismatch { low: 3, high: 3 })
    );
    assert_eq!(
        reply_of(&record(&call(100_005, 1, 0, sys()), &[])),
        rej(ReplyStat::ProgMismatch { low: 3, high: 3 })
    );
    assert_eq!(
        reply_of(&record(&call(100_003, 3, 22, sys()), &[])),
        rej(ReplyStat::ProcUnavail)
    );
    assert_eq!(
        reply_of(&record(&call(100_005, 3, 6, sys()), &[])),
        rej(ReplyStat::ProcUnavail)
    );
    // Garbage arguments.
    assert_eq!(
        reply_of(&record(&call(100_003, 3, 1, sys()), &words(&[65]))),
        rej(ReplyStat::GarbageArgs)
    );
    assert_eq!(
        reply_of(&record(&call(100_003, 3, 6, sys()), &words(&[0, 0]))),
        rej(ReplyStat::GarbageArgs)
    );
    // Authentication: flavor, verifier.
    let gss = Credential::Other(OpaqueAuth {
        flavor: RPCSEC_GSS,
        body: &[0; 8],
    });
    assert_eq!(
        reply_of(&record(&call(100_003, 3, 0, gss), &[])),
        rej(ReplyStat::AuthError(AuthStat::BadCred))
    );
    let mut c = call(100_003, 3, 0, sys());
    c.verf = OpaqueAuth {
        flavor: AUTH_SYS,
        body: &[],
    };
    assert_eq!(
        reply_of(&record(&c, &[])),
        rej(ReplyStat::AuthError(AuthStat::BadVerf))
    );
    c.verf = OpaqueAuth {
        flavor: AUTH_NONE,
        body: &[0; 4],
    };
    assert_eq!(
        reply_of(&record(&c, &[])),
        rej(ReplyStat::AuthError(AuthStat::BadVerf))
    );
    // Authentication is checked before the program (as Linux does).
    assert_eq!(
        reply_of(&record(&call(1, 1, 0, gss), &[])),
        rej(ReplyStat::AuthError(AuthStat::BadCred))
    );
    // RPC version.
    let mut b = record(&call(100_003, 3, 0, sys()), &[]);
    b[11] = 3;
    assert_eq!(
        reply_of(&b),
        rej(ReplyStat::RpcMismatch { low: 2, high: 2 })
    );
    // Not a call, or too short: drop.
    assert_eq!(
        decode_request(&words(&[1, 1, 0, 0, 0, 0])),
        Err(RequestError::Drop)
    );
    assert_eq!(decode_request(&[]), Err(RequestError::Drop));
    assert_eq!(RequestError::Drop.reply(), None);
    // Route directly.
    assert_eq!(route(&call(100_003, 3, 99, sys())), Ok(Service::Nfs));
    assert_eq!(
        route(&call(100_005, 3, 99, Credential::None)),
        Ok(Service::Mount)
    );
}

#[test]
fn truncated_requests() {
    let fh = [9u8; 32];
    let reqs = [
        Request {
            call: call(100_003, 3, 6, sys()),
            args: ProgramArgs::Nfs(Nfs3Args::Read(ReadArgs {
                file: Fh3::new(&fh).unwrap(),
                offset: 1 << 40,
                count: 1 << 20,
            })),
        },
        Request {
            call: call(100_005, 3, 1, Credential::None),
            args: ProgramArgs::Mount(MountArgs::Mnt { dirpath: b"/a/b/c" }),
        },
    ];
    for req in reqs {
        let b = common::enc(&req);
        assert_eq!(decode_request(&b), Ok(req));
        let header_len = common::enc(&req.call).len();
        for n in 0..b.len() {
            let r = decode_request(&b[..n]);
            let want = if n < 24 {
                RequestError::Drop
            } else {
                RequestError::Reply(ReplyHeader::new(0x1234, ReplyStat::GarbageArgs))
            };
            assert_eq!(r, Err(want), "prefix {n}");
            if n >= header_len {
                // Past the header, every failure is in the arguments.
                assert!(matches!(r, Err(RequestError::Reply(_))));
            }
        }
    }
}

/// The WRITE path: header and write header from a prefix, payload offset in
/// the record.
#[test]
fn write_path_from_prefix() {
    let data = [0x5au8; 4099];
    let args = Nfs3Args::Write(nfs3::WriteArgs {
        file: Fh3::new(&[1; 28]).unwrap(),
        offset: 8192,
        count: data.len() as u32,
        stable: nfs3::StableHow::Unstable,
        data: &data,
    });
    let req = Request {
        call: call(100_003, 3, 7, sys()),
        args: ProgramArgs::Nfs(args),
    };
    let b = common::enc(&req);
    assert_eq!(decode_request(&b), Ok(req));
    let payload_at = b.len() - data.len() - pad_len(data.len());
    for n in 0..=MAX_CALL_HEADER_LEN + nfs3::WRITE_HEADER_MAX_LEN {
        let prefix = &b[..n.min(b.len())];
        let mut d = Decoder::new(prefix);
        let Ok(c) = CallHeader::decode_call(&mut d) else {
            continue;
        };
        assert_eq!(route(&c), Ok(Service::Nfs));
        assert_eq!(c.procedure, 7);
        match WriteHeader::decode(&mut d) {
            Ok(h) => {
                assert_eq!(d.position(), payload_at);
                assert!(n >= payload_at);
                assert_eq!(h.count as usize, data.len());
                assert_eq!(payload_at + h.payload_wire_len().unwrap(), b.len());
                assert_eq!(&b[payload_at..payload_at + data.len()], &data[..]);
            }
            Err(e) => {
                assert_eq!(e, XdrError::Short);
                assert!(n < payload_at);
            }
        }
    }
}

/// Random byte strings and random mutations of valid requests: never a
/// panic; every outcome is a request, a reply to send, or a drop; decoded
/// requests re-encode to records that decode the same.
#[test]
fn random_and_mutated_records() {
    let mut r = Rng::new(11);
    let pool = r.bytes(4096);
    let mut outcomes = [0usize; 3];
    for i in 0..40_000u32 {
        let mut b = if i % 4 == 0 {
            let n = r.below(200);
            let mut b = r.bytes(n);
            // Often make it look like a call.
            if n >= 24 && r.bool() {
                b[4..8].copy_from_slice(&[0, 0, 0, 0]);
                b[8..12].copy_from_slice(&[0, 0, 0, 2]);
            }
            b
        } else {
            let prog = if r.bool() { 100_003 } else { 100_005 };
            let p = r.below(if prog == 100_003 { 22 } else { 6 }) as u32;
            let mut b = record(&call(prog, 3, p, sys()), &[]);
            let n = r.below(300);
            b.extend_from_slice(r.slice(&pool, n));
            for _ in 0..r.below(4) {
                let at = r.below(b.len() - 3);
                b[at..at + 4].copy_from_slice(&r.edgy_u32().to_be_bytes());
            }
            b
        };
        if r.below(8) == 0 {
            let cut = r.below(b.len() + 1);
            b.truncate(cut);
        }
        match decode_request(&b) {
            Ok(req) => {
                outcomes[0] += 1;
                let again = common::enc(&req);
                assert_eq!(decode_request(&again), Ok(req));
            }
            Err(RequestError::Reply(h)) => {
                outcomes[1] += 1;
                let enc = common::enc(&h);
                assert_eq!(decode_from::<ReplyHeader<'_>>(&enc).unwrap().0, h);
            }
            Err(RequestError::Drop) => outcomes[2] += 1,
        }
    }
    // The generator reaches all three outcomes.
    assert!(outcomes.iter().all(|&n| n > 100), "{outcomes:?}");
}
