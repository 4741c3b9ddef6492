// SPDX-License-Identifier: GPL-2.0

//! zcfs's operation tables, built as `rust/kernel/block/mq/operations.rs`
//! builds its vtable: the address-space operations of every zcfs inode,
//! the inode operations of directories and regular files, the file and VM
//! operations of regular files, and the super operations. Each entry is a
//! callback of [`crate::vfs_ops`], [`crate::inode_ops`] or a generic
//! function of the kernel (libfs, the page cache); the others are null.
//! [`crate::inode_ops::new_inode`] gives them to each new inode,
//! [`crate::mount`] the super operations to each super_block.
//!
//! The tables of file handles and of the `fs_context`, and the filesystem
//! type, are `zcfs_vfs.c`'s (`struct export_operations` and
//! `struct fs_context_operations` are opaque in the Rust bindings).

use crate::inode_ops::{
    zcfs_rs_alloc_inode, zcfs_rs_create, zcfs_rs_evict_inode, zcfs_rs_free_inode, zcfs_rs_mkdir,
    zcfs_rs_mmap_prepare, zcfs_rs_symlink,
};
use crate::vfs_ops::{
    zcfs_rs_page_mkwrite, zcfs_rs_read_folio, zcfs_rs_read_iter, zcfs_rs_setattr,
    zcfs_rs_show_options, zcfs_rs_statfs, zcfs_rs_write_begin, zcfs_rs_write_end,
    zcfs_rs_write_iter,
};
use kernel::bindings;

/// An operation table the kernel reads, from any thread.
///
/// # Invariants
///
/// The table is never written: it holds function pointers and null ones.
#[repr(transparent)]
pub(crate) struct Table<T>(T);

// SAFETY: never written (invariant), so shared by every thread.
unsafe impl<T> Sync for Table<T> {}

impl<T> Table<T> {
    /// The table, for a `*const` field of the kernel.
    pub(crate) const fn get(&'static self) -> *const T {
        &self.0
    }
}

/// An all-zero `T`.
///
/// # Safety
///
/// All-zero is a valid `T`: an operation table (null pointers, `None` for
/// every operation, which the kernel reads as "not provided").
const unsafe fn zeroed<T>() -> T {
    // SAFETY: see the function's safety section.
    unsafe { core::mem::zeroed() }
}

/// The address space of every zcfs inode: ramfs's, every new folio
/// charged (`read_folio`, `write_begin`, `write_end`: [`crate::rw`]).
pub(crate) static AOPS: Table<bindings::address_space_operations> =
    Table(bindings::address_space_operations {
        read_folio: Some(zcfs_rs_read_folio),
        write_begin: Some(zcfs_rs_write_begin),
        write_end: Some(zcfs_rs_write_end),
        dirty_folio: Some(bindings::noop_dirty_folio),
        migrate_folio: Some(bindings::filemap_migrate_folio),
        // SAFETY: an operation table.
        ..unsafe { zeroed() }
    });

/// Directories: libfs's, but for the creation of inodes.
pub(crate) static DIR_INODE_OPS: Table<bindings::inode_operations> =
    Table(bindings::inode_operations {
        create: Some(zcfs_rs_create),
        lookup: Some(bindings::simple_lookup),
        link: Some(bindings::simple_link),
        unlink: Some(bindings::simple_unlink),
        symlink: Some(zcfs_rs_symlink),
        mkdir: Some(zcfs_rs_mkdir),
        rmdir: Some(bindings::simple_rmdir),
        rename: Some(bindings::simple_rename),
        // SAFETY: an operation table.
        ..unsafe { zeroed() }
    });

/// Regular files: `setattr` (truncate) is [`crate::rw`]'s.
pub(crate) static FILE_INODE_OPS: Table<bindings::inode_operations> =
    Table(bindings::inode_operations {
        setattr: Some(zcfs_rs_setattr),
        getattr: Some(bindings::simple_getattr),
        // SAFETY: an operation table.
        ..unsafe { zeroed() }
    });

/// The mappings of regular files: the page cache's faults, and
/// `page_mkwrite` ([`crate::rw`]).
pub(crate) static VM_OPS: Table<bindings::vm_operations_struct> =
    Table(bindings::vm_operations_struct {
        fault: Some(bindings::filemap_fault),
        map_pages: Some(bindings::filemap_map_pages),
        page_mkwrite: Some(zcfs_rs_page_mkwrite),
        // SAFETY: an operation table.
        ..unsafe { zeroed() }
    });

/// Regular files: `read_iter` and `write_iter` are [`crate::rw`]'s.
pub(crate) static FILE_OPS: Table<bindings::file_operations> = Table(bindings::file_operations {
    read_iter: Some(zcfs_rs_read_iter),
    write_iter: Some(zcfs_rs_write_iter),
    mmap_prepare: Some(zcfs_rs_mmap_prepare),
    fsync: Some(bindings::noop_fsync),
    splice_read: Some(bindings::copy_splice_read),
    splice_write: Some(bindings::iter_file_splice_write),
    llseek: Some(bindings::generic_file_llseek),
    get_unmapped_area: Some(bindings::mm_get_unmapped_area),
    // SAFETY: an operation table.
    ..unsafe { zeroed() }
});

/// The super block: zcfs's inode container, `statfs` and `show_options`.
pub(crate) static SUPER_OPS: Table<bindings::super_operations> =
    Table(bindings::super_operations {
        alloc_inode: Some(zcfs_rs_alloc_inode),
        free_inode: Some(zcfs_rs_free_inode),
        statfs: Some(zcfs_rs_statfs),
        drop_inode: Some(bindings::inode_just_drop),
        evict_inode: Some(zcfs_rs_evict_inode),
        show_options: Some(zcfs_rs_show_options),
        // SAFETY: an operation table.
        ..unsafe { zeroed() }
    });
