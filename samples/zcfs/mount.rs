// SPDX-License-Identifier: GPL-2.0

//! The mount: the `fs_context` callbacks (`init_fs_context`, `get_tree`,
//! `reconfigure`, `free`, and the values of `parse_param`), `fill_super`
//! and `kill_sb`. A mount's `s_fs_info` is its [`SbInfo`]: made by
//! `init_fs_context`, filled by the parsing of its parameters
//! (`zcfs_vfs.c`'s `parse_param`, then [`zcfs_rs_parse_param`]), given its
//! [`Space`] by `get_tree` and handed to the super_block, freed by
//! `kill_sb` (or by `free` if no super_block took it).
//!
//! `struct fs_context` is opaque in the Rust bindings: its fields are
//! read and written by `zcfs_vfs.c` (`zcfs_fc_*`), as are the messages of
//! refused options (`invalfc` is a macro).

use crate::inode_ops;
use crate::options::{self, Refusal};
use crate::space::Space;
use crate::super_block::{self, SbInfo, ZcfsSb};
use crate::tables;
use crate::zcvfs_api::fop::{SuperBlock, VFSFT_ZEROCOPY_SUPPORTED};
use kernel::bindings;
use kernel::ffi::{c_char, c_int, c_void};
use kernel::prelude::*;
use kernel::types::ForeignOwnable;

/// `"zcfs"` as a super_block's magic number.
const ZCFS_MAGIC: usize = 0x7a63_6673;

// Pointers to opaque kernel structures: some bindgen types contain
// zero-length arrays, which the lint flags although only pointers cross.
#[allow(improper_ctypes)]
extern "C" {
    // The table of file handles, and a constant, of `zcfs_vfs.c`.
    static zcfs_export_ops: bindings::export_operations;
    static zcfs_max_lfs_filesize: bindings::loff_t;
    // Fields of `struct fs_context` (opaque in the bindings), and
    // `invalfc` (a macro).
    fn zcfs_fc_fs_info(fc: *mut bindings::fs_context) -> *mut c_void;
    fn zcfs_fc_init(fc: *mut bindings::fs_context, info: *mut c_void);
    fn zcfs_fc_root_sb(fc: *mut bindings::fs_context) -> *mut bindings::super_block;
    fn zcfs_invalfc(fc: *mut bindings::fs_context, msg: *const c_char) -> c_int;
    // `<linux/fs_context.h>`, which the Rust bindings do not cover.
    fn get_tree_nodev(
        fc: *mut bindings::fs_context,
        fill_super: unsafe extern "C" fn(
            *mut bindings::super_block,
            *mut bindings::fs_context,
        ) -> c_int,
    ) -> c_int;
}

