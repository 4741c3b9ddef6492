/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the files of zcnfsd_robust share: the server's address and export,
 * the handles and the file the cases work on, the call helpers and the
 * cases each topic file defines for the table in zcnfsd_robust.c.
 */
#ifndef ZCNFSD_ROBUST_H
#define ZCNFSD_ROBUST_H

#include "kselftest.h"
#include "zcnfsd_rpc.h"

extern int nfs_port, mnt_port;
extern const char *export_path;

/* The root handle (MNT) and the test file's handle (CREATE). */
extern uint8_t root_fh[FHSIZE3], file_fh[FHSIZE3];
extern uint32_t root_fh_len, file_fh_len;

/* The test file: its name in the export, its length and its content. */
#define FILE_NAME	"zcnfsd-robust.dat"
#define FILE_LEN	10000
extern uint8_t file_data[FILE_LEN];

/* Connections the many-connections case holds at once. */
#define NCONN 64

/*
 * Only zcnfsd_robust.c reports KTAP results (kselftest.h keeps its counts
 * per file); the cases print their findings and return true or false.
 */
#define MSG(...)	ksft_print_msg(__VA_ARGS__)
#define FAIL(...)	do { MSG(__VA_ARGS__); return false; } while (0)
#define EXPECT(c, ...)	do { if (!(c)) FAIL(__VA_ARGS__); } while (0)

/* zcnfsd_robust.c: calls, replies, the file's content. */
void fill_random(uint8_t *b, size_t n, uint64_t seed);
int call1(uint32_t prog, uint32_t vers, uint32_t proc, const struct xbuf *args,
	  struct reply *r);
int raw1(int port, const struct xbuf *body, struct reply *r);
bool accepted(const char *what, int err, const struct reply *r, uint32_t astat);
long res_status(struct reply *r);
bool nfs_status_in(const char *what, int err, struct reply *r, const long *want);
void put_fh(struct xbuf *b, const uint8_t *fh, uint32_t len);
void put_root_fh(struct xbuf *b);
long nfs_read(int fd, const uint8_t *fh, uint32_t fhlen, uint64_t off, uint32_t count,
	      uint8_t *out, size_t outmax, uint32_t *got, bool *eof);
void put_write_hdr(struct xbuf *b, const uint8_t *fh, uint32_t fhlen, uint64_t off,
		   uint32_t count, uint32_t stable, uint32_t dlen);
long nfs_write(int fd, const uint8_t *fh, uint32_t fhlen, uint64_t off,
	       const uint8_t *data, uint32_t len, uint32_t stable, uint32_t *count,
	       uint32_t *committed);
bool file_is(const uint8_t *want, const char *when);
bool error_or_closed(int fd, uint32_t xid, unsigned int astat_mask, bool auth_ok,
		     const char *what);
bool dropped(int fd, const char *what);

/* zcnfsd_robust_transport.c: record marking, fragments, connections. */
bool t_write_fragments(void);
bool t_rm_zero(void);
bool t_rm_oversized(void);
bool t_rm_truncated(void);
bool t_rm_mark_truncated(void);
bool t_rm_chains(void);
bool t_rm_chain_huge(void);
bool t_slow_sender(void);
bool t_pipelined(void);
bool t_garbage_stream(void);
void many(int n, bool hold, int *answered_out, int *closed_out);
bool t_many(void);

/* zcnfsd_robust_rpc.c: the call header, programs, versions, credentials. */
bool t_not_call(void);
bool t_rpcvers(void);
bool t_prog_unavail(void);
bool t_prog_mismatch(void);
bool t_proc_unavail(void);
bool t_auth_bogus_len(void);
bool t_auth_bad_body(void);
bool t_auth_flavor(void);
bool t_auth_none(void);
bool t_header_truncated(void);

/* zcnfsd_robust_nfs.c: NFS arguments and procedures. */
bool t_getattr_root(void);
bool t_create_write_read(void);
bool t_unaligned(void);
bool t_garbage_args(void);
bool t_bad_fh(void);
bool t_bad_xdr(void);
bool t_lookup(void);
bool t_read_eof(void);
bool t_read_edges(void);
bool t_dir_io(void);
bool t_write_count_vs_len(void);
bool t_write_past_record(void);
bool t_write_cut(void);
bool t_write_huge(void);
bool t_write_edges(void);
bool t_remove(void);

#endif /* ZCNFSD_ROBUST_H */
