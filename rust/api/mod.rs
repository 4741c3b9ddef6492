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
//! API is its Rust face, one file per abstraction:
//!
//! - [`bindings`]: the hand-written bindings of the C ABI: the `#[repr(C)]`
//!   mirror of its types (layout checked at build time), its constants and
//!   the one `extern "C"` block of its functions. No logic, no `unsafe`
//!   blocks;
//! - [`error`]: the errno conventions (`ssize_t` and id returns), for every
//!   module of the project;
//! - [`xuio`]: `struct xuio`, its decoded extension ([`xuio::XuioExt`]), the
//!   owned [`xuio::Xuio`] and the loaned page segments;
//! - [`fop`]: safe calls of the exported `fop_*` entry points, feature
//!   flags, [`fop::FsType`] and [`fop::SuperBlock`];
//! - [`consumer`]: [`consumer::ReadLoan`] / [`consumer::WriteLoan`], the
//!   consumer's protocol encoded in ownership;
//! - [`provider`]: the `#[vtable]` [`provider::Provider`] trait, its C ops
//!   table and callbacks, and [`provider::Registration`];
//! - [`monitor`]: file event monitors ([`monitor::Monitor`]), their C ops
//!   table and callbacks, and [`monitor::MonitorHandle`];
//! - [`inline_vec`]: a vector with its first elements in place, so that a
//!   small loan needs a single allocation.
//!
//! The rule: a type lives in one file with its invariants, its
//! constructors (`from_raw`), its `Send`/`Sync` impls and the calls of
//! [`bindings`] that uphold them; every such `unsafe` block has a
//! `// SAFETY:` comment and every raw-pointer input is an `unsafe fn` with a
//! `# Safety` section. The files without any need for `unsafe`
//! ([`error`], [`consumer`], [`inline_vec`]) carry `#![deny(unsafe_code)]`,
//! so the confinement is checked by the compiler. Imports go one way:
//! `bindings` <- `error` <- `xuio` <- `fop` <- `consumer`, `provider`,
//! `monitor`.

pub mod bindings;
pub mod consumer;
pub mod error;
pub mod fop;
pub mod inline_vec;
pub mod monitor;
pub mod provider;
pub mod xuio;
