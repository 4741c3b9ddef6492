/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zcfs: the interface between the C of the module (zcfs_vfs.c: tables,
 * parsing, wrappers) and its Rust.  The zcfs_rs_*() functions are the
 * Rust callbacks of zcfs_vfs.c's tables (export.rs, mount.rs); those
 * tables and the filesystem type are C, for Rust to install (mount.rs,
 * super_block.rs); the other functions and constants are C, for Rust (folio.rs, inode.rs, inode_ops.rs, kiocb.rs,
 * mount.rs, super_block.rs, vfs_ops.rs).  A mount's s_fs_info and its
 * options are Rust's (super_block.rs: SbInfo, options.rs: RawOpts).
 */
#ifndef _ZCFS_H
#define _ZCFS_H

#include <linux/types.h>
#include <linux/atomic.h>
#include <linux/mm_types.h>

struct address_space;
struct dentry;
struct fid;
struct file;
struct file_system_type;
struct folio;
struct fs_context;
struct iov_iter;
struct kiocb;
struct kstatfs;
struct page;
struct super_block;
struct vm_fault;

/* Rust: the callbacks of the tables of zcfs_vfs.c (export.rs, mount.rs). */
struct dentry *zcfs_rs_fh_to_dentry(struct super_block *sb, struct fid *fid,
				    int fh_len, int fh_type);
struct dentry *zcfs_rs_fh_to_parent(struct super_block *sb, struct fid *fid,
				    int fh_len, int fh_type);
struct dentry *zcfs_rs_get_parent(struct dentry *child);
int zcfs_rs_init_fs_context(struct fs_context *fc);
int zcfs_rs_parse_param(struct fs_context *fc, int opt, const char *string,
			u32 uint_32, u64 uint_64);
void zcfs_rs_free_fc(struct fs_context *fc);
int zcfs_rs_get_tree(struct fs_context *fc);
int zcfs_rs_reconfigure(struct fs_context *fc);
void zcfs_rs_kill_sb(struct super_block *sb);

/* The tables and the type of zcfs_vfs.c, for Rust (mount.rs, super_block.rs). */
extern const struct export_operations zcfs_export_ops;
extern struct file_system_type zcfs_fs_type;

/* C, for Rust: fields of struct fs_context (opaque in the bindings). */
void *zcfs_fc_fs_info(struct fs_context *fc);
void zcfs_fc_init(struct fs_context *fc, void *sbi);
struct super_block *zcfs_fc_root_sb(struct fs_context *fc);
int zcfs_invalfc(struct fs_context *fc, const char *msg);

/* C, for Rust: constants, wrappers of static inline functions and macros. */
extern const gfp_t zcfs_gfp_highuser;
extern const gfp_t zcfs_gfp_noretry;
extern const loff_t zcfs_max_lfs_filesize;
unsigned long zcfs_totalram_pages(void);
void zcfs_statfs_set_blocks(struct kstatfs *buf, u64 blocks, u64 avail);
struct page *zcfs_zero_page(void);
struct folio *zcfs_folio_alloc(gfp_t gfp, unsigned int order);
struct folio *zcfs_filemap_alloc_folio(gfp_t gfp, unsigned int order);
unsigned int zcfs_mapping_max_folio_order(struct address_space *mapping);
struct folio *zcfs_filemap_lock_folio(struct address_space *mapping,
				      pgoff_t index);
struct folio *zcfs_filemap_get_folio(struct address_space *mapping,
				     pgoff_t index);
void zcfs_folio_get(struct folio *folio);
void zcfs_folio_put(struct folio *folio);
void zcfs_folio_ref_add(struct folio *folio, int nr);
void zcfs_folio_put_refs(struct folio *folio, int nr);
int zcfs_folio_expected_ref_count(struct folio *folio);
bool zcfs_folio_mapped(struct folio *folio);
void zcfs_folio_cancel_dirty(struct folio *folio);
void zcfs_folio_lock(struct folio *folio);
void zcfs_folio_mark_uptodate(struct folio *folio);
void zcfs_folio_zero_segments(struct folio *folio, size_t start1,
			      size_t end1, size_t start2, size_t end2);
void zcfs_flush_dcache_folio(struct folio *folio);
void zcfs_init_sync_kiocb(struct kiocb *kiocb, struct file *file);
void zcfs_cond_resched(void);
void zcfs_mapping_set_large_folios(struct address_space *mapping);
void zcfs_sb_start_pagefault(struct super_block *sb);
void zcfs_sb_end_pagefault(struct super_block *sb);
size_t zcfs_copy_folio_to_iter(struct folio *folio, size_t off, size_t len,
			       struct iov_iter *iter);
void zcfs_file_accessed(struct file *file);
ssize_t zcfs_generic_write_sync(struct kiocb *iocb, ssize_t count);
bool zcfs_fatal_signal_pending(void);
struct folio *zcfs_vmf_folio(struct vm_fault *vmf);
vm_fault_t zcfs_vmf_error(int err);

#endif /* _ZCFS_H */
