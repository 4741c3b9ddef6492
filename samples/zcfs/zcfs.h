/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zcfs: the interface between the C plumbing (zcfs_vfs.c) and the Rust
 * side of the module.  The zcfs_rs_*() functions are implemented in Rust
 * (inode.rs, super_block.rs, vfs_ops.rs), the operation-table callbacks
 * of the data path among them; the other functions are C, for Rust
 * (folio.rs, inode.rs, kiocb.rs, vfs_ops.rs).  struct zcfs_opts is
 * mirrored in options.rs (`RawOpts`).
 */
#ifndef _ZCFS_H
#define _ZCFS_H

#include <linux/types.h>
#include <linux/atomic.h>
#include <linux/mm_types.h>

/* zcfs_rs_finish_opts(): why the options are refused (options.rs). */
#define ZCFS_OPTS_BAD_LIMITS		1
#define ZCFS_OPTS_BAD_LOAN_PAGES	2

/* Mount options (see Documentation/zcfs.rst). */
struct zcfs_opts {
	u64 min_loan;		/* smaller requests: -EINVAL */
	u64 max_loan;		/* larger requests: -EINVAL */
	u64 max_loan_pages;	/* pages on loan per mount, at most */
	u32 mode;		/* of the root directory */
	u32 nozerocopy;		/* do not set VFSFT_ZEROCOPY_SUPPORTED */
	u32 debug_norangelock;	/* tests only: no byte-range locks */
};

/* s_fs_info. */
struct zcfs_sb_info {
	struct zcfs_opts opts;
	/*
	 * The mount's space (space.rs): the pages its cache holds and may
	 * hold, the pages its loans pin.  Made by get_tree, freed after the
	 * last inode (kill_sb).
	 */
	void *space;
	/* Parsing: size= in pages (0: no limit), options given explicitly. */
	unsigned long max_blocks;
	bool size_given;
	bool max_loan_pages_given;
};

struct address_space;
struct dentry;
struct file;
struct folio;
struct iattr;
struct inode;
struct iov_iter;
struct kiocb;
struct kstatfs;
struct mnt_idmap;
struct page;
struct seq_file;
struct file_system_type;
struct super_block;
struct vm_fault;

/* Rust. */
void *zcfs_rs_inode_new(bool range_locks);
void zcfs_rs_inode_free(void *state);
s64 zcfs_rs_range_lock(void *state, loff_t start, u64 len, bool write);
void zcfs_rs_range_unlock(void *state, s64 id);
void *zcfs_rs_space_new(u64 max_blocks, u64 max_loan_pages);
void zcfs_rs_space_free(void *space);
u64 zcfs_rs_space_max_blocks(void *space);
u64 zcfs_rs_space_used_blocks(void *space);
int zcfs_rs_space_resize(void *space, u64 max_blocks);
void zcfs_rs_default_opts(struct zcfs_opts *opts, u64 ram_pages);
u64 zcfs_rs_default_max_blocks(u64 ram_pages);
int zcfs_rs_finish_opts(struct zcfs_opts *opts, u64 max_blocks,
			bool max_loan_pages_given, u64 ram_pages);
int zcfs_rs_sb_offer_zerocopy(struct super_block *sb);
void zcfs_rs_sb_withdraw_zerocopy(struct super_block *sb);

/* Rust: the operations of the data path (vfs_ops.rs). */
ssize_t zcfs_rs_read_iter(struct kiocb *iocb, struct iov_iter *to);
ssize_t zcfs_rs_write_iter(struct kiocb *iocb, struct iov_iter *from);
int zcfs_rs_setattr(struct mnt_idmap *idmap, struct dentry *dentry,
		    struct iattr *iattr);
vm_fault_t zcfs_rs_page_mkwrite(struct vm_fault *vmf);
int zcfs_rs_read_folio(struct file *file, struct folio *folio);
int zcfs_rs_write_begin(const struct kiocb *iocb,
			struct address_space *mapping, loff_t pos,
			unsigned int len, struct folio **foliop,
			void **fsdata);
int zcfs_rs_write_end(const struct kiocb *iocb,
		      struct address_space *mapping, loff_t pos,
		      unsigned int len, unsigned int copied,
		      struct folio *folio, void *fsdata);
