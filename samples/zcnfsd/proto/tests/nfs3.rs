// SPDX-License-Identifier: GPL-2.0

//! NFSv3 types, arguments and results.

mod common;

use common::{hex, words, Rng};
use zcnfsd_proto::nfs3::*;
use zcnfsd_proto::rpc::{ArgsError, ReplyHeader, ReplyStat};
use zcnfsd_proto::xdr::*;

// ---------------------------------------------------------------------------
// Generators

fn time(r: &mut Rng) -> NfsTime3 {
    NfsTime3 {
        seconds: r.edgy_u32(),
        nseconds: r.edgy_u32(),
    }
}

fn fattr(r: &mut Rng) -> Fattr3 {
    Fattr3 {
        ftype: Ftype3::from_u32(1 + r.below(7) as u32).unwrap(),
        mode: r.edgy_u32(),
        nlink: r.edgy_u32(),
        uid: r.edgy_u32(),
        gid: r.edgy_u32(),
        size: r.edgy_u64(),
        used: r.edgy_u64(),
        rdev: SpecData3 {
            specdata1: r.edgy_u32(),
            specdata2: r.edgy_u32(),
        },
        fsid: r.edgy_u64(),
        fileid: r.edgy_u64(),
        atime: time(r),
        mtime: time(r),
        ctime: time(r),
    }
}

fn post_op_attr(r: &mut Rng) -> PostOpAttr {
    r.bool().then(|| fattr(r))
}

fn wcc_data(r: &mut Rng) -> WccData {
    WccData {
        before: r.bool().then(|| WccAttr {
            size: r.edgy_u64(),
            mtime: time(r),
            ctime: time(r),
        }),
        after: post_op_attr(r),
    }
}

fn set_time(r: &mut Rng) -> SetTime {
    match r.below(3) {
        0 => SetTime::DontChange,
        1 => SetTime::ServerTime,
        _ => SetTime::ClientTime(time(r)),
    }
}

fn sattr(r: &mut Rng) -> Sattr3 {
    Sattr3 {
        mode: r.bool().then(|| r.edgy_u32()),
        uid: r.bool().then(|| r.edgy_u32()),
        gid: r.bool().then(|| r.edgy_u32()),
        size: r.bool().then(|| r.edgy_u64()),
        atime: set_time(r),
        mtime: set_time(r),
    }
}

fn fh<'p>(r: &mut Rng, pool: &'p [u8]) -> Fh3<'p> {
    Fh3::new(r.slice(pool, FHSIZE3)).unwrap()
}

fn name<'p>(r: &mut Rng, pool: &'p [u8]) -> &'p [u8] {
    r.slice(pool, MAX_NAME_LEN)
}

fn dirop<'p>(r: &mut Rng, pool: &'p [u8]) -> DirOpArgs3<'p> {
    DirOpArgs3 {
        dir: fh(r, pool),
        name: name(r, pool),
    }
}

fn stable(r: &mut Rng) -> StableHow {
    StableHow::from_u32(r.below(3) as u32).unwrap()
}

fn status(r: &mut Rng) -> Nfsstat3 {
    const ALL: [u32; 28] = [
        1, 2, 5, 6, 13, 17, 18, 19, 20, 21, 22, 27, 28, 30, 31, 63, 66, 69, 70, 71, 10001, 10002,
        10003, 10004, 10005, 10006, 10007, 10008,
    ];
    Nfsstat3::from_u32(ALL[r.below(ALL.len())]).unwrap()
}

fn args<'p>(r: &mut Rng, pool: &'p [u8], p: Nfs3Proc) -> Nfs3Args<'p> {
    match p {
        Nfs3Proc::Null => Nfs3Args::Null,
        Nfs3Proc::Getattr => Nfs3Args::Getattr(fh(r, pool)),
        Nfs3Proc::Setattr => Nfs3Args::Setattr(SetattrArgs {
            object: fh(r, pool),
            new_attributes: sattr(r),
            guard: r.bool().then(|| time(r)),
        }),
        Nfs3Proc::Lookup => Nfs3Args::Lookup(dirop(r, pool)),
        Nfs3Proc::Access => Nfs3Args::Access(AccessArgs {
            object: fh(r, pool),
            access: r.edgy_u32(),
        }),
        Nfs3Proc::Read => Nfs3Args::Read(ReadArgs {
            file: fh(r, pool),
            offset: r.edgy_u64(),
            count: r.edgy_u32(),
        }),
        Nfs3Proc::Write => {
            let data = r.slice(pool, 300);
            Nfs3Args::Write(WriteArgs {
                file: fh(r, pool),
                offset: r.edgy_u64(),
                count: data.len() as u32,
                stable: stable(r),
                data,
            })
        }
        Nfs3Proc::Create => Nfs3Args::Create(CreateArgs {
            where_: dirop(r, pool),
            how: match r.below(3) {
                0 => CreateHow3::Unchecked(sattr(r)),
                1 => CreateHow3::Guarded(sattr(r)),
                _ => CreateHow3::Exclusive(r.array8()),
            },
        }),
        Nfs3Proc::Mkdir => Nfs3Args::Mkdir(MkdirArgs {
            where_: dirop(r, pool),
            attributes: sattr(r),
        }),
        Nfs3Proc::Remove => Nfs3Args::Remove(dirop(r, pool)),
        Nfs3Proc::Rmdir => Nfs3Args::Rmdir(dirop(r, pool)),
        Nfs3Proc::Rename => Nfs3Args::Rename(RenameArgs {
            from: dirop(r, pool),
            to: dirop(r, pool),
        }),
        Nfs3Proc::Readdir => Nfs3Args::Readdir(ReaddirArgs {
            dir: fh(r, pool),
            cookie: r.edgy_u64(),
            cookieverf: r.array8(),
            count: r.edgy_u32(),
        }),
        Nfs3Proc::Readdirplus => Nfs3Args::Readdirplus(ReaddirplusArgs {
            dir: fh(r, pool),
            cookie: r.edgy_u64(),
            cookieverf: r.array8(),
            dircount: r.edgy_u32(),
            maxcount: r.edgy_u32(),
        }),
        Nfs3Proc::Fsstat => Nfs3Args::Fsstat(fh(r, pool)),
        Nfs3Proc::Fsinfo => Nfs3Args::Fsinfo(fh(r, pool)),
        Nfs3Proc::Pathconf => Nfs3Args::Pathconf(fh(r, pool)),
        Nfs3Proc::Commit => Nfs3Args::Commit(CommitArgs {
            file: fh(r, pool),
            offset: r.edgy_u64(),
            count: r.edgy_u32(),
        }),
        Nfs3Proc::Readlink | Nfs3Proc::Symlink | Nfs3Proc::Mknod | Nfs3Proc::Link => {
            Nfs3Args::Unsupported(p)
        }
    }
}

