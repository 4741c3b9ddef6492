// SPDX-License-Identifier: GPL-2.0
/*
 * zcfs: the VFS plumbing of the zero-copy provider filesystem.
 *
 * This file holds what has to be C, and the inode and mount plumbing
 * that has not moved to Rust:
 * - the operation tables; those of a file's data (read_iter, write_iter,
 *   setattr, page_mkwrite, and the address-space operations of every
 *   inode) point at Rust callbacks (vfs_ops.rs, the logic in rw.rs),
 *   declared in zcfs.h, as do statfs and show_options (space.rs,
 *   options.rs);
 * - the fs_context parameter table and its parsing (fs_parse() and its
 *   fsparam_*() tables are macros; the defaults, checks and limits of the
 *   options are options.rs's);
 * - the inode container (struct zcfs_inode_info, which embeds the struct
 *   inode that alloc_inode returns, and holds the per-inode count of
 *   charged pages that space.rs keeps as an atomic);
 * - the C callbacks that remain, inode and mount plumbing: inode
 *   creation (mknod, mkdir, symlink), allocation and eviction, get_tree
 *   and reconfigure, file handles;
 * - wrappers of the static inline functions and macros that Rust calls
 *   (folios, the page cache, iov_iter and kiocb helpers, faults, inode
 *   locks, i_size), and a few page-cache primitives built of them (the
 *   batched lookup of a READ loan, the replacement and addition of a
 *   folio).
 * The decisions are Rust's: the data path (rw.rs), the byte-range locks
 * (range_lock.rs), whether a file was ever lent (inode_state.rs), when a
 * folio must be copied away and how a write loan's pages enter the cache
 * (cache.rs), the mount's space and each inode's charges (space.rs), the
 * loans (provider.rs), the options' defaults and checks (options.rs) and
 * the statistics.
 *
 * Storage is the page cache, as in ramfs: folios (large ones where the
 * kernel supports them) on an unevictable mapping, never written back;
 * every folio that enters a file's cache is first charged to the mount.
 * See Documentation/zcfs.rst.
 */

#include <linux/exportfs.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/fs_parser.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pagemap.h>
#include <linux/random.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/statfs.h>
#include <linux/swap.h>
#include <linux/uio.h>
#include <linux/bvec.h>
#include "zcfs.h"

#define ZCFS_MAGIC		0x7a636673	/* "zcfs" */

/* ---- the inode container ---- */

/*
 * The inode and what its cache has charged to the mount: @alloced is
 * Rust's (space.rs, as an atomic), zeroed here at allocation.  It covers
 * every zcfs inode with pages (symlinks too), while the Rust state of
 * i_private exists for regular files only.
 */
struct zcfs_inode_info {
	s64 alloced;
	struct inode vfs_inode;
};

static inline struct zcfs_inode_info *ZCFS_I(struct inode *inode)
{
	return container_of(inode, struct zcfs_inode_info, vfs_inode);
}

static struct zcfs_sb_info *ZCFS_SB(struct super_block *sb)
{
	return sb->s_fs_info;
}

/* ---- address space: ramfs's, every new folio charged (vfs_ops.rs, rw.rs) ---- */

static const struct address_space_operations zcfs_aops = {
	.read_folio	= zcfs_rs_read_folio,
	.write_begin	= zcfs_rs_write_begin,
	.write_end	= zcfs_rs_write_end,
	.dirty_folio	= noop_dirty_folio,
	.migrate_folio	= filemap_migrate_folio,
};

/* ---- inodes ---- */

static const struct super_operations zcfs_super_ops;
static const struct inode_operations zcfs_dir_inode_ops;
static const struct inode_operations zcfs_file_inode_ops;
static const struct file_operations zcfs_file_ops;

const struct zcfs_opts *zcfs_sb_opts(struct super_block *sb)
{
	struct zcfs_sb_info *sbi = sb->s_fs_info;

	return &sbi->opts;
}

