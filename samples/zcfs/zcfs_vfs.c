// SPDX-License-Identifier: GPL-2.0
/*
 * zcfs: the C of the zero-copy provider filesystem, only what Rust cannot
 * reach (see Documentation/zcfs.rst):
 * - the tables of file handles and of the fs_context
 *   (struct export_operations and struct fs_context_operations are opaque
 *   in the Rust bindings), whose callbacks are Rust's (export.rs,
 *   mount.rs), and the filesystem type that names them with the parameter
 *   table; the other operation tables are Rust statics (tables.rs);
 * - the fs_context parameter table (fsparam_*() macros) and its parsing,
 *   which reads struct fs_parameter and struct fs_parse_result (not in
 *   the bindings) through fs_parse() (static inline) and reports with
 *   invalfc() (a macro); what each parameter means and whether its value
 *   is good are Rust's (mount.rs, options.rs);
 * - accessors of struct fs_context's fields (opaque in the bindings);
 * - constants of macros that bindgen does not expand (GFP_HIGHUSER,
 *   __GFP_NORETRY, MAX_LFS_FILESIZE);
 * - one-line wrappers of the static inline functions and macros that
 *   Rust calls and that have no Rust helper in the kernel (each says
 *   which it wraps), and a writer of struct kstatfs's fields (opaque in
 *   the bindings).
 * Everything else is Rust: the abstractions (folio.rs, inode.rs,
 * inode_ops.rs, kiocb.rs, super_block.rs, mount.rs, export.rs, tables.rs,
 * vfs_ops.rs) and the logic.
 */

#include <linux/exportfs.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/fs_parser.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pagemap.h>
#include <linux/seq_file.h>
#include <linux/statfs.h>
#include <linux/swap.h>
#include <linux/uio.h>
#include "zcfs.h"

/* ---- mount options ---- */

/* Mirrored in mount.rs (OPT_*). */
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

/*
 * fs_parse() (static inline) on struct fs_parameter and
 * struct fs_parse_result (not in the Rust bindings), invalfc() (a macro):
 * which parameter and its number; what it means and whether its value is
 * good are Rust's (mount.rs, options.rs).
 */
static int zcfs_parse_param(struct fs_context *fc, struct fs_parameter *param)
{
	struct fs_parse_result result = {};
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
	if (zcfs_rs_parse_param(fc, opt, param->string, result.uint_32,
				result.uint_64))
		return invalfc(fc, "Bad value for '%s'", param->key);
	return 0;
}

/*
 * ---- file handles (an NFS server exporting zcfs: samples/zcnfsd) ----
 * Rust's (export.rs); struct export_operations is opaque in the Rust
 * bindings.
 */

const struct export_operations zcfs_export_ops = {
	.encode_fh	= generic_encode_ino32_fh,
	.fh_to_dentry	= zcfs_rs_fh_to_dentry,
	.fh_to_parent	= zcfs_rs_fh_to_parent,
	.get_parent	= zcfs_rs_get_parent,
};

/* ---- the mount: its callbacks are Rust's (mount.rs) ---- */

static const struct fs_context_operations zcfs_context_ops = {
	.free		= zcfs_rs_free_fc,
	.parse_param	= zcfs_parse_param,
	.get_tree	= zcfs_rs_get_tree,
	.reconfigure	= zcfs_rs_reconfigure,
};

struct file_system_type zcfs_fs_type = {
	.owner		= THIS_MODULE,
	.name		= "zcfs",
	.init_fs_context = zcfs_rs_init_fs_context,
	.parameters	= zcfs_fs_parameters,
	.kill_sb	= zcfs_rs_kill_sb,
};

/*
 * Fields of struct fs_context, which is opaque in the Rust bindings
 * (mount.rs).
 */
void *zcfs_fc_fs_info(struct fs_context *fc)
{
	return fc->s_fs_info;
}

/* A new context's s_fs_info (mount.rs: SbInfo), and its operations. */
void zcfs_fc_init(struct fs_context *fc, void *sbi)
{
	fc->s_fs_info = sbi;
	fc->ops = &zcfs_context_ops;
}

/* The super_block of a remount. */
struct super_block *zcfs_fc_root_sb(struct fs_context *fc)
{
	return fc->root->d_sb;
}

/* Macro (invalfc: the message in the context's log, -EINVAL). */
int zcfs_invalfc(struct fs_context *fc, const char *msg)
{
	return invalfc(fc, "%s", msg);
}

/* ---- wrappers of static inline functions and macros, for Rust ---- */

/* Constants: macros bindgen does not expand. */
const gfp_t zcfs_gfp_highuser = GFP_HIGHUSER;
const gfp_t zcfs_gfp_noretry = __GFP_NORETRY;
const loff_t zcfs_max_lfs_filesize = MAX_LFS_FILESIZE;

/* static inline (an atomic_long_read of a counter). */
unsigned long zcfs_totalram_pages(void)
{
	return totalram_pages();
}

