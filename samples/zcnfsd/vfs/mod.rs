// SPDX-License-Identifier: GPL-2.0

//! zcnfsd's VFS abstractions: safe wrappers over the kernel's VFS, calling
//! its exported functions (through the kernel crate's bindings, or the
//! declarations of [`helpers`] where the bindings lack them) and, for what
//! Rust cannot reach, the C helpers of `zcnfsd_vfs.c` (declared in
//! `zcnfsd_vfs.h`). One file per abstraction, each with its `Send`/`Sync`
//! impls, its constructors and its invariants:
//!
//! - [`dentry`]: [`dentry::Dentry`] (`ARef`-counted `struct dentry`), the
//!   checked directory [`dentry::Dir`], fids, lookup;
//! - [`path`]: [`path::ExportPath`], the exported mount and directory,
//!   file handles and open; the other operations that need its mount:
//! - [`attr`]: attributes (getattr, setattr, statfs);
//! - [`permission`]: NFSD's permission checks, ACCESS;
//! - [`names`]: create, mkdir, remove, rename;
//! - [`file`]: operations on an open file (fsync, readdir);
//! - [`cred`]: a request's ids and the credential override;
//! - [`kthread`]: kernel threads running a Rust closure;
//! - [`helpers`]: the declarations of the C helpers and of the kernel
//!   functions missing from the bindings (no code).
//!
//! These files, and the ones of [`crate::net`], are the only ones that
//! contain `unsafe` code; every other module denies it.

pub(crate) mod attr;
pub(crate) mod cred;
pub(crate) mod dentry;
pub(crate) mod file;
mod helpers;
pub(crate) mod kthread;
pub(crate) mod names;
pub(crate) mod path;
pub(crate) mod permission;