static struct inode *zcfs_get_inode(struct super_block *sb,
				    const struct inode *dir, umode_t mode)
{
	struct inode *inode = new_inode(sb);

	if (!inode)
		return NULL;
	inode->i_ino = get_next_ino();
	/* File handles (zcfs_export_ops): found by number, told apart by generation. */
	inode->i_generation = get_random_u32();
	insert_inode_hash(inode);
	inode_init_owner(&nop_mnt_idmap, inode, dir, mode);
	inode->i_mapping->a_ops = &zcfs_aops;
	mapping_set_gfp_mask(inode->i_mapping, GFP_HIGHUSER);
	mapping_set_unevictable(inode->i_mapping);
	simple_inode_init_ts(inode);
	switch (mode & S_IFMT) {
	case S_IFREG:
		/* The range locks and the set of loaned folios. */
		inode->i_private = zcfs_rs_inode_new(!zcfs_sb_opts(sb)->debug_norangelock);
		if (!inode->i_private) {
			iput(inode);
			return NULL;
		}
		inode->i_op = &zcfs_file_inode_ops;
		inode->i_fop = &zcfs_file_ops;
		/*
		 * Large folios (up to the page cache's largest order): a
		 * no-op on kernels without CONFIG_TRANSPARENT_HUGEPAGE.
		 */
		mapping_set_large_folios(inode->i_mapping);
		break;
	case S_IFDIR:
		inode->i_op = &zcfs_dir_inode_ops;
		inode->i_fop = &simple_dir_operations;
		inc_nlink(inode);
		break;
	case S_IFLNK:
		inode->i_op = &page_symlink_inode_operations;
		inode_nohighmem(inode);
		break;
	default:
		/* Only files, directories and symlinks. */
		iput(inode);
		return NULL;
	}
	return inode;
}

static int zcfs_mknod_common(struct inode *dir, struct dentry *dentry,
			     umode_t mode)
{
	struct inode *inode = zcfs_get_inode(dir->i_sb, dir, mode);

	if (!inode)
		return -ENOSPC;
	d_make_persistent(dentry, inode);
	inode_set_mtime_to_ts(dir, inode_set_ctime_current(dir));
	return 0;
}

static int zcfs_create(struct mnt_idmap *idmap, struct inode *dir,
		       struct dentry *dentry, umode_t mode)
{
	return zcfs_mknod_common(dir, dentry, (mode & ~S_IFMT) | S_IFREG);
}

static struct dentry *zcfs_mkdir(struct mnt_idmap *idmap, struct inode *dir,
				 struct dentry *dentry, umode_t mode)
{
	int err = zcfs_mknod_common(dir, dentry, (mode & ~S_IFMT) | S_IFDIR);

	if (!err)
		inc_nlink(dir);
	return ERR_PTR(err);
}

static int zcfs_symlink(struct mnt_idmap *idmap, struct inode *dir,
			struct dentry *dentry, const char *symname)
{
	struct inode *inode;
	int err;

	inode = zcfs_get_inode(dir->i_sb, dir, S_IFLNK | 0777);
	if (!inode)
		return -ENOSPC;
	err = page_symlink(inode, symname, strlen(symname) + 1);
	if (err) {
		iput(inode);
		return err;
	}
	d_make_persistent(dentry, inode);
	inode_set_mtime_to_ts(dir, inode_set_ctime_current(dir));
	return 0;
}

static const struct inode_operations zcfs_dir_inode_ops = {
	.create		= zcfs_create,
	.lookup		= simple_lookup,
	.link		= simple_link,
	.unlink		= simple_unlink,
	.symlink	= zcfs_symlink,
	.mkdir		= zcfs_mkdir,
	.rmdir		= simple_rmdir,
	.rename		= simple_rename,
};

static void zcfs_evict_inode(struct inode *inode)
{
	truncate_inode_pages_final(&inode->i_data);
	zcfs_rs_recalc(inode);
	clear_inode(inode);
	/* A loan holds the inode: none can be outstanding here. */
	if (S_ISREG(inode->i_mode) && inode->i_private)
		zcfs_rs_inode_free(inode->i_private);
	inode->i_private = NULL;
}

/* ---- regular files: the data path is Rust's (vfs_ops.rs, rw.rs) ---- */

static const struct vm_operations_struct zcfs_vm_ops = {
	.fault		= filemap_fault,
	.map_pages	= filemap_map_pages,
	.page_mkwrite	= zcfs_rs_page_mkwrite,
};

