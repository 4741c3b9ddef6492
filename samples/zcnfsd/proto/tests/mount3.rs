// SPDX-License-Identifier: GPL-2.0

//! MOUNT v3.

mod common;

use common::{hex, words, Rng};
use zcnfsd_proto::mount3::*;
use zcnfsd_proto::nfs3::Fh3;
use zcnfsd_proto::rpc::{ArgsError, AUTH_NONE, AUTH_SYS};
use zcnfsd_proto::xdr::*;

fn args(procedure: u32, b: &[u8]) -> Result<MountArgs<'_>, ArgsError> {
    MountArgs::decode(procedure, &mut Decoder::new(b))
}

#[test]
fn procedures() {
    for p in 0..=5 {
        assert_eq!(MountProc::from_u32(p).unwrap() as u32, p);
    }
    assert_eq!(MountProc::from_u32(6), None);
    assert_eq!(args(6, &[]), Err(ArgsError::ProcUnavail));
    assert_eq!(args(u32::MAX, &[]), Err(ArgsError::ProcUnavail));
    for (p, a) in [
        (0, MountArgs::Null),
        (2, MountArgs::Dump),
        (4, MountArgs::Umntall),
        (5, MountArgs::Export),
    ] {
        assert_eq!(args(p, &[]), Ok(a));
        assert_eq!(a.procedure() as u32, p);
        assert!(common::enc(&a).is_empty());
    }
}

#[test]
fn kat_mnt_args() {
    // MNT "/export" as mount.nfs sends it.
    let b = hex("00000007 2f657870 6f727400");
    let a = args(1, &b).unwrap();
    assert_eq!(
        a,
        MountArgs::Mnt {
            dirpath: b"/export"
        }
    );
    assert_eq!(a.procedure(), MountProc::Mnt);
    assert_eq!(common::enc(&a), b);
    for n in 0..b.len() {
        assert_eq!(args(1, &b[..n]), Err(ArgsError::Garbage(XdrError::Short)));
        assert_eq!(args(3, &b[..n]), Err(ArgsError::Garbage(XdrError::Short)));
    }
    let u = args(3, &b).unwrap();
    assert_eq!(
        u,
        MountArgs::Umnt {
            dirpath: b"/export"
        }
    );
    assert_eq!(common::enc(&u), b);
    // Path limit.
    let mut long = words(&[1025]);
    long.extend([b'a'; 1028]);
    assert_eq!(args(1, &long), Err(ArgsError::Garbage(XdrError::TooLong)));
    let mut max = words(&[1024]);
    max.extend([b'a'; 1024]);
    assert!(args(1, &max).is_ok());
}

