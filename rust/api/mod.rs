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
//! The module is private (its items are `pub(crate)`), so the dead-code
//! lint sees what a module compiles but does not use. Each module compiles
//! the parts its role uses, selected by cfgs its Kbuild sets
//! (`rustflags-y`):
//!
//! - `zcvfs_role_core`: zcvfs.ko (the [`xuio::RawXuio`] accessors of its
//!   exports, [`error`]'s conversions to C, [`inline_vec`],
//!   [`provider::SegVec`]);
//! - `zcvfs_role_provider`: a provider, zcfs ([`provider`], [`fop::FsType`],
//!   [`fop::SuperBlock`]);
//! - `zcvfs_role_consumer`: a consumer, zcnfsd ([`consumer`], the calls of
//!   [`fop`], the owned [`xuio::Xuio`]);
//! - `zcvfs_role_monitor`: a file event monitor ([`monitor`]);
//! - `zcvfs_test_api`: the test module, which is a provider, a consumer
//!   and a monitor but uses its own subset of their API, plus the calls
//!   only the tests make.
//!
//! An item used by some roles only carries `#[cfg(any(...))]` naming each
//! of them; an item no module uses is deleted, not gated.
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
//!   small loan needs a single allocation;
//! - [`box_cache`]: spare boxes kept for reuse, so that a provider's loan
//!   at a time allocates nothing.
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

pub(crate) mod bindings;
#[cfg(any(zcvfs_role_core, zcvfs_role_provider))]
pub(crate) mod box_cache;
#[cfg(any(zcvfs_role_consumer, zcvfs_test_api))]
pub(crate) mod consumer;
pub(crate) mod error;
#[cfg(any(zcvfs_role_provider, zcvfs_role_consumer, zcvfs_test_api))]
pub(crate) mod fop;
#[cfg(any(zcvfs_role_core, zcvfs_role_provider, zcvfs_test_api))]
pub(crate) mod inline_vec;
#[cfg(zcvfs_role_monitor)]
pub(crate) mod monitor;
#[cfg(any(zcvfs_role_core, zcvfs_role_provider, zcvfs_test_api))]
pub(crate) mod provider;
pub(crate) mod xuio;