static int zcfs_mmap_prepare(struct vm_area_desc *desc)
{
	file_accessed(desc->file);
	desc->vm_ops = &zcfs_vm_ops;
	return 0;
}

static unsigned long zcfs_get_unmapped_area(struct file *file,
					    unsigned long addr,
					    unsigned long len,
					    unsigned long pgoff,
					    unsigned long flags)
{
	return mm_get_unmapped_area(file, addr, len, pgoff, flags);
}

static const struct file_operations zcfs_file_ops = {
	.read_iter	= zcfs_rs_read_iter,
	.write_iter	= zcfs_rs_write_iter,
	.mmap_prepare	= zcfs_mmap_prepare,
	.fsync		= noop_fsync,
	.splice_read	= copy_splice_read,
	.splice_write	= iter_file_splice_write,
	.llseek		= generic_file_llseek,
	.get_unmapped_area = zcfs_get_unmapped_area,
};

static const struct inode_operations zcfs_file_inode_ops = {
	.setattr	= zcfs_rs_setattr,
	.getattr	= simple_getattr,
};

/* ---- super block and mount options ---- */

unsigned long zcfs_totalram_pages(void)
{
	return totalram_pages();
}

static struct inode *zcfs_alloc_inode(struct super_block *sb)
{
	struct zcfs_inode_info *info = kzalloc_obj(*info, GFP_KERNEL_ACCOUNT);

	if (!info)
		return NULL;
	inode_init_once(&info->vfs_inode);
	return &info->vfs_inode;
}

static void zcfs_free_inode(struct inode *inode)
{
	kfree(ZCFS_I(inode));
}

static const struct super_operations zcfs_super_ops = {
	.alloc_inode	= zcfs_alloc_inode,
	.free_inode	= zcfs_free_inode,
	.statfs		= zcfs_rs_statfs,
	.drop_inode	= inode_just_drop,
	.evict_inode	= zcfs_evict_inode,
	.show_options	= zcfs_rs_show_options,
};

enum zcfs_param {
	Opt_size,
	Opt_nr_blocks,
	Opt_mode,
	Opt_min_loan,
	Opt_max_loan,
	Opt_max_loan_pages,
	Opt_nozerocopy,
	Opt_debug_norangelock,
};

static const struct fs_parameter_spec zcfs_fs_parameters[] = {
	fsparam_string("size",		Opt_size),
	fsparam_string("nr_blocks",	Opt_nr_blocks),
	fsparam_u32oct("mode",		Opt_mode),
	fsparam_u64("min_loan",		Opt_min_loan),
	fsparam_u64("max_loan",		Opt_max_loan),
	fsparam_u64("max_loan_pages",	Opt_max_loan_pages),
	fsparam_flag("nozerocopy",	Opt_nozerocopy),
	/* Tests only: the control run of the torn-read check. */
	fsparam_flag("debug_norangelock", Opt_debug_norangelock),
	{}
};

static int zcfs_parse_param(struct fs_context *fc, struct fs_parameter *param)
{
	struct zcfs_sb_info *sbi = fc->s_fs_info;
	struct fs_parse_result result;
	unsigned long long size;
	char *rest;
	int opt;

	opt = fs_parse(fc, zcfs_fs_parameters, param, &result);
	if (opt == -ENOPARAM) {
		opt = vfs_parse_fs_param_source(fc, param);
		if (opt != -ENOPARAM)
			return opt;
		return invalfc(fc, "Unknown parameter '%s'", param->key);
	}
	if (opt < 0)
		return opt;
	switch (opt) {
	case Opt_size:
		/* As tmpfs: bytes with k, m, g, ... suffixes, or % of RAM. */
		size = memparse(param->string, &rest);
		if (*rest == '%') {
			if (size > 100)
				return invalfc(fc, "Bad value for '%s'", param->key);
			size = div_u64((u64)totalram_pages() * size, 100) << PAGE_SHIFT;
			rest++;
		}
		if (*rest)
			return invalfc(fc, "Bad value for '%s'", param->key);
		sbi->max_blocks = DIV_ROUND_UP_ULL(size, PAGE_SIZE);
		sbi->size_given = true;
		break;
	case Opt_nr_blocks:
		size = memparse(param->string, &rest);
		if (*rest || size > ULONG_MAX)
			return invalfc(fc, "Bad value for '%s'", param->key);
		sbi->max_blocks = size;
		sbi->size_given = true;
		break;
	case Opt_mode:
		sbi->opts.mode = result.uint_32 & S_IALLUGO;
		break;
	case Opt_min_loan:
		sbi->opts.min_loan = result.uint_64;
		break;
	case Opt_max_loan:
		sbi->opts.max_loan = result.uint_64;
		break;
	case Opt_max_loan_pages:
		sbi->opts.max_loan_pages = result.uint_64;
		sbi->max_loan_pages_given = true;
		break;
	case Opt_nozerocopy:
		sbi->opts.nozerocopy = 1;
		break;
	case Opt_debug_norangelock:
		sbi->opts.debug_norangelock = 1;
		break;
	}
	return 0;
}