/* struct kstatfs is opaque in the Rust bindings (no field to write). */
void zcfs_statfs_set_blocks(struct kstatfs *buf, u64 blocks, u64 avail)
{
	buf->f_blocks = blocks;
	buf->f_bavail = buf->f_bfree = avail;
}

/* Macro (ZERO_PAGE: per architecture). */
struct page *zcfs_zero_page(void)
{
	return ZERO_PAGE(0);
}

/* Macro (folio_alloc: alloc_hooks() of folio_alloc_noprof()). */
struct folio *zcfs_folio_alloc(gfp_t gfp, unsigned int order)
{
	return folio_alloc(gfp, order);
}

/* Macro (filemap_alloc_folio: alloc_hooks()). */
struct folio *zcfs_filemap_alloc_folio(gfp_t gfp, unsigned int order)
{
	return filemap_alloc_folio(gfp, order, NULL);
}

/* static inline. */
unsigned int zcfs_mapping_max_folio_order(struct address_space *mapping)
{
	return mapping_max_folio_order(mapping);
}

/* static inline (__filemap_get_folio() with FGP_LOCK, a macro). */
struct folio *zcfs_filemap_lock_folio(struct address_space *mapping,
				      pgoff_t index)
{
	return filemap_lock_folio(mapping, index);
}

/* static inline. */
struct folio *zcfs_filemap_get_folio(struct address_space *mapping,
				     pgoff_t index)
{
	return filemap_get_folio(mapping, index);
}

/* static inline (page_ref_inc(), with its debug checks and tracepoint). */
void zcfs_folio_get(struct folio *folio)
{
	folio_get(folio);
}

/* static inline (page_ref_dec_and_test(), then __folio_put()). */
void zcfs_folio_put(struct folio *folio)
{
	folio_put(folio);
}

/* static inline. */
void zcfs_folio_ref_add(struct folio *folio, int nr)
{
	folio_ref_add(folio, nr);
}

/* static inline. */
void zcfs_folio_put_refs(struct folio *folio, int nr)
{
	folio_put_refs(folio, nr);
}

/* static inline. */
int zcfs_folio_expected_ref_count(struct folio *folio)
{
	return folio_expected_ref_count(folio);
}

/* static inline. */
bool zcfs_folio_mapped(struct folio *folio)
{
	return folio_mapped(folio);
}

/* static inline. */
void zcfs_folio_cancel_dirty(struct folio *folio)
{
	folio_cancel_dirty(folio);
}

/* static inline (might_sleep(), folio_trylock(), __folio_lock()). */
void zcfs_folio_lock(struct folio *folio)
{
	folio_lock(folio);
}

/* static inline (smp_wmb(), then the flag). */
void zcfs_folio_mark_uptodate(struct folio *folio)
{
	folio_mark_uptodate(folio);
}

/* static inline. */
void zcfs_folio_zero_segments(struct folio *folio, size_t start1,
			      size_t end1, size_t start2, size_t end2)
{
	folio_zero_segments(folio, start1, end1, start2, end2);
}

/* static inline or a no-op macro, per architecture. */
void zcfs_flush_dcache_folio(struct folio *folio)
{
	flush_dcache_folio(folio);
}

/* static inline (mapping_set_folio_order_range(), per configuration). */
void zcfs_mapping_set_large_folios(struct address_space *mapping)
{
	mapping_set_large_folios(mapping);
}

/* static inline (get_current_ioprio() too). */
void zcfs_init_sync_kiocb(struct kiocb *kiocb, struct file *file)
{
	init_sync_kiocb(kiocb, file);
}

/* Macro (cond_resched: per preemption model). */
void zcfs_cond_resched(void)
{
	cond_resched();
}

/* static inline (percpu_down_read() of the freeze protection). */
void zcfs_sb_start_pagefault(struct super_block *sb)
{
	sb_start_pagefault(sb);
}

/* static inline. */
void zcfs_sb_end_pagefault(struct super_block *sb)
{
	sb_end_pagefault(sb);
}

/* static inline. */
size_t zcfs_copy_folio_to_iter(struct folio *folio, size_t off, size_t len,
			       struct iov_iter *iter)
{
	return copy_folio_to_iter(folio, off, len, iter);
}

/* static inline. */
void zcfs_file_accessed(struct file *file)
{
	file_accessed(file);
}

/* static inline. */
ssize_t zcfs_generic_write_sync(struct kiocb *iocb, ssize_t count)
{
	return generic_write_sync(iocb, count);
}

/* static inline (of current, a macro). */
bool zcfs_fatal_signal_pending(void)
{
	return fatal_signal_pending(current);
}

/* Macro (page_folio). */
struct folio *zcfs_vmf_folio(struct vm_fault *vmf)
{
	return page_folio(vmf->page);
}

/* static inline. */
vm_fault_t zcfs_vmf_error(int err)
{
	return vmf_error(err);
}
