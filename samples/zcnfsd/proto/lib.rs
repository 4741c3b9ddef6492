// SPDX-License-Identifier: GPL-2.0

//! Host build of zcnfsd's wire codec: the files under this directory, as a
//! `no_std` library, so `cargo test` and `cargo fuzz` can exercise them.
//! See `mod.rs` for the design.

#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[path = "mod.rs"]
mod proto;

pub use proto::*;