/* ---- file handles (an NFS server exporting zcfs: samples/zcnfsd) ---- */

/*
 * A handle is the inode number and generation (FILEID_INO32_GEN, as
 * generic_encode_ino32_fh() makes it).  Every zcfs inode is hashed while
 * it lives, and it lives while it has a name (its dentries are pinned, as
 * in ramfs) or is open, so a handle is decoded by looking the number up;
 * a removed file (no link left, even if still open) is stale.
 */
static struct inode *zcfs_nfs_get_inode(struct super_block *sb, u64 ino, u32 gen)
{
	struct inode *inode = ilookup(sb, ino);

	if (!inode)
		return ERR_PTR(-ESTALE);
	if (inode->i_generation != gen || !inode->i_nlink) {
		iput(inode);
		return ERR_PTR(-ESTALE);
	}
	return inode;
}

static struct dentry *zcfs_fh_to_dentry(struct super_block *sb, struct fid *fid,
					int fh_len, int fh_type)
{
	return generic_fh_to_dentry(sb, fid, fh_len, fh_type, zcfs_nfs_get_inode);
}

static struct dentry *zcfs_fh_to_parent(struct super_block *sb, struct fid *fid,
					int fh_len, int fh_type)
{
	return generic_fh_to_parent(sb, fid, fh_len, fh_type, zcfs_nfs_get_inode);
}

/* Directories are never disconnected (pinned dentries): the parent is known. */
static struct dentry *zcfs_get_parent(struct dentry *child)
{
	return dget_parent(child);
}

static const struct export_operations zcfs_export_ops = {
	.encode_fh	= generic_encode_ino32_fh,
	.fh_to_dentry	= zcfs_fh_to_dentry,
	.fh_to_parent	= zcfs_fh_to_parent,
	.get_parent	= zcfs_get_parent,
};

static int zcfs_fill_super(struct super_block *sb, struct fs_context *fc)
{
	struct zcfs_sb_info *sbi = sb->s_fs_info;
	struct inode *inode;
	int err;

	sb->s_maxbytes		= MAX_LFS_FILESIZE;
	sb->s_blocksize		= PAGE_SIZE;
	sb->s_blocksize_bits	= PAGE_SHIFT;
	sb->s_magic		= ZCFS_MAGIC;
	sb->s_op		= &zcfs_super_ops;
	sb->s_export_op		= &zcfs_export_ops;
	sb->s_d_flags		= DCACHE_DONTCACHE;
	sb->s_time_gran		= 1;

	inode = zcfs_get_inode(sb, NULL, S_IFDIR | sbi->opts.mode);
	sb->s_root = d_make_root(inode);
	if (!sb->s_root)
		return -ENOMEM;
	if (sbi->opts.debug_norangelock)
		pr_notice("zcfs: mounted with debug_norangelock: no byte-range locks, reads may see partial writes (tests only)\n");
	if (!sbi->opts.nozerocopy) {
		err = zcfs_rs_sb_offer_zerocopy(sb);
		if (err)
			return err;
	}
	return 0;
}

static int zcfs_get_tree(struct fs_context *fc)
{
	struct zcfs_sb_info *sbi = fc->s_fs_info;

	/* The checks and the derived default are options.rs's. */
	switch (zcfs_rs_finish_opts(&sbi->opts, sbi->max_blocks,
				    sbi->max_loan_pages_given,
				    totalram_pages())) {
	case 0:
		break;
	case ZCFS_OPTS_BAD_LOAN_PAGES:
		return invalfc(fc, "max_loan_pages above a quarter of RAM");
	default:
		return invalfc(fc, "Invalid loan limits");
	}
	sbi->space = zcfs_rs_space_new(sbi->max_blocks, sbi->opts.max_loan_pages);
	if (!sbi->space)
		return -ENOMEM;
	return get_tree_nodev(fc, zcfs_fill_super);
}

