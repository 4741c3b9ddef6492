// SPDX-License-Identifier: GPL-2.0
/*
 * C helpers of the test provider: read and write a file through its own
 * ->read_iter / ->write_iter into or from bio_vec pages, the way a
 * filesystem moves data inside itself.  Unlike vfs_iter_read(), these raise
 * no fsnotify event: for zero-copy I/O that is the dispatch layer's job.
 */

#include <linux/fs.h>
#include <linux/uio.h>
#include <linux/bvec.h>

ssize_t zcvfs_test_rw_bvec(struct file *file, const struct bio_vec *bv,
			   unsigned long nr, size_t len, loff_t pos, bool write);

/* Read into (write false) or write from (write true) the pages of @bv. */
ssize_t zcvfs_test_rw_bvec(struct file *file, const struct bio_vec *bv,
			   unsigned long nr, size_t len, loff_t pos, bool write)
{
	struct kiocb kiocb;
	struct iov_iter iter;
	ssize_t ret;

	if (!(file->f_mode & (write ? FMODE_WRITE : FMODE_READ)) ||
	    !(write ? file->f_op->write_iter : file->f_op->read_iter))
		return -EINVAL;
	ret = rw_verify_area(write ? WRITE : READ, file, &pos, len);
	if (ret)
		return ret;
	init_sync_kiocb(&kiocb, file);
	kiocb.ki_pos = pos;
	iov_iter_bvec(&iter, write ? ITER_SOURCE : ITER_DEST, bv, nr, len);
	if (!write)
		return file->f_op->read_iter(&kiocb, &iter);
	file_start_write(file);
	ret = file->f_op->write_iter(&kiocb, &iter);
	file_end_write(file);
	return ret;
}

/*
 * Copy between loaned segments and the caller's user memory, page by page,
 * without a kernel bounce buffer (each allocation in the debug kernel
 * records stack traces, and a zero-copy test should not copy twice).
 * Return the bytes copied, or -EFAULT if nothing could be.
 */
ssize_t zcvfs_test_bvec_to_user(const struct bio_vec *bv, unsigned long nr,
				void __user *ubuf, size_t len);
ssize_t zcvfs_test_bvec_from_user(const struct bio_vec *bv, unsigned long nr,
				  const void __user *ubuf, size_t len);

static ssize_t zcvfs_test_bvec_user(const struct bio_vec *bv, unsigned long nr,
				    void __user *ubuf, size_t len, bool to_user)
{
	struct iov_iter iter;
	size_t done = 0;
	int err;

	err = import_ubuf(to_user ? ITER_DEST : ITER_SOURCE, ubuf, len, &iter);
	if (err)
		return err;
	for (unsigned long i = 0; i < nr && iov_iter_count(&iter); i++) {
		size_t n = min_t(size_t, bv[i].bv_len, iov_iter_count(&iter));
		size_t c = to_user ?
			copy_page_to_iter(bv[i].bv_page, bv[i].bv_offset, n, &iter) :
			copy_page_from_iter(bv[i].bv_page, bv[i].bv_offset, n, &iter);

		done += c;
		if (c != n)
			return done ? done : -EFAULT;
	}
	return done;
}

ssize_t zcvfs_test_bvec_to_user(const struct bio_vec *bv, unsigned long nr,
				void __user *ubuf, size_t len)
{
	return zcvfs_test_bvec_user(bv, nr, ubuf, len, true);
}

ssize_t zcvfs_test_bvec_from_user(const struct bio_vec *bv, unsigned long nr,
				  const void __user *ubuf, size_t len)
{
	return zcvfs_test_bvec_user(bv, nr, (void __user *)ubuf, len, false);
}

/*
 * A C consumer, exactly as Documentation/zcvfs.rst shows it: read `len`
 * bytes at `off` into `buf`, zero-copy if the filesystem offers it, else
 * through the copy path.  *zc tells which path served it.  Also checks
 * that the C ABI refuses a second return.
 */
#include <zcvfs/zcvfs.h>

ssize_t zcvfs_test_c_read(struct file *file, loff_t off, size_t len,
			  void *buf, int *zc);

static const struct zcvfs_caller_context zcvfs_test_c_ct = {
	.cc_name = "zcvfs_test C consumer",
};

ssize_t zcvfs_test_c_read(struct file *file, loff_t off, size_t len,
			  void *buf, int *zc)
{
	const struct zcvfs_caller_context *ct = &zcvfs_test_c_ct;
	struct xuio xuio;
	ssize_t n;
	int err;

	xuio_init_request(&xuio, off, len);
	err = fop_reqzcbuf(file, UIO_READ, &xuio, ct);
	if (err) {
		/* -EOPNOTSUPP or -EINVAL: the copy path, same VOP. */
		struct kvec kv = { .iov_base = buf, .iov_len = len };

		*zc = 0;
		xuio_init_plain(&xuio, UIO_SEG_KVEC, &kv, 1, off, len);
		return fop_read_xuio(file, &xuio, ct);
	}
	*zc = 1;
	n = fop_read_xuio(file, &xuio, ct);
	if (n > 0)	/* the segments are valid only now */
		n = zcvfs_bvec_copy_from(xuio.xu_uio.uio_bvec,
					 xuio.xu_uio.uio_iovcnt, 0, buf, n);
	err = fop_retzcbuf(file, &xuio, ct);
	if (err)
		return err;
	/* Exactly one return per loan: a second one is refused. */
	if (fop_retzcbuf(file, &xuio, ct) != -EALREADY)
		return -EPROTO;
	return n;
}
