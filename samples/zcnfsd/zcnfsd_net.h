/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zcnfsd's kernel-socket helpers (zcnfsd_net.c), called from the Rust
 * socket layer (the net/ ffi files).  Every function is one socket operation or
 * one step of a zero-copy send's life; the loops and the error policy are
 * in Rust.
 *
 * Return values: >= 0 on success (bytes for the data calls), -errno on
 * failure.
 */
#ifndef ZCNFSD_NET_H
#define ZCNFSD_NET_H

#include <linux/types.h>

struct bio_vec;
struct kvec;
struct socket;
struct zcnfsd_zc;

/* Sockets. */
int zcnfsd_net_listen(u16 port, int backlog, struct socket **res);
int zcnfsd_net_accept(struct socket *lsock, struct socket **res);
int zcnfsd_net_connect_loopback(u16 port, struct socket **res);
int zcnfsd_net_local_port(struct socket *sock);
int zcnfsd_net_peer_port(struct socket *sock);
void zcnfsd_net_set_timeout(struct socket *sock, bool send, u32 ms);
void zcnfsd_net_shutdown(struct socket *sock);
void zcnfsd_net_push(struct socket *sock);
void zcnfsd_net_close(struct socket *sock);

/* One receive or send call each; `skip` bytes into the vector, `len` bytes. */
int zcnfsd_net_recv_kvec(struct socket *sock, void *buf, size_t len);
int zcnfsd_net_recv_bvec(struct socket *sock, const struct bio_vec *segs,
			 unsigned int nr, size_t skip, size_t len);
int zcnfsd_net_recv_discard(struct socket *sock, size_t len);
int zcnfsd_net_send_kvec(struct socket *sock, const struct kvec *vecs,
			 unsigned int nr, size_t skip, size_t len, bool more);

/*
 * Sends from pages: copying, or with MSG_SPLICE_PAGES (page references);
 * the route, and whether TCP may reference the pages.
 */
int zcnfsd_net_send_bvec(struct socket *sock, const struct bio_vec *segs,
			 unsigned int nr, size_t skip, size_t len, bool more,
			 bool splice);
bool zcnfsd_net_peer_local(struct socket *sock);
bool zcnfsd_net_segs_sendable(const struct bio_vec *segs, unsigned int nr);

/* Notification sends: a ubuf_info whose completion releases the owner. */
struct zcnfsd_zc *zcnfsd_zc_new(void *owner, void (*release)(void *owner));
int zcnfsd_net_send_zc(struct socket *sock, struct zcnfsd_zc *zc,
		       const struct bio_vec *segs, unsigned int nr,
		       size_t skip, size_t len, bool more);
void zcnfsd_zc_put(struct zcnfsd_zc *zc);
struct zcnfsd_reply;
struct zcnfsd_reply *zcnfsd_reply_new(const void *head, size_t hlen,
				      size_t plen, const struct bio_vec *segs,
				      unsigned int nr, size_t dlen);
size_t zcnfsd_reply_len(const struct zcnfsd_reply *r);
int zcnfsd_reply_send(struct socket *sock, struct zcnfsd_reply *r,
		      struct zcnfsd_zc *zc, size_t skip);
void zcnfsd_reply_free(struct zcnfsd_reply *r);
u64 zcnfsd_zc_in_flight(void);
u64 zcnfsd_zc_attached(void);
void zcnfsd_zc_wait_idle(void);

/* Counters since load (debugfs). */
u64 zcnfsd_net_stack_copy_bytes(void);
u64 zcnfsd_net_splice_bytes(void);
u64 zcnfsd_zc_completions_total(void);
u64 zcnfsd_zc_copied_completions_total(void);

#endif /* ZCNFSD_NET_H */
