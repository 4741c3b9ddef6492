/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * zcvfs test driver (/dev/zcvfs_test, module zcvfs_test.ko in
 * test_modules/): the ioctls through which the kselftests and the
 * benchmarks make the kernel run zero-copy sequences.  Not part of zcvfs's
 * interface (include/zcvfs/): the module is loaded only by the tests.  The
 * module mirrors this header in test_modules/test_ioctl.rs (a #[repr(C)]
 * struct Req, checked to be the same 144 bytes, and the same numbers).
 *
 * Every ioctl takes a struct zcvfs_test_req (all fields 64-bit).  `result`
 * is the operation's return value: bytes or 0, or a negative errno.  The
 * ioctl itself fails only for a bad command, a bad user pointer or a bad
 * slot.
 */
#ifndef _ZCVFS_TEST_IOCTL_H
#define _ZCVFS_TEST_IOCTL_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define ZT_SLOTS	8	/* raw xuio slots per open of the device */
#define ZT_OUT		8

struct zcvfs_test_req {
	__s64 fd;		/* the file operated on */
	__s64 slot;		/* raw xuio slot, 0 .. ZT_SLOTS - 1 */
	__s64 rw;		/* UIO_READ (0) / UIO_WRITE (1); or op mask */
	__s64 offset;		/* file offset (-1: anonymous) */
	__s64 length;		/* length */
	__u64 buf;		/* user buffer */
	__u64 buf_len;		/* its length */
	__s64 arg;		/* op specific */
	__s64 result;		/* out: bytes/0 or -errno */
	__s64 out[ZT_OUT];	/* out: op specific */
	__s64 reserved;
};

_Static_assert(sizeof(struct zcvfs_test_req) == 18 * 8,
	       "test_modules/test_ioctl.rs reads 18 64-bit words");

#define ZT_IOC(nr)	_IOWR('Z', nr, struct zcvfs_test_req)

/* Test provider: register for fd's filesystem type, zero-copy on its sb. */
#define ZT_PROVIDER_ENABLE	ZT_IOC(0x01)	/* fd; arg: max loan bytes (0: default) */
#define ZT_PROVIDER_DISABLE	ZT_IOC(0x02)
#define ZT_HAS_FEATURE		ZT_IOC(0x03)	/* fd -> result 0/1 */

/* Raw C-ABI sequences on a slot (fop_* called exactly as asked). */
#define ZT_REQ		ZT_IOC(0x10)	/* slot fd rw offset length; arg: ZT_REQ_* */
#define ZT_READ		ZT_IOC(0x11)	/* slot fd */
#define ZT_WRITE	ZT_IOC(0x12)	/* slot fd; arg ZT_WRITE_SET_OFFSET: offset */
#define ZT_RET		ZT_IOC(0x13)	/* slot fd */
#define ZT_PEEK		ZT_IOC(0x14)	/* slot buf buf_len offset(=skip) */
#define ZT_FILL		ZT_IOC(0x15)	/* slot buf buf_len offset(=skip) */
#define ZT_STATE	ZT_IOC(0x16)	/* slot -> out[] */
#define ZT_SLOT_FREE	ZT_IOC(0x17)	/* slot: returns an outstanding loan */

#define ZT_REQ_ASYNCIO		1	/* tag the xuio as async I/O first */
#define ZT_REQ_FRESH		2	/* start from a new xuio */
#define ZT_WRITE_SET_OFFSET	1	/* set uio_loffset = offset first */

/* out[] of ZT_STATE */
#define ZT_ST_EXTFLAG	0
#define ZT_ST_TYPE	1
#define ZT_ST_ZCSTATE	2
#define ZT_ST_RESID	3
#define ZT_ST_LOFFSET	4
#define ZT_ST_NSEGS	5
#define ZT_ST_SEGLEN	6	/* total segment bytes, if accessible; else -errno */

/* Plain xuio through the normal VFS path (kernel buffer / pages). */
#define ZT_PLAIN_READ	ZT_IOC(0x20)	/* fd offset buf buf_len; arg 1: pages */
#define ZT_PLAIN_WRITE	ZT_IOC(0x21)	/* fd offset buf buf_len; arg 1: pages */

/* The safe Rust consumer API end to end (ReadLoan / WriteLoan). */
#define ZT_LOAN_READ	ZT_IOC(0x30)	/* fd offset length buf arg; out[0]: failed step */
#define ZT_LOAN_READ_ONE_CALL	1	/* ZT_LOAN_READ arg: ReadData::request */
#define ZT_LOAN_WRITE	ZT_IOC(0x31)	/* fd offset(-1: anon) buf buf_len arg(offset if anon) */
/* The C consumer example of the documentation (C ABI from a C module). */
#define ZT_C_READ	ZT_IOC(0x32)	/* fd offset buf buf_len; out[0]: 1 if zero-copy */

/* Monitors. */
#define ZT_MON_INSTALL	ZT_IOC(0x40)	/* fd arg: ZT_MON_*; rw: veto op mask; offset: errno */
#define ZT_MON_UNINSTALL ZT_IOC(0x41)	/* arg: id */
#define ZT_MON_COUNTS	ZT_IOC(0x42)	/* arg: id -> out[op], out[5] vetoes, out[6] last seq,
						   out[7] last caller id */
#define ZT_TRUNCATE	ZT_IOC(0x43)	/* fd length: fop_truncate */

/*
 * Micro benchmark of `make bench` (tools/bench/): read `length` bytes
 * (at most 1 MiB) of the `slot` (1 .. 1024; 0: 1) consecutive ranges of
 * fd from `offset`, one range after the other, again and again, by arg =
 * ZT_BENCH_LOAN (request + read + return of a READ loan, one at a time),
 * ZT_BENCH_COPY (a plain read, copying into a kernel buffer) or
 * ZT_BENCH_PHASES (cycles of: a loan of every range requested, then each
 * read, then each returned, every phase timed over the whole batch),
 * until `rw` nanoseconds (at most 10 s) have passed.  result: iterations
 * (loans or copies) or -errno; out[0]: bytes each iteration got; out[1]:
 * segments of the last loan; out[2]: total ns; out[3..5] (phases): ns in
 * the requests, the reads and the returns, summed.
 */
#define ZT_BENCH_READ	ZT_IOC(0x50)	/* fd offset length slot rw(min ns) arg */
#define ZT_BENCH_LOAN	0
#define ZT_BENCH_COPY	1
#define ZT_BENCH_PHASES	2

#define ZT_MON_COUNT	0
#define ZT_MON_VETO	1

/* enum zcvfs_fem_op, as a mask bit for ZT_MON_VETO. */
#define ZT_OP_READ	0
#define ZT_OP_WRITE	1
#define ZT_OP_REQZCBUF	2
#define ZT_OP_RETZCBUF	3
#define ZT_OP_TRUNCATE	4

#endif /* _ZCVFS_TEST_IOCTL_H */
