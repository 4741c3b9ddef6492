/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zcfs: the interface between the C plumbing (zcfs_vfs.c) and the Rust
 * side of the module.  The zcfs_rs_*() functions are implemented in Rust
 * (inode.rs, super_block.rs, vfs_ops.rs); struct zcfs_opts is mirrored in
 * options.rs (`RawOpts`).
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
int zcfs_rs_cow_range(struct inode *inode, loff_t pos, loff_t len);
int zcfs_rs_mkwrite_cow(struct inode *inode, struct folio *folio);
void *zcfs_rs_space_new(u64 max_blocks, u64 max_loan_pages);
void zcfs_rs_space_free(void *space);
bool zcfs_rs_space_charge(void *space, u64 pages);
void zcfs_rs_space_uncharge(void *space, u64 pages);
u64 zcfs_rs_space_max_blocks(void *space);
u64 zcfs_rs_space_used_blocks(void *space);
int zcfs_rs_space_resize(void *space, u64 max_blocks);
int zcfs_rs_check_opts(const struct zcfs_opts *opts);
int zcfs_rs_sb_offer_zerocopy(struct super_block *sb);
void zcfs_rs_sb_withdraw_zerocopy(struct super_block *sb);

/* C, for Rust. */
struct file_system_type *zcfs_fs_type_ptr(void);
int zcfs_register_fs(void);
void zcfs_unregister_fs(void);
const struct zcfs_opts *zcfs_inode_opts(struct inode *inode);
void *zcfs_inode_space(struct inode *inode);
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

#endif /* _ZCFS_H */