fn proc_of(n: u32) -> Nfs3Proc {
    Nfs3Proc::from_u32(n).unwrap()
}

/// Round trip of arguments through `Nfs3Args::decode` with the procedure
/// number, with every truncation giving GARBAGE_ARGS.
fn check_args(a: &Nfs3Args<'_>) {
    let b = common::enc(a);
    let p = a.procedure() as u32;
    let mut d = Decoder::new(&b);
    assert_eq!(Nfs3Args::decode(p, &mut d).as_ref(), Ok(a));
    assert!(d.is_empty());
    for n in 0..b.len() {
        assert_eq!(
            Nfs3Args::decode(p, &mut Decoder::new(&b[..n])),
            Err(ArgsError::Garbage(XdrError::Short)),
            "{p} prefix {n}"
        );
    }
    common::check_short_buffers(a, b.len());
}

// ---------------------------------------------------------------------------
// Known answers

/// A whole GETATTR reply for a directory: RPC accepted/SUCCESS header, then
/// GETATTR3res (RFC 1813 section 3.3.1) with its fattr3 (section 2.6).
const GETATTR_REPLY: &str = "
    c0ffee01            # xid
    00000001            # REPLY
    00000000            # MSG_ACCEPTED
    00000000 00000000   # verf AUTH_NONE
    00000000            # SUCCESS
    00000000            # NFS3_OK
    00000002            # type NF3DIR
    000001ed            # mode 0755
    00000003            # nlink
    000003e8            # uid 1000
    00000064            # gid 100
    0000000000001000    # size 4096
    0000000000002000    # used 8192
    00000000 00000000   # rdev
    00000000cafe0001    # fsid
    0000000000000080    # fileid 128
    6553f100 00000001   # atime
    6553f101 3b9ac9ff   # mtime
    6553f102 00000000   # ctime
";

fn kat_fattr() -> Fattr3 {
    Fattr3 {
        ftype: Ftype3::Dir,
        mode: 0o755,
        nlink: 3,
        uid: 1000,
        gid: 100,
        size: 4096,
        used: 8192,
        rdev: SpecData3 {
            specdata1: 0,
            specdata2: 0,
        },
        fsid: 0xcafe_0001,
        fileid: 128,
        atime: NfsTime3 {
            seconds: 0x6553_f100,
            nseconds: 1,
        },
        mtime: NfsTime3 {
            seconds: 0x6553_f101,
            nseconds: 999_999_999,
        },
        ctime: NfsTime3 {
            seconds: 0x6553_f102,
            nseconds: 0,
        },
    }
}

#[test]
fn kat_getattr_reply() {
    let want = hex(GETATTR_REPLY);
    let mut buf = [0u8; 256];
    let mut e = Encoder::new(&mut buf);
    ReplyHeader::new(0xc0ff_ee01, ReplyStat::Success)
        .encode(&mut e)
        .unwrap();
    GetattrRes::Ok(kat_fattr()).encode(&mut e).unwrap();
    assert_eq!(e.written(), &want[..]);
    assert_eq!(want.len(), 24 + 4 + 84);

    let mut d = Decoder::new(&want);
    let h: ReplyHeader<'_> = d.decode().unwrap();
    assert_eq!(h.stat, ReplyStat::Success);
    let r: GetattrRes = d.decode().unwrap();
    assert!(d.is_empty());
    assert_eq!(r, GetattrRes::Ok(kat_fattr()));
    roundtrip!(GetattrRes, r);
    assert_eq!(roundtrip!(Fattr3, kat_fattr()).len(), 84);
    // Failure: status only.
    assert_eq!(
        roundtrip!(GetattrRes, GetattrRes::Fail(Nfsstat3::Stale, ())),
        words(&[70])
    );
    // Bad file type.
    let mut bad = want[28..].to_vec();
    bad[3] = 8;
    assert_eq!(decode_from::<Fattr3>(&bad).err(), Some(XdrError::BadValue));
}

