/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zcvfs: the copy-reduction (zero-copy) VOP extension layer, C ABI.
 *
 * Everything here is exported by zcvfs.ko (EXPORT_SYMBOL_GPL) and
 * implemented in Rust.  Rust modules use the safe API in rust/api/ instead.
 * Errors are negative errno values.  See Documentation/zcvfs.rst.
 */
#ifndef _ZCVFS_ZCVFS_H
#define _ZCVFS_ZCVFS_H

#include <linux/types.h>
#include <zcvfs/xuio.h>

struct file;
struct super_block;
struct file_system_type;
struct module;

/* The VFS feature of zero-copy providers (PSARC/2009/478). */
#define VFSFT_ZEROCOPY_SUPPORTED	0x100000100ULL

/* Who is calling: passed to monitors, never interpreted by zcvfs. */
struct zcvfs_caller_context {
	const char *cc_name;
	__u64 cc_id;
	void *cc_data;
};

/* What a provider reports about a zero-copy write. */
struct zcvfs_write_result {
	__u64 pages_donated;	/* whole pages moved into the cache */
	__u64 pages_copied;	/* pages whose data was copied */
};

/*
 * A provider's operations, registered per filesystem type.  All four are
 * required.  The file is the one the consumer passed in; its f_cred is the
 * caller's credential.
 *
 * reqzcbuf: loan buffers covering exactly xu_uio.uio_resid bytes at
 *	uio_loffset (-1: anonymous write buffers).  Set uio_bvec,
 *	uio_iovcnt, uio_segflg = UIO_SEG_BVEC and xu_zc_priv.  All or
 *	nothing: fail with -EINVAL if the whole length cannot be loaned.
 *	A READ loan may publish no segments (uio_iovcnt 0) until read_xuio.
 * retzcbuf: release everything behind xu_zc_priv.  Cannot fail usefully:
 *	zcvfs forgets the loan whatever it returns.
 * read_xuio: fill the loaned READ segments with the file's data at
 *	uio_loffset, trim them at end of file; return the byte count.
 * write_xuio: write the loaned WRITE segments at uio_loffset; return the
 *	byte count and say how many pages were donated or copied.
 *
 * A provider need not zero WRITE loan pages: the consumer fills every byte
 * of the segments before fop_write_xuio, or zeroes what it does not fill
 * (zcvfs_bvec_zero()); the Rust consumer API does that itself.
 */
struct zcvfs_provider_ops {
	int (*reqzcbuf)(struct file *file, enum uio_rw rw, struct xuio *xuio);
	int (*retzcbuf)(struct file *file, struct xuio *xuio);
	ssize_t (*read_xuio)(struct file *file, struct xuio *xuio);
	ssize_t (*write_xuio)(struct file *file, struct xuio *xuio,
			      struct zcvfs_write_result *res);
};

int zcvfs_register_provider(struct file_system_type *fstype,
			    const struct zcvfs_provider_ops *ops,
			    struct module *owner);
int zcvfs_unregister_provider(struct file_system_type *fstype);

/* Per super_block features; only a registered provider's sb may get ZC. */
int zcvfs_sb_set_features(struct super_block *sb, __u64 features);
int zcvfs_sb_clear_features(struct super_block *sb, __u64 features);
int vfs_has_feature(struct super_block *sb, __u64 feature);

/*
 * The VOP entry points (VOP_REQZCBUF, VOP_RETZCBUF, VOP_READ/WRITE).  A
 * loan holds a reference on the file it was requested on until its
 * fop_retzcbuf() has completed, so a caller may use that file for the
 * loan's calls without a reference of its own.
 */
int fop_reqzcbuf(struct file *file, enum uio_rw rw, struct xuio *xuio,
		 const struct zcvfs_caller_context *ct);
int fop_retzcbuf(struct file *file, struct xuio *xuio,
		 const struct zcvfs_caller_context *ct);
ssize_t fop_read_xuio(struct file *file, struct xuio *xuio,
		      const struct zcvfs_caller_context *ct);
/*
 * fop_reqzcbuf(UIO_READ) and fop_read_xuio() of the loan in one call, all
 * or nothing: on success the loan is out and filled (one fop_retzcbuf()
 * owed), on failure nothing is out.
 */