void zcfs_rs_recalc(struct inode *inode);
int zcfs_rs_statfs(struct dentry *dentry, struct kstatfs *buf);
int zcfs_rs_show_options(struct seq_file *m, struct dentry *root);

/* C, for Rust. */
struct file_system_type *zcfs_fs_type_ptr(void);
int zcfs_register_fs(void);
void zcfs_unregister_fs(void);
const struct zcfs_opts *zcfs_inode_opts(struct inode *inode);
void *zcfs_inode_space(struct inode *inode);
const struct zcfs_opts *zcfs_sb_opts(struct super_block *sb);
void *zcfs_sb_space(struct super_block *sb);
void zcfs_statfs_set_blocks(struct kstatfs *buf, u64 blocks, u64 avail);
unsigned long zcfs_totalram_pages(void);
bool zcfs_inode_mapped(struct inode *inode);
loff_t zcfs_isize(struct inode *inode);
void zcfs_inode_lock(struct inode *inode);
void zcfs_inode_unlock(struct inode *inode);
struct page *zcfs_zero_page(void);
struct folio *zcfs_folio_alloc(unsigned int order);
unsigned int zcfs_inode_max_order(struct inode *inode);
void zcfs_folio_zero_outside(struct folio *folio, size_t off, size_t len);
unsigned int zcfs_lookup_folios(struct file *file, u64 index, u64 last,
				struct folio **out, unsigned int max);
void zcfs_folio_get(struct folio *folio);
void zcfs_folio_put(struct folio *folio);
void zcfs_folio_lend(struct folio *folio);
struct page *zcfs_folio_page(struct folio *folio, size_t n);
u64 zcfs_folio_index(struct folio *folio);
size_t zcfs_folio_nr_pages(struct folio *folio);
int zcfs_write_prepare(struct file *file, loff_t pos, size_t len);
ssize_t zcfs_copy_in(struct file *file, loff_t pos, struct page *page,
		     unsigned int off, unsigned int len);
struct folio *zcfs_folio_alloc_copy(struct folio *src);
bool zcfs_folio_test_lent(struct folio *folio);
void zcfs_folio_clear_lent(struct folio *folio);
int zcfs_folio_ref_count(struct folio *folio);
int zcfs_folio_expected_ref_count(struct folio *folio);
struct folio *zcfs_lock_cached_folio(struct inode *inode, u64 index);
int zcfs_page_cache_replace(struct inode *inode, struct folio *old,
			    struct folio *new);
int zcfs_page_cache_add(struct inode *inode, struct folio *new, u64 index);
void zcfs_cond_resched(void);
void zcfs_extend_isize(struct inode *inode, loff_t end);
s64 *zcfs_inode_alloced(struct inode *inode);
unsigned long zcfs_inode_nrpages(struct inode *inode);
gfp_t zcfs_inode_gfp(struct inode *inode);
bool zcfs_inode_writably_mapped(struct inode *inode);
struct folio *zcfs_get_cached_folio(struct inode *inode, u64 index);
void zcfs_sb_start_pagefault(struct inode *inode);
void zcfs_sb_end_pagefault(struct inode *inode);
struct folio *zcfs_filemap_alloc_folio(gfp_t gfp, unsigned int order);
struct inode *zcfs_folio_host(struct folio *folio);
bool zcfs_folio_in_cache_of(struct folio *folio, struct inode *inode);
void zcfs_folio_lock(struct folio *folio);
bool zcfs_folio_test_uptodate(struct folio *folio);
void zcfs_folio_mark_uptodate(struct folio *folio);
void zcfs_folio_zero_segments(struct folio *folio, size_t start1,
			      size_t end1, size_t start2, size_t end2);
void zcfs_flush_dcache_folio(struct folio *folio);
bool zcfs_user_backed_iter(struct iov_iter *iter);
size_t zcfs_copy_folio_to_iter(struct folio *folio, size_t off, size_t len,
			       struct iov_iter *iter);
void zcfs_file_accessed(struct file *file);
ssize_t zcfs_generic_write_sync(struct kiocb *iocb, ssize_t count);
bool zcfs_fatal_signal_pending(void);
struct file *zcfs_vmf_file(struct vm_fault *vmf);
struct folio *zcfs_vmf_folio(struct vm_fault *vmf);
vm_fault_t zcfs_vmf_error(int err);

#endif /* _ZCFS_H */