/*
 * Remount: only size= (or nr_blocks=) is applied; not below the pages in
 * use.  The other options stay as mounted.
 */
static int zcfs_reconfigure(struct fs_context *fc)
{
	struct zcfs_sb_info *new = fc->s_fs_info;
	struct zcfs_sb_info *sbi = ZCFS_SB(fc->root->d_sb);

	if (!new->size_given)
		return 0;
	if (zcfs_rs_space_resize(sbi->space, new->max_blocks))
		return invalfc(fc, "Too small a size for current use");
	return 0;
}

/* Not yet handed to a super_block (or a remount's): ours to free. */
static void zcfs_free_fc(struct fs_context *fc)
{
	struct zcfs_sb_info *sbi = fc->s_fs_info;

	if (sbi)
		zcfs_rs_space_free(sbi->space);
	kfree(sbi);
}

static const struct fs_context_operations zcfs_context_ops = {
	.free		= zcfs_free_fc,
	.parse_param	= zcfs_parse_param,
	.get_tree	= zcfs_get_tree,
	.reconfigure	= zcfs_reconfigure,
};

static int zcfs_init_fs_context(struct fs_context *fc)
{
	struct zcfs_sb_info *sbi = kzalloc_obj(*sbi);

	if (!sbi)
		return -ENOMEM;
	/* The defaults are options.rs's. */
	sbi->max_blocks = zcfs_rs_default_max_blocks(totalram_pages());
	zcfs_rs_default_opts(&sbi->opts, totalram_pages());
	fc->s_fs_info = sbi;
	fc->ops = &zcfs_context_ops;
	return 0;
}

static void zcfs_kill_sb(struct super_block *sb)
{
	struct zcfs_sb_info *sbi = sb->s_fs_info;

	/* The registry must not outlive the super_block. */
	zcfs_rs_sb_withdraw_zerocopy(sb);
	/* Eviction gives the inodes' charges back to the space: free it after. */
	kill_anon_super(sb);
	zcfs_rs_space_free(sbi->space);
	kfree(sbi);
}

static struct file_system_type zcfs_fs_type = {
	.owner		= THIS_MODULE,
	.name		= "zcfs",
	.init_fs_context = zcfs_init_fs_context,
	.parameters	= zcfs_fs_parameters,
	.kill_sb	= zcfs_kill_sb,
};

struct file_system_type *zcfs_fs_type_ptr(void)
{
	return &zcfs_fs_type;
}

int zcfs_register_fs(void)
{
	return register_filesystem(&zcfs_fs_type);
}

void zcfs_unregister_fs(void)
{
	unregister_filesystem(&zcfs_fs_type);
}

/* ---- helpers for the provider (Rust) ---- */

const struct zcfs_opts *zcfs_inode_opts(struct inode *inode)
{
	return zcfs_sb_opts(inode->i_sb);
}

void *zcfs_inode_space(struct inode *inode)
{
	return ZCFS_SB(inode->i_sb)->space;
}

void *zcfs_sb_space(struct super_block *sb)
{
	return ZCFS_SB(sb)->space;
}

/* struct kstatfs is not in the Rust bindings. */
void zcfs_statfs_set_blocks(struct kstatfs *buf, u64 blocks, u64 avail)
{
	buf->f_blocks = blocks;
	buf->f_bavail = buf->f_bfree = avail;
}

bool zcfs_inode_mapped(struct inode *inode)
{
	return mapping_mapped(inode->i_mapping);
}

loff_t zcfs_isize(struct inode *inode)
{
	return i_size_read(inode);
}

void zcfs_inode_lock(struct inode *inode)
{
	inode_lock(inode);
}

void zcfs_inode_unlock(struct inode *inode)
{
	inode_unlock(inode);
}

struct page *zcfs_zero_page(void)
{
	return ZERO_PAGE(0);
}

