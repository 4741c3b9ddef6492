/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zcfs: the interface between the C plumbing (zcfs_vfs.c) and the Rust
 * side of the module.  The zcfs_rs_*() functions are implemented in Rust
 * (inode.rs, super_block.rs); struct zcfs_opts is mirrored in options.rs
 * (`RawOpts`).
 */
#ifndef _ZCFS_H
#define _ZCFS_H

#include <linux/types.h>
#include <linux/atomic.h>

#define ZCFS_DEFAULT_MIN_LOAN		1ULL
#define ZCFS_DEFAULT_MAX_LOAN		(1ULL << 20)
#define ZCFS_DEFAULT_MAX_LOAN_PAGES	4096ULL

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
	atomic_long_t pages_on_loan;
	/* Pages the mount may hold in its page cache (size=); 0: no limit. */
	unsigned long max_blocks;
	/* Pages it holds (charged before a folio enters a file's cache). */
	atomic_long_t used_blocks;
	/* Parsing: options given explicitly. */
	bool size_given;
	bool max_loan_pages_given;
};

struct file;
struct folio;
struct inode;
struct page;
struct file_system_type;
struct super_block;

/* Rust. */
void *zcfs_rs_inode_new(bool range_locks);
void zcfs_rs_inode_free(void *state);
s64 zcfs_rs_range_lock(void *state, loff_t start, u64 len, bool write);
void zcfs_rs_range_unlock(void *state, s64 id);
bool zcfs_rs_folio_loaned(void *state, struct folio *folio);
bool zcfs_rs_inode_has_loans(void *state);
void zcfs_rs_count_cow(void);
int zcfs_rs_check_opts(const struct zcfs_opts *opts);
int zcfs_rs_sb_offer_zerocopy(struct super_block *sb);
void zcfs_rs_sb_withdraw_zerocopy(struct super_block *sb);

/* C, for Rust. */
struct file_system_type *zcfs_fs_type_ptr(void);
int zcfs_register_fs(void);
void zcfs_unregister_fs(void);
int zcfs_cow_range(struct inode *inode, loff_t pos, loff_t len);
struct inode *zcfs_file_inode(struct file *file);
void *zcfs_inode_state(struct inode *inode);
const struct zcfs_opts *zcfs_inode_opts(struct inode *inode);
bool zcfs_loan_budget_take(struct inode *inode, u64 pages);
void zcfs_loan_budget_put(struct inode *inode, u64 pages);
bool zcfs_inode_mapped(struct inode *inode);
loff_t zcfs_isize(struct inode *inode);
void zcfs_inode_lock(struct inode *inode);
void zcfs_inode_unlock(struct inode *inode);
void zcfs_ihold(struct inode *inode);
void zcfs_iput(struct inode *inode);
struct page *zcfs_zero_page(void);
struct folio *zcfs_folio_alloc_zeroed(void);
struct folio *zcfs_read_folio(struct file *file, u64 index);
void zcfs_folio_get(struct folio *folio);
void zcfs_folio_put(struct folio *folio);
void zcfs_folio_lock(struct folio *folio);
void zcfs_folio_unlock(struct folio *folio);
void zcfs_folio_set_lent(struct folio *folio);
struct page *zcfs_folio_page(struct folio *folio);
int zcfs_write_prepare(struct file *file, loff_t pos, size_t len);
ssize_t zcfs_copy_in(struct file *file, loff_t pos, struct page *page,
		     unsigned int off, unsigned int len);
int zcfs_donate_folio(struct inode *inode, struct folio *new, u64 index);
void zcfs_extend_isize(struct inode *inode, loff_t end);

#endif /* _ZCFS_H */
