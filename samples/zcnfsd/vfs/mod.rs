// SPDX-License-Identifier: GPL-2.0

//! zcnfsd's VFS abstractions: thin safe wrappers over the C helpers of
//! `zcnfsd_vfs.c` and `zcnfsd_thread.c` (declared in `zcnfsd_vfs.h`), one
//! file per abstraction, each with its extern declarations, its
//! `Send`/`Sync` impls, its constructors and its invariants:
//!
//! - [`dentry`]: [`dentry::Dentry`] (`ARef`-counted `struct dentry`), the
//!   checked directory [`dentry::Dir`], fids;
//! - [`path`]: [`path::ExportPath`], the exported mount and directory, and
//!   the operations that need its mount (attributes, permission, names,
//!   open, statfs);
//! - [`file`]: operations on an open file (fsync, readdir);
//! - [`cred`]: a request's ids and the credential override;
//! - [`kthread`]: kernel threads running a Rust closure;
//! - [`attr`]: the C layout of attributes (no code).
//!
//! These files, and the ones of [`crate::net`], are the only ones that
//! contain `unsafe` code; every other module denies it.

pub(crate) mod attr;
pub(crate) mod cred;
pub(crate) mod dentry;
pub(crate) mod file;
pub(crate) mod kthread;
pub(crate) mod path;