/*
 * A fresh folio of @order for a write loan, not zeroed: the consumer fills
 * the loan's bytes, zcfs_folio_zero_outside() zeroes the rest.  A large
 * folio is tried without retries or warnings, as the page cache's own
 * allocations are (zcfs_grab_folio()): the caller falls back to smaller
 * ones.
 */
struct folio *zcfs_folio_alloc(unsigned int order)
{
	gfp_t gfp = GFP_HIGHUSER;

	if (order)
		gfp |= __GFP_NORETRY | __GFP_NOWARN;
	return folio_alloc(gfp, order);
}

/* The largest folio order @inode's cache takes (0 without large folios). */
unsigned int zcfs_inode_max_order(struct inode *inode)
{
	return mapping_max_folio_order(inode->i_mapping);
}

/* Zero @folio except @len bytes at @off (clamped to the folio). */
void zcfs_folio_zero_outside(struct folio *folio, size_t off, size_t len)
{
	size_t size = folio_size(folio);

	off = min(off, size);
	len = min(len, size - off);
	if (off || off + len < size)
		folio_zero_segments(folio, 0, off, off + len, size);
}

/*
 * Batched lookup for a READ loan: up to @max uptodate folios of @file's
 * cache, contiguous from page @index on (to page @last at most), each
 * with a reference for the caller, stored in @out; returns their number,
 * 0 if page @index is a hole.  Nothing is allocated.  A folio that is not
 * uptodate (being filled by a fault's read_folio) is waited for as in
 * zcfs_cached_folio(); one whose fill failed ends the batch, and reads as
 * a hole.
 */
unsigned int zcfs_lookup_folios(struct file *file, u64 index, u64 last,
				struct folio **out, unsigned int max)
{
	struct address_space *mapping = file_inode(file)->i_mapping;
	struct folio_batch fbatch;
	pgoff_t start = index;
	unsigned int i, got, n = 0;

	if (!max)
		return 0;
	/*
	 * No further than @max pages: the lookup takes a reference on every
	 * folio it returns, and those beyond @max would only be put back.
	 */
	if (last >= index && last - index >= max)
		last = index + max - 1;
	folio_batch_init(&fbatch);
	got = filemap_get_folios_contig(mapping, &start, last, &fbatch);
	for (i = 0; i < got && n < max; i++) {
		struct folio *folio = fbatch.folios[i];

		if (!folio_test_uptodate(folio)) {
			bool ok;

			folio_lock(folio);
			ok = folio->mapping == mapping &&
			     folio_test_uptodate(folio);
			folio_unlock(folio);
			if (!ok)
				break;
		}
		out[n++] = folio;
	}
	for (; i < got; i++)
		folio_put(fbatch.folios[i]);
	return n;
}

/* ---- folio and page-cache primitives (static inlines and macros) ---- */

void zcfs_folio_get(struct folio *folio)
{
	folio_get(folio);
}

void zcfs_folio_put(struct folio *folio)
{
	folio_put(folio);
}

/* The @n-th page of @folio. */
struct page *zcfs_folio_page(struct folio *folio, size_t n)
{
	return folio_page(folio, n);
}

u64 zcfs_folio_index(struct folio *folio)
{
	return folio->index;
}

size_t zcfs_folio_nr_pages(struct folio *folio)
{
	return folio_nr_pages(folio);
}

/*
 * Checks of a zero-copy write of @len bytes at @pos, as write(2) makes
 * them (limits, rlimit, privileges, timestamps).  Called with the inode
 * locked.  A write that would be shortened is refused whole (-EFBIG).
 */
int zcfs_write_prepare(struct file *file, loff_t pos, size_t len)
{
	struct kiocb kiocb;
	struct iov_iter iter;
	ssize_t ret;

	init_sync_kiocb(&kiocb, file);
	kiocb.ki_pos = pos;
	iov_iter_kvec(&iter, ITER_SOURCE, NULL, 0, len);
	ret = generic_write_checks(&kiocb, &iter);
	if (ret < 0)
		return ret;
	if (ret != len || kiocb.ki_pos != pos)
		return -EFBIG;
	return file_modified(file);
}

/*
 * Copy @len bytes at @off of @page into the file at @pos through the page
 * cache (write_begin/write_end).  Called with the inode and the range
 * locked, loaned folios already copied away.
 */