/// 0 or a negative errno.
fn errno(r: Result) -> c_int {
    match r {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// The `SbInfo` of a mount being set up.
///
/// # Safety
///
/// `fc` is a live zcfs `fs_context` that [`zcfs_rs_init_fs_context`] set
/// up and no super_block took yet, the caller's for `'a`.
unsafe fn fc_info<'a>(fc: *mut bindings::fs_context) -> &'a mut SbInfo {
    // SAFETY: see the function's safety section: `s_fs_info` is the
    // context's `SbInfo`, which only its (serialized) callbacks use.
    unsafe { &mut *zcfs_fc_fs_info(fc).cast::<SbInfo>() }
}

/// Refuses the options with `msg` in the context's log: `-EINVAL`.
///
/// # Safety
///
/// `fc` is a live `fs_context`.
unsafe fn invalid(fc: *mut bindings::fs_context, msg: &CStr) -> c_int {
    // SAFETY: see the function's safety section; `msg` is a C string.
    unsafe { zcfs_invalfc(fc, msg.as_char_ptr()) }
}

// The parameters of `zcfs_vfs.c`'s `enum zcfs_param`, in its order.
const OPT_SIZE: c_int = 0;
const OPT_NR_BLOCKS: c_int = 1;
const OPT_MODE: c_int = 2;
const OPT_MIN_LOAN: c_int = 3;
const OPT_MAX_LOAN: c_int = 4;
const OPT_MAX_LOAN_PAGES: c_int = 5;
const OPT_NOZEROCOPY: c_int = 6;
const OPT_DEBUG_NORANGELOCK: c_int = 7;

/// A parameter `fs_parse()` found in the mount's options
/// ([`options::apply`]): `opt` is which (`enum zcfs_param`), `string` its
/// text, `uint_32` and `uint_64` its number (as `fs_parse()` converted it
/// for the type of the parameter). 0, or `-EINVAL` for a bad value.
///
/// # Safety
///
/// `parse_param`'s call (`zcfs_vfs.c`) on a zcfs `fs_context` that
/// [`zcfs_rs_init_fs_context`] set up; `string` is a C string for `size=`
/// and `nr_blocks=`.
#[no_mangle]
pub(crate) unsafe extern "C" fn zcfs_rs_parse_param(
    fc: *mut bindings::fs_context,
    opt: c_int,
    string: *const c_char,
    uint_32: u32,
    uint_64: u64,
) -> c_int {
    let mut rest: *mut c_char = core::ptr::null_mut();
    let mut number = || {
        // SAFETY: `string` is a C string (see the function's safety
        // section); `memparse` stores where the number ends in `rest`.
        let value = unsafe { bindings::memparse(string, &mut rest) };
        // SAFETY: `rest` points into `string`, a C string.
        let rest = unsafe { CStr::from_char_ptr(rest) };
        (value, rest.to_bytes())
    };
    let param = match opt {
        OPT_SIZE => {
            let (value, rest) = number();
            options::Param::Size { value, rest }
        }
        OPT_NR_BLOCKS => {
            let (value, rest) = number();
            options::Param::NrBlocks { value, rest }
        }
        OPT_MODE => options::Param::Mode(uint_32),
        OPT_MIN_LOAN => options::Param::MinLoan(uint_64),
        OPT_MAX_LOAN => options::Param::MaxLoan(uint_64),
        OPT_MAX_LOAN_PAGES => options::Param::MaxLoanPages(uint_64),
        OPT_NOZEROCOPY => options::Param::NoZeroCopy,
        OPT_DEBUG_NORANGELOCK => options::Param::DebugNoRangeLock,
        _ => return EINVAL.to_errno(),
    };
    // SAFETY: see the function's safety section.
    let info = unsafe { fc_info(fc) };
    errno(options::apply(info, param, super_block::ram_pages()))
}

/// Frees an `SbInfo` and its space, if it has one.
///
/// # Safety
///
/// `info` came from [`zcfs_rs_init_fs_context`] and is not used
/// afterwards.
unsafe fn free_info(info: *mut SbInfo) {
    // SAFETY: see the function's safety section: a `KBox`.
    let info = unsafe { KBox::from_raw(info) };
    if !info.space.is_null() {
        // SAFETY: made by `get_tree` (a `KBox<Space>`), freed once, here.
        drop(unsafe { <KBox<Space> as ForeignOwnable>::from_foreign(info.space) });
    }
}

/// `init_fs_context`: a new mount's (or remount's) options at their
/// defaults ([`options::defaults`]), for its parameters.
///
/// # Safety
///
/// The VFS's `init_fs_context` call of the `zcfs` type: `fc` is live.
#[no_mangle]
pub(crate) unsafe extern "C" fn zcfs_rs_init_fs_context(fc: *mut bindings::fs_context) -> c_int {
    let ram = super_block::ram_pages();
    let info = SbInfo {
        opts: options::defaults(ram),
        space: core::ptr::null_mut(),
        // `size=` in pages fits an unsigned long.
        max_blocks: options::default_max_blocks(ram) as usize,
        size_given: false,
        max_loan_pages_given: false,
    };
    let Ok(info) = KBox::new(info, GFP_KERNEL) else {
        return ENOMEM.to_errno();
    };
    // SAFETY: `fc` is live; it owns the `SbInfo` from now on (`free`,
    // or the super_block's `kill_sb`).
    unsafe { zcfs_fc_init(fc, KBox::into_raw(info).cast()) };
    0
}

/// `free` of an `fs_context`: its `SbInfo`, unless a super_block took it.
///
/// # Safety
///
/// The VFS's `free` call of a zcfs `fs_context`.
#[no_mangle]
pub(crate) unsafe extern "C" fn zcfs_rs_free_fc(fc: *mut bindings::fs_context) {
    // SAFETY: see the function's safety section.
    let info = unsafe { zcfs_fc_fs_info(fc) };
    if !info.is_null() {
        // SAFETY: the context's own `SbInfo`, not used afterwards.
        unsafe { free_info(info.cast()) };
    }
}

/// `get_tree`: checks the options and derives their defaults
/// ([`options::finish`]), makes the mount's [`Space`], and a new
/// super_block ([`fill_super`]).
///
/// # Safety
///
/// The VFS's `get_tree` call of a zcfs `fs_context` that parsed its
/// parameters.
#[no_mangle]
pub(crate) unsafe extern "C" fn zcfs_rs_get_tree(fc: *mut bindings::fs_context) -> c_int {
    // SAFETY: see the function's safety section.
    let info = unsafe { fc_info(fc) };
    let max_blocks = info.max_blocks as u64;
    let refused = match options::finish(
        &mut info.opts,
        max_blocks,
        info.max_loan_pages_given,
        super_block::ram_pages(),
    ) {
        Ok(()) => None,
        Err(Refusal::LoanPages) => Some(c"max_loan_pages above a quarter of RAM"),
        Err(Refusal::LoanLimits) => Some(c"Invalid loan limits"),
    };
    if let Some(msg) = refused {
        // SAFETY: `fc` is live.
        return unsafe { invalid(fc, msg) };
    }
    let Ok(space) = KBox::new(Space::new(max_blocks, info.opts.max_loan_pages), GFP_KERNEL) else {
        return ENOMEM.to_errno();
    };
    // INVARIANT: the space is the `SbInfo`'s, freed with it.
    info.space = space.into_foreign();
    // SAFETY: `fc` is live; `fill_super` sets up the super_block that
    // takes the context's `SbInfo`.
    unsafe { get_tree_nodev(fc, fill_super) }
}

/// `fill_super` of [`zcfs_rs_get_tree`]: the super_block's parameters and
/// operations, its root directory, and zero-copy unless `nozerocopy`.
///
/// # Safety
///
/// `sb` is the new super_block of `get_tree_nodev`, whose `s_fs_info` is
/// the context's `SbInfo`, with its space.
unsafe extern "C" fn fill_super(
    sb: *mut bindings::super_block,
    _fc: *mut bindings::fs_context,
) -> c_int {
    // SAFETY: see the function's safety section: the super_block is ours
    // until it is set up; the tables and constants are statics.
    unsafe {
        (*sb).s_maxbytes = zcfs_max_lfs_filesize;
        (*sb).s_blocksize = kernel::page::PAGE_SIZE;
        (*sb).s_blocksize_bits = kernel::page::PAGE_SHIFT as u8;
        (*sb).s_magic = ZCFS_MAGIC;
        (*sb).s_op = tables::SUPER_OPS.get();
        (*sb).s_export_op = &raw const zcfs_export_ops;
        (*sb).s_d_flags = bindings::dentry_flags_DCACHE_DONTCACHE;
        (*sb).s_time_gran = 1;
    }
    // SAFETY: as above: `s_fs_info` holds the options and the space.
    let opts = unsafe { ZcfsSb::from_raw(sb) }.opts();
    // SAFETY: a zcfs super_block with its space; no parent.
    let inode =
        unsafe { inode_ops::new_inode(sb, core::ptr::null(), bindings::S_IFDIR | opts.mode) };
    // SAFETY: `d_make_root` takes the inode's reference (or puts it), and
    // takes null.
    let root = unsafe { bindings::d_make_root(inode) };
    if root.is_null() {
        return ENOMEM.to_errno();
    }
    // SAFETY: as above.
    unsafe { (*sb).s_root = root };
    if opts.debug_norangelock != 0 {
        pr_notice!(
            "mounted with debug_norangelock: no byte-range locks, reads may see partial writes (tests only)\n"
        );
    }
    if opts.nozerocopy == 0 {
        // SAFETY: the super_block being set up, live for the call.
        let sb = unsafe { SuperBlock::from_raw(sb) };
        return errno(sb.set_features(VFSFT_ZEROCOPY_SUPPORTED));
    }
    0
}

/// `reconfigure` (remount): only `size=` (or `nr_blocks=`) is applied, not
/// below the pages in use; the other options stay as mounted.
///
/// # Safety
///
/// The VFS's `reconfigure` call of a zcfs `fs_context` of a remount.
#[no_mangle]
pub(crate) unsafe extern "C" fn zcfs_rs_reconfigure(fc: *mut bindings::fs_context) -> c_int {
    // SAFETY: see the function's safety section.
    let new = unsafe { fc_info(fc) };
    if !new.size_given {
        return 0;
    }
    // SAFETY: a remount's context: its root is a mounted zcfs's.
    let sb = unsafe { ZcfsSb::from_raw(zcfs_fc_root_sb(fc)) };
    if sb.space().resize(new.max_blocks as u64).is_err() {
        // SAFETY: `fc` is live.
        return unsafe { invalid(fc, c"Too small a size for current use") };
    }
    0
}

/// `kill_sb`: zero-copy is withdrawn (zcvfs's registry must not outlive
/// the super_block), the super_block killed, then its `SbInfo` and space
/// freed (eviction gives the inodes' charges back to the space).
///
/// # Safety
///
/// The VFS's `kill_sb` call of a zcfs super_block.
#[no_mangle]
pub(crate) unsafe extern "C" fn zcfs_rs_kill_sb(sb: *mut bindings::super_block) {
    // SAFETY: see the function's safety section: live for the call.
    let zsb = unsafe { SuperBlock::from_raw(sb) };
    // Clearing what was never set (`nozerocopy`) is not an error.
    if let Err(e) = zsb.clear_features(VFSFT_ZEROCOPY_SUPPORTED) {
        pr_warn!("zcfs: clearing the zero-copy feature failed: {:?}\n", e);
    }
    // SAFETY: as above; `s_fs_info` is the `SbInfo` the context handed
    // over.
    let info = unsafe { (*sb).s_fs_info };
    // SAFETY: as above.
    unsafe { bindings::kill_anon_super(sb) };
    if !info.is_null() {
        // SAFETY: the super_block's `SbInfo`, no longer used.
        unsafe { free_info(info.cast()) };
    }
}