/// GETATTR call arguments and a LOOKUP as the Linux client sends them.
#[test]
fn kat_getattr_lookup_args() {
    let b = hex("00000008 0102030405060708");
    let a = Nfs3Args::decode(1, &mut Decoder::new(&b)).unwrap();
    assert_eq!(
        a,
        Nfs3Args::Getattr(Fh3::new(&[1, 2, 3, 4, 5, 6, 7, 8]).unwrap())
    );
    let b = hex("
        0000000c 010203040506070809 0a0b0c   # dir handle, 12 bytes
        00000005 68656c6c 6f000000           # name 'hello'
    ");
    let a = Nfs3Args::decode(3, &mut Decoder::new(&b)).unwrap();
    let Nfs3Args::Lookup(l) = a else {
        panic!("{a:?}")
    };
    assert_eq!(l.dir.as_bytes().len(), 12);
    assert_eq!(l.name, b"hello");
    check_args(&a);
}

/// READ: the header-only encoder plus the data plus the padding is exactly
/// the full READ3res encoding.
#[test]
fn read_reply_split() {
    let data: Vec<u8> = (0..=255u8).collect();
    let attrs = Some(kat_fattr());
    for len in (0..=13).chain([253, 254, 255, 256]) {
        for eof in [false, true] {
            let full = roundtrip!(
                ReadRes<'_>,
                ReadRes::Ok(ReadOk {
                    file_attributes: attrs,
                    count: len as u32,
                    eof,
                    data: &data[..len],
                })
            );
            let mut hdr = [0u8; 128];
            let mut e = Encoder::new(&mut hdr);
            encode_read_ok_header(&mut e, &attrs, len as u32, eof).unwrap();
            let n = e.position();
            assert_eq!(n, 4 + 4 + 84 + 4 + 4 + 4);
            let mut split = hdr[..n].to_vec();
            split.extend_from_slice(&data[..len]);
            split.extend_from_slice(padding_for(len));
            assert_eq!(split, full, "len {len}");
            for cap in 0..n {
                let mut small = vec![0u8; cap];
                assert_eq!(
                    encode_read_ok_header(&mut Encoder::new(&mut small), &attrs, 1, eof),
                    Err(XdrError::NoSpace)
                );
            }
        }
    }
    // Without attributes: status, FALSE, count, eof, length.
    let mut hdr = [0u8; 20];
    let mut e = Encoder::new(&mut hdr);
    encode_read_ok_header(&mut e, &None, 5, true).unwrap();
    assert_eq!(
        e.written(),
        &hex("00000000 00000000 00000005 00000001 00000005")[..]
    );
}

/// WRITE as Linux sends it: the header decodes from any prefix that holds
/// it, and reports where the payload starts.
#[test]
fn write_header_from_prefix() {
    let b = hex("
        00000010 00112233445566778899aabbccddeeff  # 16-byte handle
        0000000000012000    # offset 0x12000
        00000005            # count 5
        00000002            # FILE_SYNC
        00000005            # data length 5
        68656c6c 6f000000   # 'hello' + padding
    ");
    let hdr_len = 4 + 16 + 8 + 4 + 4 + 4;
    for n in 0..=b.len() {
        let mut d = Decoder::new(&b[..n]);
        let r = WriteHeader::decode(&mut d);
        if n < hdr_len {
            assert_eq!(r, Err(XdrError::Short), "prefix {n}");
        } else {
            let h = r.unwrap();
            assert_eq!(d.position(), hdr_len);
            assert_eq!(h.offset, 0x12000);
            assert_eq!(h.count, 5);
            assert_eq!(h.stable, StableHow::FileSync);
            assert_eq!(h.file.as_bytes().len(), 16);
            assert_eq!(h.payload_wire_len(), Some(8));
            assert_eq!(hdr_len + 8, b.len());
        }
    }
    let a = Nfs3Args::decode(7, &mut Decoder::new(&b)).unwrap();
    let Nfs3Args::Write(w) = a else {
        panic!("{a:?}")
    };
    assert_eq!(w.data, b"hello");
    check_args(&a);
    // The header encoder writes the same prefix.
    let h = WriteHeader::decode(&mut Decoder::new(&b)).unwrap();
    let mut out = [0u8; 128];
    let mut e = Encoder::new(&mut out);
    h.encode(&mut e).unwrap();
    assert_eq!(e.written(), &b[..hdr_len]);
    // count and data length must agree.
    let mut bad = b.clone();
    bad[35] = 4;
    assert_eq!(
        WriteHeader::decode(&mut Decoder::new(&bad)),
        Err(XdrError::BadValue)
    );
    // stable_how out of range.
    let mut bad = b.clone();
    bad[39] = 3;
    assert_eq!(
        WriteHeader::decode(&mut Decoder::new(&bad)),
        Err(XdrError::BadValue)
    );
    // Largest header.
    let big = WriteHeader {
        file: Fh3::new(&[0; 64]).unwrap(),
        offset: u64::MAX,
        count: u32::MAX,
        stable: StableHow::Unstable,
    };
    let mut e = Encoder::new(&mut out);
    big.encode(&mut e).unwrap();
    assert_eq!(e.position(), WRITE_HEADER_MAX_LEN);
    let mut d = Decoder::new(e.written());
    assert_eq!(WriteHeader::decode(&mut d), Ok(big));
    assert!(d.is_empty());
    assert_eq!(big.payload_wire_len(), Some(u32::MAX as usize + 1));
    // A payload that is announced but absent is short for full decoding.
    assert_eq!(
        decode_from::<WriteArgs<'_>>(&out[..WRITE_HEADER_MAX_LEN]).err(),
        Some(XdrError::Short)
    );
    // Encoding refuses count != data length.
    let wa = WriteArgs {
        file: Fh3::new(&[]).unwrap(),
        offset: 0,
        count: 2,
        stable: StableHow::Unstable,
        data: b"abc",
    };
    assert_eq!(encode_to(&wa, &mut out), Err(XdrError::BadValue));
}

#[test]
fn file_handles() {
    assert_eq!(Fh3::new(&[0; 65]), Err(XdrError::TooLong));
    let h = Fh3::new(&[7; 64]).unwrap();
    assert_eq!(roundtrip!(Fh3<'_>, h).len(), 68);
    assert_eq!(roundtrip!(Fh3<'_>, Fh3::new(&[]).unwrap()), words(&[0]));
    let mut b = words(&[65]);
    b.extend([0; 68]);
    assert_eq!(decode_from::<Fh3<'_>>(&b).err(), Some(XdrError::TooLong));
    roundtrip!(PostOpFh3<'_>, Some(h));
    roundtrip!(PostOpFh3<'_>, None);
}

#[test]
fn names() {
    assert!(is_valid_name(b"a"));
    assert!(is_valid_name(b".."));
    assert!(is_valid_name(&[0xff, 0xfe]));
    assert!(!is_valid_name(b""));
    assert!(!is_valid_name(b"a/b"));
    assert!(!is_valid_name(b"a\0"));
    let d = DirOpArgs3 {
        dir: Fh3::new(b"h").unwrap(),
        name: &[b'n'; 255],
    };
    roundtrip!(DirOpArgs3<'_>, d);
    let long = DirOpArgs3 {
        name: &[b'n'; 256],
        ..d
    };
    assert_eq!(encode_to(&long, &mut [0; 1024]), Err(XdrError::TooLong));
    let mut b = words(&[1, 0x6800_0000, 256]);
    b.extend([b'n'; 256]);
    assert_eq!(
        Nfs3Args::decode(3, &mut Decoder::new(&b)),
        Err(ArgsError::Garbage(XdrError::TooLong))
    );
}

#[test]
fn enums() {
    for p in 0..=21 {
        assert_eq!(proc_of(p) as u32, p);
    }
    assert_eq!(Nfs3Proc::from_u32(22), None);
    for t in 1..=7 {
        assert_eq!(Ftype3::from_u32(t).unwrap() as u32, t);
    }
    assert_eq!(Ftype3::from_u32(0), None);
    assert_eq!(Ftype3::from_u32(8), None);
    let mut n = 0;
    for s in 0..20000 {
        if let Some(st) = Nfsstat3::from_u32(s) {
            assert_eq!(st as u32, s);
            roundtrip!(Nfsstat3, st);
            n += 1;
        }
    }
    assert_eq!(n, 29);
    assert_eq!(
        decode_from::<Nfsstat3>(&words(&[3])).err(),
        Some(XdrError::BadValue)
    );
    assert_eq!(
        decode_from::<SetTime>(&words(&[3])).err(),
        Some(XdrError::BadValue)
    );
    assert_eq!(
        decode_from::<CreateHow3>(&words(&[3])).err(),
        Some(XdrError::BadValue)
    );
    assert_eq!(
        decode_from::<StableHow>(&words(&[3])).err(),
        Some(XdrError::BadValue)
    );
}

#[test]
fn sattr_layout() {
    // RFC 1813 sattr3: six discriminated unions.
    assert_eq!(roundtrip!(Sattr3, Sattr3::NONE), words(&[0; 6]));
    let s = Sattr3 {
        mode: Some(0o644),
        uid: None,
        gid: Some(5),
        size: Some(0x1_0000_0000),
        atime: SetTime::ServerTime,
        mtime: SetTime::ClientTime(NfsTime3 {
            seconds: 9,
            nseconds: 10,
        }),
    };
    assert_eq!(
        roundtrip!(Sattr3, s),
        hex("00000001 000001a4 00000000 00000001 00000005
             00000001 0000000100000000 00000001 00000002 00000009 0000000a")
    );
    assert_eq!(roundtrip!(WccData, WccData::NONE), words(&[0, 0]));
}

#[test]
fn procedure_dispatch() {
    let mut r = Rng::new(4);
    let pool = r.bytes(1024);
    for p in 0..=21 {
        let a = args(&mut r, &pool, proc_of(p));
        assert_eq!(a.procedure() as u32, p);
        check_args(&a);
    }
    for p in [22, 23, 100, u32::MAX] {
        assert_eq!(
            Nfs3Args::decode(p, &mut Decoder::new(&[0; 64])),
            Err(ArgsError::ProcUnavail)
        );
    }
    // Unsupported procedures decode without looking at their arguments.
    for p in [5, 10, 11, 15] {
        assert_eq!(
            Nfs3Args::decode(p, &mut Decoder::new(&[])),
            Ok(Nfs3Args::Unsupported(proc_of(p)))
        );
    }
}

#[test]
fn random_args() {
    let mut r = Rng::new(5);
    let pool = r.bytes(4096);
    for i in 0..1500 {
        let p = proc_of(i % 22);
        check_args(&args(&mut r, &pool, p));
    }
}

/// Arguments with random mutations: never a panic; whatever decodes
/// re-encodes to something that decodes the same.
#[test]
fn mutated_args() {
    let mut r = Rng::new(6);
    let pool = r.bytes(4096);
    for i in 0..20000 {
        let p = i % 22;
        let mut b = common::enc(&args(&mut r, &pool, proc_of(p)));
        if b.is_empty() {
            continue;
        }
        for _ in 0..1 + r.below(3) {
            let at = r.below(b.len());
            match r.below(3) {
                0 => b[at] = r.u32() as u8,
                1 => b[at & !3..(at & !3) + 4].copy_from_slice(&r.edgy_u32().to_be_bytes()),
                _ => b[at] ^= 1 << r.below(8),
            }
        }
        let cut = r.below(b.len() + 1);
        if let Ok(a) = Nfs3Args::decode(p, &mut Decoder::new(&b[..cut])) {
            let again = common::enc(&a);
            assert_eq!(Nfs3Args::decode(p, &mut Decoder::new(&again)), Ok(a));
        }
        let _ = WriteHeader::decode(&mut Decoder::new(&b[..cut]));
    }
}

// ---------------------------------------------------------------------------
// Results

/// Every result type, both arms, random contents.
#[test]
fn random_results() {
    let mut r = Rng::new(7);
    let pool = r.bytes(4096);
    for _ in 0..150 {
        let st = status(&mut r);
        roundtrip!(GetattrRes, GetattrRes::Ok(fattr(&mut r)));
        roundtrip!(GetattrRes, GetattrRes::Fail(st, ()));
        roundtrip!(SetattrRes, SetattrRes::Ok(wcc_data(&mut r)));
        roundtrip!(SetattrRes, SetattrRes::Fail(st, wcc_data(&mut r)));
        roundtrip!(
            LookupRes<'_>,
            LookupRes::Ok(LookupOk {
                object: fh(&mut r, &pool),
                obj_attributes: post_op_attr(&mut r),
                dir_attributes: post_op_attr(&mut r),
            })
        );
        roundtrip!(LookupRes<'_>, LookupRes::Fail(st, post_op_attr(&mut r)));
        roundtrip!(
            AccessRes,
            AccessRes::Ok(AccessOk {
                obj_attributes: post_op_attr(&mut r),
                access: r.edgy_u32(),
            })
        );
        roundtrip!(AccessRes, AccessRes::Fail(st, post_op_attr(&mut r)));
        let data = r.slice(&pool, 700);
        roundtrip!(
            ReadRes<'_>,
            ReadRes::Ok(ReadOk {
                file_attributes: post_op_attr(&mut r),
                count: data.len() as u32,
                eof: r.bool(),
                data,
            })
        );
        roundtrip!(ReadRes<'_>, ReadRes::Fail(st, post_op_attr(&mut r)));
        roundtrip!(
            WriteRes,
            WriteRes::Ok(WriteOk {
                file_wcc: wcc_data(&mut r),
                count: r.edgy_u32(),
                committed: stable(&mut r),
                verf: r.array8(),
            })
        );
        roundtrip!(WriteRes, WriteRes::Fail(st, wcc_data(&mut r)));
        let ok = CreateOk {
            obj: r.bool().then(|| fh(&mut r, &pool)),
            obj_attributes: post_op_attr(&mut r),
            dir_wcc: wcc_data(&mut r),
        };
        roundtrip!(CreateRes<'_>, CreateRes::Ok(ok));
        roundtrip!(MkdirRes<'_>, MkdirRes::Ok(ok));
        roundtrip!(CreateRes<'_>, CreateRes::Fail(st, wcc_data(&mut r)));
        roundtrip!(RemoveRes, RemoveRes::Ok(wcc_data(&mut r)));
        roundtrip!(RmdirRes, RmdirRes::Fail(st, wcc_data(&mut r)));
        let rw = RenameWcc {
            fromdir_wcc: wcc_data(&mut r),
            todir_wcc: wcc_data(&mut r),
        };
        roundtrip!(RenameRes, RenameRes::Ok(rw));
        roundtrip!(RenameRes, RenameRes::Fail(st, rw));
        roundtrip!(
            FsstatRes,
            FsstatRes::Ok(FsstatOk {
                obj_attributes: post_op_attr(&mut r),
                tbytes: r.edgy_u64(),
                fbytes: r.edgy_u64(),
                abytes: r.edgy_u64(),
                tfiles: r.edgy_u64(),
                ffiles: r.edgy_u64(),
                afiles: r.edgy_u64(),
                invarsec: r.edgy_u32(),
            })
        );
        roundtrip!(FsstatRes, FsstatRes::Fail(st, post_op_attr(&mut r)));
        roundtrip!(
            FsinfoRes,
            FsinfoRes::Ok(FsinfoOk {
                obj_attributes: post_op_attr(&mut r),
                rtmax: r.edgy_u32(),
                rtpref: r.edgy_u32(),
                rtmult: r.edgy_u32(),
                wtmax: r.edgy_u32(),
                wtpref: r.edgy_u32(),
                wtmult: r.edgy_u32(),
                dtpref: r.edgy_u32(),
                maxfilesize: r.edgy_u64(),
                time_delta: time(&mut r),
                properties: r.edgy_u32(),
            })
        );
        roundtrip!(FsinfoRes, FsinfoRes::Fail(st, post_op_attr(&mut r)));
        roundtrip!(
            PathconfRes,
            PathconfRes::Ok(PathconfOk {
                obj_attributes: post_op_attr(&mut r),
                linkmax: r.edgy_u32(),
                name_max: r.edgy_u32(),
                no_trunc: r.bool(),
                chown_restricted: r.bool(),
                case_insensitive: r.bool(),
                case_preserving: r.bool(),
            })
        );
        roundtrip!(PathconfRes, PathconfRes::Fail(st, post_op_attr(&mut r)));
        roundtrip!(
            CommitRes,
            CommitRes::Ok(CommitOk {
                file_wcc: wcc_data(&mut r),
                verf: r.array8(),
            })
        );
        roundtrip!(CommitRes, CommitRes::Fail(st, wcc_data(&mut r)));
        roundtrip!(ReaddirRes<'_>, ReaddirRes::Fail(st, post_op_attr(&mut r)));
        roundtrip!(
            ReaddirplusRes<'_>,
            ReaddirplusRes::Fail(st, post_op_attr(&mut r))
        );
    }
}

#[test]
fn fail_arm_never_carries_ok() {
    let mut buf = [0u8; 64];
    assert_eq!(
        encode_to(&GetattrRes::Fail(Nfsstat3::Ok, ()), &mut buf),
        Err(XdrError::BadValue)
    );
    assert_eq!(
        encode_to(&WriteRes::Fail(Nfsstat3::Ok, WccData::NONE), &mut buf),
        Err(XdrError::BadValue)
    );
}

/// `encode_error` writes the status and an attribute-less resfail arm that
/// the matching result type decodes.
#[test]
fn error_results() {
    fn err(p: Nfs3Proc, st: Nfsstat3) -> Vec<u8> {
        let mut buf = [0u8; 64];
        let mut e = Encoder::new(&mut buf);
        p.encode_error(st, &mut e).unwrap();
        let n = e.position();
        for cap in 0..n {
            let mut small = vec![0u8; cap];
            let mut e = Encoder::new(&mut small);
            assert_eq!(p.encode_error(st, &mut e), Err(XdrError::NoSpace));
            assert_eq!(e.position(), 0);
        }
        buf[..n].to_vec()
    }
    let st = Nfsstat3::Io;
    let pa = |p| decode_from::<Nfs3Res<(), PostOpAttr>>(&err(p, st)).unwrap();
    let wcc = |p| decode_from::<Nfs3Res<(), WccData>>(&err(p, st)).unwrap();
    assert_eq!(
        decode_from::<GetattrRes>(&err(Nfs3Proc::Getattr, st)).unwrap(),
        (GetattrRes::Fail(st, ()), 4)
    );
    for p in [
        Nfs3Proc::Lookup,
        Nfs3Proc::Access,
        Nfs3Proc::Readlink,
        Nfs3Proc::Read,
        Nfs3Proc::Readdir,
        Nfs3Proc::Readdirplus,
        Nfs3Proc::Fsstat,
        Nfs3Proc::Fsinfo,
        Nfs3Proc::Pathconf,
    ] {
        assert_eq!(pa(p), (Nfs3Res::Fail(st, None), 8), "{p:?}");
    }
    for p in [
        Nfs3Proc::Setattr,
        Nfs3Proc::Write,
        Nfs3Proc::Create,
        Nfs3Proc::Mkdir,
        Nfs3Proc::Symlink,
        Nfs3Proc::Mknod,
        Nfs3Proc::Remove,
        Nfs3Proc::Rmdir,
        Nfs3Proc::Commit,
    ] {
        assert_eq!(wcc(p), (Nfs3Res::Fail(st, WccData::NONE), 12), "{p:?}");
    }
    assert_eq!(
        decode_from::<RenameRes>(&err(Nfs3Proc::Rename, st)).unwrap(),
        (
            RenameRes::Fail(
                st,
                RenameWcc {
                    fromdir_wcc: WccData::NONE,
                    todir_wcc: WccData::NONE
                }
            ),
            20
        )
    );
    // LINK3resfail: post_op_attr file_attributes, wcc_data linkdir_wcc.
    assert_eq!(
        err(Nfs3Proc::Link, Nfsstat3::Notsupp),
        words(&[10004, 0, 0, 0])
    );
    let mut buf = [0u8; 64];
    assert_eq!(
        Nfs3Proc::Null.encode_error(st, &mut Encoder::new(&mut buf)),
        Err(XdrError::BadValue)
    );
    assert_eq!(
        Nfs3Proc::Read.encode_error(Nfsstat3::Ok, &mut Encoder::new(&mut buf)),
        Err(XdrError::BadValue)
    );
}

// ---------------------------------------------------------------------------
// Directory listings

fn entry_len(name: &[u8]) -> usize {
    4 + 8 + 4 + name.len() + pad_len(name.len()) + 8
}

#[test]
fn readdir_kat() {
    let mut buf = [0u8; 256];
    let mut e = Encoder::new(&mut buf);
    let mut w = ReaddirEncoder::new(&mut e, &None, *b"verifier", 4096).unwrap();
    assert!(w
        .push(&Entry3 {
            fileid: 2,
            name: b".",
            cookie: 1
        })
        .unwrap());
    assert!(w
        .push(&Entry3 {
            fileid: 1,
            name: b"..",
            cookie: 2
        })
        .unwrap());
    assert!(w
        .push(&Entry3 {
            fileid: 77,
            name: b"file",
            cookie: 3
        })
        .unwrap());
    assert_eq!(w.entries(), 3);
    let len = w.finish(true).unwrap();
    let want = hex("
        00000000                     # NFS3_OK
        00000000                     # no dir attributes
        7665726966696572             # cookieverf
        00000001 0000000000000002 00000001 2e000000 0000000000000001
        00000001 0000000000000001 00000002 2e2e0000 0000000000000002
        00000001 000000000000004d 00000004 66696c65 0000000000000003
        00000000                     # end of entries
        00000001                     # eof
    ");
    assert_eq!(e.written(), &want[..]);
    assert_eq!(len, want.len());
    let (res, _) = decode_from::<ReaddirRes<'_>>(&want).unwrap();
    let ReaddirRes::Ok(ok) = res else {
        panic!("{res:?}")
    };
    assert!(ok.eof);
    assert_eq!(&ok.cookieverf, b"verifier");
    let names: Vec<&[u8]> = ok.entries.iter().map(|x| x.name).collect();
    assert_eq!(names, [&b"."[..], b"..", b"file"]);
    roundtrip!(ReaddirRes<'_>, res);
    // Empty directory listing.
    let empty = ReaddirOk {
        dir_attributes: None,
        cookieverf: [0; 8],
        entries: DirEntries::EMPTY,
        eof: true,
    };
    assert!(empty.entries.is_empty());
    assert_eq!(
        roundtrip!(ReaddirRes<'_>, ReaddirRes::Ok(empty)),
        words(&[0, 0, 0, 0, 0, 1])
    );
}

/// The encoder fills up to, and never beyond, the client's count; an entry
/// that does not fit leaves no trace.
#[test]
fn readdir_limits() {
    let mut r = Rng::new(8);
    let pool = r.bytes(2048);
    for _ in 0..400 {
        let attrs = post_op_attr(&mut r);
        let count = r.below(2000) as u32;
        let cap = r.below(2500);
        let mut buf = vec![0u8; cap];
        let mut e = Encoder::new(&mut buf);
        let Ok(mut w) = ReaddirEncoder::new(&mut e, &attrs, [1; 8], count) else {
            let head = 4 + common::enc(&attrs).len() + 8;
            assert!(head + 8 > cap);
            assert_eq!(e.position(), 0);
            continue;
        };
        let mut pushed = Vec::new();
        let mut refused = None;
        for i in 0..100u64 {
            let n = name(&mut r, &pool);
            let ent = Entry3 {
                fileid: i,
                name: n,
                cookie: i + 1,
            };
            let before = w.entries();
            if w.push(&ent).unwrap() {
                pushed.push(ent);
            } else {
                assert_eq!(w.entries(), before);
                refused = Some(ent);
                break;
            }
        }
        let eof = refused.is_none();
        let len = w.finish(eof).unwrap();
        let n = e.position();
        assert_eq!(len, n);
        assert!(n <= cap);
        if !pushed.is_empty() {
            assert!(n <= count as usize, "{n} > count {count}");
        }
        if let Some(x) = refused {
            // It really would not have fitted.
            let limit = (count as usize).min(cap);
            assert!(n + entry_len(x.name) > limit);
        }
        let (res, used) = decode_from::<ReaddirRes<'_>>(&buf[..n]).unwrap();
        assert_eq!(used, n);
        let ReaddirRes::Ok(ok) = res else { panic!() };
        assert_eq!(ok.dir_attributes, attrs);
        assert_eq!(ok.eof, eof);
        assert_eq!(ok.entries.iter().collect::<Vec<_>>(), pushed);
        for k in 0..n {
            assert_eq!(
                decode_from::<ReaddirRes<'_>>(&buf[..k]).err(),
                Some(XdrError::Short)
            );
        }
    }
}

#[test]
fn readdir_too_small_and_bad_names() {
    let mut buf = [0u8; 512];
    let mut e = Encoder::new(&mut buf);
    e.u32(0xabcd).unwrap();
    let mut w = ReaddirEncoder::new(&mut e, &None, [0; 8], 20).unwrap();
    assert_eq!(
        w.push(&Entry3 {
            fileid: 1,
            name: b"x",
            cookie: 1
        }),
        Ok(false)
    );
    assert_eq!(
        w.push(&Entry3 {
            fileid: 1,
            name: &[b'x'; 256],
            cookie: 1
        }),
        Err(XdrError::TooLong)
    );
    assert_eq!(w.entries(), 0);
    assert_eq!(w.abandon(), 4);
    assert_eq!(e.position(), 4);
    Nfs3Proc::Readdir
        .encode_error(Nfsstat3::Toosmall, &mut e)
        .unwrap();
    assert_eq!(e.written(), &words(&[0xabcd, 10005, 0])[..]);
    // No room for even the head and trailer.
    let mut small = [0u8; 23];
    let mut e = Encoder::new(&mut small);
    assert_eq!(
        ReaddirEncoder::new(&mut e, &None, [0; 8], 100).err(),
        Some(XdrError::NoSpace)
    );
    assert_eq!(e.position(), 0);
    let mut ok = [0u8; 24];
    let mut e = Encoder::new(&mut ok);
    let w = ReaddirEncoder::new(&mut e, &None, [0; 8], 100).unwrap();
    assert_eq!(w.finish(true), Ok(24));
}

#[test]
fn readdirplus_limits() {
    let mut r = Rng::new(9);
    let pool = r.bytes(2048);
    for round in 0..400 {
        let attrs = post_op_attr(&mut r);
        let dircount = if round % 2 == 0 {
            r.below(600) as u32
        } else {
            u32::MAX
        };
        let maxcount = r.below(4000) as u32;
        let mut buf = vec![0u8; 8192];
        let mut e = Encoder::new(&mut buf);
        let mut w = ReaddirplusEncoder::new(&mut e, &attrs, [2; 8], dircount, maxcount).unwrap();
        let mut pushed = Vec::new();
        let mut dir_used = 0usize;
        let mut refused = None;
        for i in 0..100u64 {
            let ent = EntryPlus3 {
                fileid: i,
                name: name(&mut r, &pool),
                cookie: r.edgy_u64(),
                name_attributes: post_op_attr(&mut r),
                name_handle: r.bool().then(|| fh(&mut r, &pool)),
            };
            if w.push(&ent).unwrap() {
                dir_used += 8 + 4 + ent.name.len() + pad_len(ent.name.len()) + 8;
                pushed.push(ent);
            } else {
                refused = Some(ent);
                break;
            }
        }
        assert_eq!(w.entries() as usize, pushed.len());
        let eof = refused.is_none();
        w.finish(eof).unwrap();
        let n = e.position();
        assert!(dir_used <= dircount as usize);
        if !pushed.is_empty() {
            assert!(n <= maxcount as usize);
        }
        if let Some(x) = refused {
            let dl = 20 + x.name.len() + pad_len(x.name.len());
            let el = 4 + common::enc(&x).len();
            assert!(dir_used + dl > dircount as usize || n + el > maxcount as usize);
        }
        let (res, used) = decode_from::<ReaddirplusRes<'_>>(&buf[..n]).unwrap();
        assert_eq!(used, n);
        let ReaddirplusRes::Ok(ok) = res else {
            panic!()
        };
        assert_eq!(ok.entries.iter().collect::<Vec<_>>(), pushed);
        assert_eq!(ok.eof, eof);
        if round % 10 == 0 {
            roundtrip!(ReaddirplusRes<'_>, res);
        }
    }
}

/// Listings with random mutations decode or fail, never panic, and what
/// decodes iterates completely and re-encodes consistently.
#[test]
fn mutated_listings() {
    let mut r = Rng::new(10);
    let pool = r.bytes(2048);
    for _ in 0..3000 {
        let mut buf = vec![0u8; 4096];
        let mut e = Encoder::new(&mut buf);
        let attrs = post_op_attr(&mut r);
        let mut w = ReaddirplusEncoder::new(&mut e, &attrs, [3; 8], 4000, 4000).unwrap();
        for i in 0..r.below(5) as u64 {
            let ent = EntryPlus3 {
                fileid: i,
                name: name(&mut r, &pool),
                cookie: i,
                name_attributes: post_op_attr(&mut r),
                name_handle: r.bool().then(|| fh(&mut r, &pool)),
            };
            w.push(&ent).unwrap();
        }
        w.finish(r.bool()).unwrap();
        let n = e.position();
        let b = &mut buf[..n];
        for _ in 0..1 + r.below(3) {
            let at = r.below(n) & !3;
            b[at..at + 4].copy_from_slice(&r.edgy_u32().to_be_bytes());
        }
        if let Ok((res, _)) = decode_from::<ReaddirplusRes<'_>>(b) {
            if let ReaddirplusRes::Ok(ok) = res {
                let _ = ok.entries.iter().count();
            }
            let again = common::enc(&res);
            assert_eq!(decode_from::<ReaddirplusRes<'_>>(&again).unwrap().0, res);
        }
        if let Ok((res, _)) = decode_from::<ReaddirRes<'_>>(b) {
            let again = common::enc(&res);
            assert_eq!(decode_from::<ReaddirRes<'_>>(&again).unwrap().0, res);
        }
    }
}
