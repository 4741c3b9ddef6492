// SPDX-License-Identifier: GPL-2.0

//! Wire codec of zcnfsd: XDR, ONC RPC, MOUNT v3 and NFSv3.
//!
//! These files are shared, unchanged, by the kernel module (which includes
//! them with `#[path = "proto/mod.rs"] pub mod proto;`) and by the host
//! crate `zcnfsd-proto` (`lib.rs` beside this file), so that `cargo test`
//! and `cargo fuzz` exercise the exact code the kernel runs. Hence:
//!
//! - `core` only: no `std`, no `alloc`, no external crates, no `unsafe`,
//!   no crate-level attributes in these files.
//! - **Borrowed decode.** [`xdr::Decoder`] reads a `&'a [u8]` and every
//!   decoded opaque, string, file handle or name is a `&'a [u8]` into the
//!   request; lists (directory entries, exports, AUTH_SYS gids) are
//!   validated once and then iterated in place.
//! - **Encode into the caller's buffer.** [`xdr::Encoder`] writes into a
//!   `&mut [u8]` and reports [`xdr::XdrError::NoSpace`] instead of growing.
//! - **Split READ reply.** [`nfs3::encode_read_ok_header`] writes the reply
//!   only up to and including the data's length word, so the server can
//!   send the loaned page-cache pages by reference and the XDR padding
//!   ([`xdr::padding_for`]) from a separate small buffer.
//! - **WRITE header from a prefix.** [`nfs3::WriteHeader::decode`] needs
//!   only the bytes before the payload and reports where the payload
//!   starts, so the payload can be received straight into loaned pages.
//! - **No panics.** No indexing, slicing or arithmetic that can panic, no
//!   `unwrap`: every malformed input is an error value, which
//!   [`request::decode_request`] maps to the RPC answer (GARBAGE_ARGS,
//!   PROC_UNAVAIL, PROG_UNAVAIL, PROG_MISMATCH, RPC_MISMATCH, AUTH_ERROR)
//!   or to dropping the connection.

// Module-level lints (not crate attributes), so they hold in the kernel
// build too: no unsafe code, and clippy rejects the usual panic sources.
#![forbid(unsafe_code)]
#![deny(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable,
    clippy::todo,
    clippy::unimplemented
)]

pub mod mount3;
pub mod nfs3;
pub mod request;
pub mod rpc;
pub mod xdr;