ssize_t fop_reqzcbuf_read(struct file *file, struct xuio *xuio,
			  const struct zcvfs_caller_context *ct);
ssize_t fop_write_xuio(struct file *file, struct xuio *xuio,
		       const struct zcvfs_caller_context *ct);
int fop_truncate(struct file *file, loff_t length,
		 const struct zcvfs_caller_context *ct);

/*
 * A zeroed xuio for a consumer's requests (NULL: no memory; may sleep),
 * and its release.  A freed xuio is kept as its CPU's spare and handed out
 * again, so that a loan at a time costs no kmalloc()/kfree().  An xuio may
 * be anywhere else as well (on the stack, in a bigger structure): only its
 * address must not change while a loan is out through it.
 */
struct xuio *zcvfs_xuio_alloc(void);
void zcvfs_xuio_free(struct xuio *xuio);

/*
 * bio_vec segments: their total length; an iterator over @len bytes of
 * them from byte @skip on (-EINVAL if they are shorter); copies between
 * them and a buffer (at most @len bytes, fewer if they hold less); zeroing
 * of @len bytes from byte @skip on.  For providers, consumers and tests.
 */
struct iov_iter;
size_t zcvfs_bvec_total(const struct bio_vec *segs, unsigned int nr);
int zcvfs_bvec_iter(struct iov_iter *iter, unsigned int dir,
		    const struct bio_vec *segs, unsigned int nr,
		    size_t skip, size_t len);
ssize_t zcvfs_bvec_copy_from(const struct bio_vec *segs, __u32 nsegs,
			     size_t skip, void *buf, size_t len);
ssize_t zcvfs_bvec_copy_to(const struct bio_vec *segs, __u32 nsegs,
			   size_t skip, const void *buf, size_t len);
int zcvfs_bvec_zero(const struct bio_vec *segs, __u32 nsegs, size_t skip,
		    size_t len);

/* ---- File event monitors (FEM) ---- */

enum zcvfs_fem_op {
	ZCVFS_FEM_READ = 0,
	ZCVFS_FEM_WRITE = 1,
	ZCVFS_FEM_REQZCBUF = 2,
	ZCVFS_FEM_RETZCBUF = 3,
	ZCVFS_FEM_TRUNCATE = 4,
};

/*
 * The argument of every monitor operation.  The fields describe the
 * request; changing them has no effect on it.  `data` is the private data
 * the called monitor was installed with.
 */
struct zcvfs_fem_arg {
	__u32 op;			/* enum zcvfs_fem_op */
	__u32 rw;			/* enum uio_rw, for REQZCBUF */
	struct file *file;
	struct xuio *xuio;		/* NULL for TRUNCATE */
	loff_t length;			/* TRUNCATE: the new size */
	const struct zcvfs_caller_context *ct;
	void *data;
	void *chain;			/* zcvfs private */
};

/*
 * Pass the request on to the next monitor, or to the operation itself
 * after the last one (FEM's vnext_*).  Call it at most once.  A monitor
 * that returns without calling it vetoes the request with its return
 * value (a negative errno).  RETZCBUF cannot be vetoed: the buffers are
 * returned whatever the monitors do.
 */
ssize_t zcvfs_vnext(struct zcvfs_fem_arg *arg);

/* A monitor: any operation may be NULL (passes through). */
struct zcvfs_monitor_ops {
	ssize_t (*read)(struct zcvfs_fem_arg *arg);
	ssize_t (*write)(struct zcvfs_fem_arg *arg);
	ssize_t (*reqzcbuf)(struct zcvfs_fem_arg *arg);
	ssize_t (*retzcbuf)(struct zcvfs_fem_arg *arg);
	ssize_t (*truncate)(struct zcvfs_fem_arg *arg);
	/* Called once, when the last in-flight call of the monitor ends. */
	void (*release)(void *data);
};

/*
 * Push a monitor on top of the inode's stack (it is called first).  The
 * stack pins the file (so the mount) until its last monitor goes.  Returns
 * a positive id, or a negative errno.
 */
__s64 zcvfs_monitor_install(struct file *file,
			    const struct zcvfs_monitor_ops *ops, void *data,
			    struct module *owner);
int zcvfs_monitor_uninstall(struct file *file, __s64 id);

#endif /* _ZCVFS_ZCVFS_H */