ssize_t zcfs_copy_in(struct file *file, loff_t pos, struct page *page,
		     unsigned int off, unsigned int len)
{
	struct bio_vec bv;
	struct kiocb kiocb;
	struct iov_iter iter;

	bvec_set_page(&bv, page, len, off);
	init_sync_kiocb(&kiocb, file);
	kiocb.ki_pos = pos;
	iov_iter_bvec(&iter, ITER_SOURCE, &bv, 1, len);
	return generic_perform_write(&kiocb, &iter);
}

/* Extend i_size to @end (called with the inode locked). */
void zcfs_extend_isize(struct inode *inode, loff_t end)
{
	if (end > i_size_read(inode))
		i_size_write(inode, end);
}

void zcfs_cond_resched(void)
{
	cond_resched();
}

/*
 * Mark a page-cache folio as lent (PG_owner_2, the filesystem's own flag
 * for page-cache folios): from now on, references beyond the page cache's
 * may be a consumer's, kept after its loan was returned.  Cleared by a
 * writer that finds no such reference (cache.rs: needs_cow).  Called
 * without the folio lock, after the caller took its reference (see
 * needs_cow for the order); an atomic write only if the mark is not set.
 */
void zcfs_folio_lend(struct folio *folio)
{
	if (!folio_test_owner_2(folio))
		folio_set_owner_2(folio);
}

bool zcfs_folio_test_lent(struct folio *folio)
{
	return folio_test_owner_2(folio);
}

void zcfs_folio_clear_lent(struct folio *folio)
{
	folio_clear_owner_2(folio);
}

int zcfs_folio_ref_count(struct folio *folio)
{
	return folio_ref_count(folio);
}

int zcfs_folio_expected_ref_count(struct folio *folio)
{
	return folio_expected_ref_count(folio);
}

/*
 * A fresh uptodate copy of @src, of the same order, or NULL.  A large
 * copy is a high-order allocation like the folio it copies: it may fail
 * (-ENOMEM for the write) where a page would not.
 */
struct folio *zcfs_folio_alloc_copy(struct folio *src)
{
	struct folio *new = folio_alloc(GFP_HIGHUSER, folio_order(src));

	if (!new)
		return NULL;
	folio_copy(new, src);
	folio_mark_uptodate(new);
	return new;
}

/* The locked page-cache folio at @index, with a reference, or NULL. */
struct folio *zcfs_lock_cached_folio(struct inode *inode, u64 index)
{
	struct folio *folio = filemap_lock_folio(inode->i_mapping, index);

	return IS_ERR(folio) ? NULL : folio;
}

/* A folio of a loan or a copy, which no cache or LRU list knows. */
static bool zcfs_folio_fresh(struct folio *folio)
{
	return !folio->mapping && !folio_test_lru(folio);
}

/*
 * Replace the locked folio @old of @inode's cache by the fresh folio @new
 * of the same size, uptodate and dirty; mappings of @old are zapped first
 * (faults wait on its lock, then find @new).  @old stays locked and
 * referenced by the caller; the cache takes its own references on @new.
 * Charges are the caller's business (cache.rs).
 *
 * replace_page_cache_folio() moves one reference: the page cache holds
 * one per page, so for a large folio the others are moved here (@new
 * gets them before it is visible, @old loses them after it left).  Its
 * store at @old's index replaces a multi-index entry whole.
 */
int zcfs_page_cache_replace(struct inode *inode, struct folio *old,
			    struct folio *new)
{
	struct address_space *mapping = inode->i_mapping;
	long nr = folio_nr_pages(old);

	if (old->mapping != mapping || !zcfs_folio_fresh(new) ||
	    folio_nr_pages(new) != nr)
		return -EINVAL;
	folio_mark_uptodate(new);
	__folio_set_locked(new);
	if (folio_mapped(old))
		unmap_mapping_range(mapping, folio_pos(old), folio_size(old), 0);
	folio_cancel_dirty(old);
	if (nr > 1)
		folio_ref_add(new, nr - 1);
	replace_page_cache_folio(old, new);
	if (nr > 1)
		folio_put_refs(old, nr - 1);
	folio_add_lru(new);
	folio_mark_dirty(new);
	folio_unlock(new);
	return 0;
}

