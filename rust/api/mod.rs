// SPDX-License-Identifier: GPL-2.0

//! The zcvfs API shared by every module of the project.
//!
//! Out-of-tree Rust modules cannot link against each other's crates, so this
//! directory is compiled into each module that uses zcvfs (zcvfs.ko itself,
//! the providers and the consumers) with
//!
//! ```ignore
//! #[path = "<relative path to>/rust/api/mod.rs"]
//! mod zcvfs_api;
//! ```
//!
//! The boundary between the modules is the C ABI of `include/zcvfs/`; this
//! API is its Rust face:
//!
//! - [`xuio_raw`]: the `#[repr(C)]` mirror of `struct xuio` and the constants;
//! - [`xuio`]: the safe, owned [`xuio::Xuio`] and its extension enum;
//! - [`fop`]: safe calls of the exported `fop_*` entry points;
//! - [`consumer`]: [`consumer::ReadLoan`] / [`consumer::WriteLoan`], the
//!   consumer's protocol encoded in ownership;
//! - [`provider`]: the `#[vtable]` [`provider::Provider`] trait and its C ops
//!   table;
//! - [`monitor`]: file event monitors ([`monitor::Monitor`]);
//! - [`inline_vec`]: a vector with its first elements in place, so that a
//!   small loan needs a single allocation.
//!
//! Only the files named `*_ffi.rs` and [`xuio_raw`] contain `unsafe` code.

pub mod consumer;
pub mod fop;
mod fop_ffi;
pub mod inline_vec;
pub mod monitor;
mod monitor_ffi;
pub mod provider;
mod provider_ffi;
pub mod xuio;
pub mod xuio_raw;
