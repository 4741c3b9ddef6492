// SPDX-License-Identifier: GPL-2.0

//! Fuzzes the server's request decoding: the whole-record decoder, the
//! WRITE prefix path, and the consistency of decode and encode.

#![no_main]

use libfuzzer_sys::fuzz_target;
use zcnfsd_proto::nfs3::{ReaddirRes, ReaddirplusRes, WriteHeader, WRITE_HEADER_MAX_LEN};
use zcnfsd_proto::request::{decode_request, route, RequestError};
use zcnfsd_proto::rpc::{CallHeader, ReplyHeader, MAX_CALL_HEADER_LEN};
use zcnfsd_proto::xdr::{decode_from, encode_to, Decoder};

fuzz_target!(|data: &[u8]| {
    let mut out = vec![0u8; data.len() + 64];

    match decode_request(data) {
        Ok(req) => {
            // What decodes re-encodes, and that decodes to the same request.
            let n = encode_to(&req, &mut out).expect("re-encode");
            assert!(n <= data.len());
            assert_eq!(decode_request(&out[..n]), Ok(req));
        }
        Err(RequestError::Reply(h)) => {
            let n = encode_to(&h, &mut out).expect("encode reply");
            let (back, _) = decode_from::<ReplyHeader<'_>>(&out[..n]).expect("decode reply");
            assert_eq!(back, h);
        }
        Err(RequestError::Drop) => {}
    }

    // The WRITE path works on a bounded prefix of the record.
    let prefix = &data[..data.len().min(MAX_CALL_HEADER_LEN + WRITE_HEADER_MAX_LEN)];
    let mut d = Decoder::new(prefix);
    if let Ok(call) = CallHeader::decode_call(&mut d) {
        let _ = route(&call);
        if let Ok(h) = WriteHeader::decode(&mut d) {
            assert!(d.position() <= prefix.len());
            let _ = h.payload_wire_len();
        }
    }

    // Listing decoders walk untrusted chains; their iterators must agree.
    if let Ok((ReaddirplusRes::Ok(ok), _)) = decode_from::<ReaddirplusRes<'_>>(data) {
        let _ = ok.entries.iter().count();
    }
    if let Ok((ReaddirRes::Ok(ok), _)) = decode_from::<ReaddirRes<'_>>(data) {
        let _ = ok.entries.iter().count();
    }
});