/*
 * Add the fresh folio @new, which the caller charged to the mount, to
 * @inode's cache at @index, uptodate and locked: 0, -EEXIST if a folio is
 * in any of the pages it would take, or another error.  The caller counts
 * the charge, marks it dirty and unlocks it (cache.rs).  A large folio
 * must be aligned in the file to its size (as the page cache places
 * them) and no larger than the cache takes.  The cache takes its own
 * references.
 */
int zcfs_page_cache_add(struct inode *inode, struct folio *new, u64 index)
{
	struct address_space *mapping = inode->i_mapping;
	long nr = folio_nr_pages(new);

	if (!zcfs_folio_fresh(new) || !IS_ALIGNED(index, nr) ||
	    folio_order(new) > mapping_max_folio_order(mapping))
		return -EINVAL;
	folio_mark_uptodate(new);
	return filemap_add_folio(mapping, new, index, GFP_KERNEL);
}

/* ---- for the data path (rw.rs, through vfs_ops.rs, kiocb.rs, inode.rs, folio.rs) ---- */

s64 *zcfs_inode_alloced(struct inode *inode)
{
	return &ZCFS_I(inode)->alloced;
}

unsigned long zcfs_inode_nrpages(struct inode *inode)
{
	return READ_ONCE(inode->i_mapping->nrpages);
}

gfp_t zcfs_inode_gfp(struct inode *inode)
{
	return mapping_gfp_mask(inode->i_mapping);
}

bool zcfs_inode_writably_mapped(struct inode *inode)
{
	return mapping_writably_mapped(inode->i_mapping);
}

/* The uptodate-or-not cached folio at @index, with a reference, or NULL. */
struct folio *zcfs_get_cached_folio(struct inode *inode, u64 index)
{
	struct folio *folio = filemap_get_folio(inode->i_mapping, index);

	return IS_ERR(folio) ? NULL : folio;
}

void zcfs_sb_start_pagefault(struct inode *inode)
{
	sb_start_pagefault(inode->i_sb);
}

void zcfs_sb_end_pagefault(struct inode *inode)
{
	sb_end_pagefault(inode->i_sb);
}

struct folio *zcfs_filemap_alloc_folio(gfp_t gfp, unsigned int order)
{
	return filemap_alloc_folio(gfp, order, NULL);
}

/* The inode whose cache holds the (locked) folio. */
struct inode *zcfs_folio_host(struct folio *folio)
{
	return folio->mapping->host;
}

bool zcfs_folio_in_cache_of(struct folio *folio, struct inode *inode)
{
	return folio->mapping == inode->i_mapping;
}

void zcfs_folio_lock(struct folio *folio)
{
	folio_lock(folio);
}

bool zcfs_folio_test_uptodate(struct folio *folio)
{
	return folio_test_uptodate(folio);
}

void zcfs_folio_mark_uptodate(struct folio *folio)
{
	folio_mark_uptodate(folio);
}

void zcfs_folio_zero_segments(struct folio *folio, size_t start1,
			      size_t end1, size_t start2, size_t end2)
{
	folio_zero_segments(folio, start1, end1, start2, end2);
}

void zcfs_flush_dcache_folio(struct folio *folio)
{
	flush_dcache_folio(folio);
}

bool zcfs_user_backed_iter(struct iov_iter *iter)
{
	return user_backed_iter(iter);
}

size_t zcfs_copy_folio_to_iter(struct folio *folio, size_t off, size_t len,
			       struct iov_iter *iter)
{
	return copy_folio_to_iter(folio, off, len, iter);
}

void zcfs_file_accessed(struct file *file)
{
	file_accessed(file);
}

ssize_t zcfs_generic_write_sync(struct kiocb *iocb, ssize_t count)
{
	return generic_write_sync(iocb, count);
}

bool zcfs_fatal_signal_pending(void)
{
	return fatal_signal_pending(current);
}

struct file *zcfs_vmf_file(struct vm_fault *vmf)
{
	return vmf->vma->vm_file;
}

struct folio *zcfs_vmf_folio(struct vm_fault *vmf)
{
	return page_folio(vmf->page);
}

vm_fault_t zcfs_vmf_error(int err)
{
	return vmf_error(err);
}