#[test]
fn kat_mnt_reply() {
    let fh = [0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9];
    let flavors = [AUTH_SYS, AUTH_NONE];
    let r = MntRes::Ok {
        fhandle: Fh3::new(&fh).unwrap(),
        auth_flavors: U32List::from_slice(&flavors),
    };
    let b = roundtrip!(MntRes<'_>, r);
    assert_eq!(
        b,
        hex("
            00000000                    # MNT3_OK
            00000009 a1a2a3a4 a5a6a7a8 a9000000  # fhandle3
            00000002 00000001 00000000  # auth_flavors: AUTH_SYS, AUTH_NONE
        ")
    );
    for st in [
        MountStat3::Perm,
        MountStat3::Noent,
        MountStat3::Io,
        MountStat3::Acces,
        MountStat3::Notdir,
        MountStat3::Inval,
        MountStat3::Nametoolong,
        MountStat3::Notsupp,
        MountStat3::Serverfault,
    ] {
        let b = roundtrip!(MntRes<'_>, MntRes::Err(st));
        assert_eq!(b, words(&[st as u32]));
        assert_eq!(MountStat3::from_u32(st as u32), Some(st));
    }
    assert_eq!(
        encode_to(&MntRes::Err(MountStat3::Ok), &mut [0; 8]),
        Err(XdrError::BadValue)
    );
    assert_eq!(
        decode_from::<MntRes<'_>>(&words(&[3])).err(),
        Some(XdrError::BadValue)
    );
    // 17 flavors is over this codec's limit, a 65-byte handle over NFS's.
    let mut many = words(&[0, 0, 17]);
    many.extend(words(&[1; 17]));
    assert_eq!(
        decode_from::<MntRes<'_>>(&many).err(),
        Some(XdrError::TooLong)
    );
    let mut big = words(&[0, 65]);
    big.extend([0; 68]);
    big.extend(words(&[0]));
    assert_eq!(
        decode_from::<MntRes<'_>>(&big).err(),
        Some(XdrError::TooLong)
    );
}

#[test]
fn exports() {
    let mut buf = [0u8; 256];
    let mut enc = Encoder::new(&mut buf);
    let mut ex = ExportsEncoder::new(&mut enc);
    ex.push(b"/export", &[]).unwrap();
    ex.push(b"/srv/a", &[b"*", b"192.168.0.0/16"]).unwrap();
    ex.finish().unwrap();
    let n = enc.position();
    let b = buf[..n].to_vec();
    assert_eq!(
        b,
        hex("
            00000001 00000007 2f657870 6f727400  # /export
            00000000                             # no groups
            00000001 00000006 2f737276 2f610000  # /srv/a
            00000001 00000001 2a000000           # group *
            00000001 0000000e 3139322e 3136382e 302e302f 31360000
            00000000                             # end of groups
            00000000                             # end of exports
        ")
    );
    let list = roundtrip!(Exports<'_>, decode_from::<Exports<'_>>(&b).unwrap().0);
    assert_eq!(list, b);
    let (ex, _) = decode_from::<Exports<'_>>(&b).unwrap();
    let nodes: Vec<_> = ex.iter().collect();
    assert_eq!(nodes.len(), 2);
    assert_eq!(nodes[0].dir, b"/export");
    assert_eq!(nodes[0].groups.iter().count(), 0);
    assert_eq!(nodes[1].dir, b"/srv/a");
    assert_eq!(
        nodes[1].groups.iter().collect::<Vec<_>>(),
        [&b"*"[..], b"192.168.0.0/16"]
    );

    // Empty list.
    let mut buf = [0u8; 4];
    let mut enc = Encoder::new(&mut buf);
    ExportsEncoder::new(&mut enc).finish().unwrap();
    let (e, n) = decode_from::<Exports<'_>>(&buf).unwrap();
    assert_eq!((e.iter().count(), n), (0, 4));

    // The encoder keeps room for the terminator and rolls back.
    for cap in 0..40 {
        let mut buf = vec![0u8; cap];
        let mut enc = Encoder::new(&mut buf);
        let mut ex = ExportsEncoder::new(&mut enc);
        let pushed = ex.push(b"/export", &[b"*"]).is_ok();
        assert_eq!(pushed, cap >= 36, "capacity {cap}");
        if cap >= 4 {
            ex.finish().unwrap();
            let n = enc.position();
            let (e, used) = decode_from::<Exports<'_>>(&buf[..n]).unwrap();
            assert_eq!(used, n);
            assert_eq!(e.iter().count(), usize::from(pushed));
        }
    }
    // Limits.
    let mut buf = [0u8; 2048];
    let mut enc = Encoder::new(&mut buf);
    let mut ex = ExportsEncoder::new(&mut enc);
    assert_eq!(ex.push(&[b'a'; 1025], &[]), Err(XdrError::TooLong));
    assert_eq!(ex.push(b"/", &[&[b'g'; 256]]), Err(XdrError::TooLong));
    assert_eq!(enc.position(), 0);
    // Bad discriminants.
    assert_eq!(
        decode_from::<Exports<'_>>(&words(&[2])).err(),
        Some(XdrError::BadValue)
    );
    assert_eq!(
        decode_from::<Exports<'_>>(&words(&[1, 1, 0x2f00_0000, 7])).err(),
        Some(XdrError::BadValue)
    );
}

#[test]
fn random_exports() {
    let mut rng = Rng::new(3);
    let pool = rng.bytes(4096);
    for _ in 0..500 {
        let mut buf = vec![0u8; 8192];
        let mut enc = Encoder::new(&mut buf);
        let mut ex = ExportsEncoder::new(&mut enc);
        let mut want: Vec<(&[u8], Vec<&[u8]>)> = Vec::new();
        for _ in 0..rng.below(6) {
            let dir = rng.slice(&pool, 1024);
            let groups: Vec<&[u8]> = (0..rng.below(4)).map(|_| rng.slice(&pool, 255)).collect();
            ex.push(dir, &groups).unwrap();
            want.push((dir, groups));
        }
        ex.finish().unwrap();
        let n = enc.position();
        let b = &buf[..n];
        let (e, used) = decode_from::<Exports<'_>>(b).unwrap();
        assert_eq!(used, n);
        let got: Vec<(&[u8], Vec<&[u8]>)> = e
            .iter()
            .map(|x| (x.dir, x.groups.iter().collect()))
            .collect();
        assert_eq!(got, want);
        for k in 0..n {
            assert_eq!(
                decode_from::<Exports<'_>>(&b[..k]).err(),
                Some(XdrError::Short)
            );
        }
    }
}
