/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zcvfs: the extended uio (xuio) of the copy-reduction interfaces.
 *
 * The C view of the structure that Rust code sees as
 * `zcvfs_api::xuio::RawXuio`.  Both sides check the offsets below at build
 * time (rust/zcvfs_exports.c and rust/api/bindings.rs), so the layouts cannot
 * drift apart.  The layout is the same on every 64-bit architecture.
 *
 * See Documentation/zcvfs.rst.
 */
#ifndef _ZCVFS_XUIO_H
#define _ZCVFS_XUIO_H

#include <linux/types.h>

struct bio_vec;
struct kvec;

/* uio_extflag: the structure is a struct xuio (its xu_type is valid). */
#define UIO_XUIO		0x004

/* uio_segflg: what uio_segs points to. */
#define UIO_SEG_BVEC		1	/* struct bio_vec[uio_iovcnt]: pages */
#define UIO_SEG_KVEC		2	/* struct kvec[uio_iovcnt]: kernel buffers */

/* The most segments a plain xuio may carry (as UIO_MAXIOV). */
#define UIO_MAXSEGS		1024

/* Direction of a loan, recorded in xu_zc_rw. */
enum uio_rw {
	UIO_READ = 0,
	UIO_WRITE = 1,
};

/*
 * The extension types.  New types are appended, never renumbered; the
 * extension union below is padded so that adding one keeps the layout.
 */
enum xuio_type {
	UIOTYPE_ASYNCIO = 0,
	UIOTYPE_ZEROCOPY = 1,
};

/* xu_zc_state: where a zero-copy xuio is in its life (set by zcvfs only). */
enum xuio_zc_state {
	XUIO_ZC_NONE = 0,	/* never loaned */
	XUIO_ZC_LOANED = 1,	/* reqzcbuf succeeded */
	XUIO_ZC_FILLED = 2,	/* read succeeded: READ segments now valid */
	XUIO_ZC_WRITTEN = 3,	/* write succeeded: segments belong to fs */
	XUIO_ZC_RETURNED = 4,	/* retzcbuf done: nothing is loaned */
};

/* The embedded uio. */
struct uio {
	union {
		struct bio_vec *uio_bvec;	/* UIO_SEG_BVEC */
		struct kvec *uio_kvec;		/* UIO_SEG_KVEC */
	};
	__u32 uio_iovcnt;	/* number of segments */
	__u32 uio_segflg;	/* UIO_SEG_* */
	__s64 uio_loffset;	/* file offset; -1: anonymous (write loans) */
	__s64 uio_resid;	/* bytes still to transfer */
	__u32 uio_extflag;	/* UIO_XUIO if this is a struct xuio */
	__u32 uio_reserved;	/* zero */
};

/* Zero-copy extension (xu_type == UIOTYPE_ZEROCOPY). */
struct xuio_zc {
	__u32 xu_zc_rw;		/* enum uio_rw: the use of the buffers */
	__u32 xu_zc_state;	/* enum xuio_zc_state, kept by zcvfs */
	void *xu_zc_priv;	/* provider private: never touch */
	__u64 xu_zc_loan;	/* zcvfs private: loan cookie */
};

/* Async I/O extension (xu_type == UIOTYPE_ASYNCIO), from uioa_t. */
struct xuio_aio {
	__u32 xu_a_state;	/* state of async i/o */
	__u32 xu_a_pad;
	__s64 xu_a_mbytes;	/* bytes that have been moved */
	void *xu_a_lcur;	/* pointer into the locked pages */
	void **xu_a_lppp;	/* pointer into lcur's page pointers */
	void *xu_a_hwst[4];	/* opaque hardware state */
};

#define XUIO_EXT_WORDS		8

struct xuio {
	struct uio xu_uio;	/* embedded uio: must be first */
	__u32 xu_type;		/* enum xuio_type, valid with UIO_XUIO */
	__u32 xu_pad;
	union {
		struct xuio_aio xu_aio;
		struct xuio_zc xu_zc;
		__u64 xu_ext_pad[XUIO_EXT_WORDS];	/* fixes the size */
	} xu_ext;
};

/* Layout constants, checked on both the C and the Rust side. */
#define XUIO_OFF_ITER_COUNT	8
#define XUIO_OFF_LOFFSET	16
#define XUIO_OFF_RESID		24
#define XUIO_OFF_EXTFLAG	32
#define XUIO_OFF_TYPE		40
#define XUIO_OFF_EXT		48
#define XUIO_OFF_ZC_PRIV	56
#define XUIO_OFF_ZC_LOAN	64
#define XUIO_SIZE		112

/* A freshly initialised plain xuio over caller-owned segments. */
static inline void xuio_init_plain(struct xuio *x, __u32 segflg, void *segs,
				   __u32 nsegs, __s64 offset, __s64 len)
{
	*x = (struct xuio){};
	x->xu_uio.uio_bvec = (struct bio_vec *)segs;
	x->xu_uio.uio_segflg = segflg;
	x->xu_uio.uio_iovcnt = nsegs;
	x->xu_uio.uio_loffset = offset;
	x->xu_uio.uio_resid = len;
}

/* A fresh xuio ready for fop_reqzcbuf(). */
static inline void xuio_init_request(struct xuio *x, __s64 offset, __s64 len)
{
	*x = (struct xuio){};
	x->xu_uio.uio_loffset = offset;
	x->xu_uio.uio_resid = len;
}

#endif /* _ZCVFS_XUIO_H */
