// SPDX-License-Identifier: GPL-2.0
/*
 * zcnfsd: the C that the socket layer of net/ cannot do without.  The
 * kernel sockets, the copying and by-reference sends, the READ reply as
 * one iterator and the zero-copy send's struct ubuf_info with its
 * callbacks (.complete, .link_skb, sg_from_iter, the work item that
 * returns the loan) and counters are Rust, in net/, calling the kernel's
 * exported functions.  What is here is only what Rust cannot reach, one
 * line each:
 *
 * - wrappers of static inline functions and macros of the networking
 *   headers (net/sock.h, linux/net.h, linux/skbuff.h), which have no
 *   symbol to call; struct sock is opaque to Rust (the kernel crate's
 *   bindings do not describe it), so its fields are read and written
 *   here too, with READ_ONCE/WRITE_ONCE as the kernel does;
 * - build-time checks of the exported functions net/helpers.rs declares
 *   by hand (their headers are not among those the bindings are made
 *   from) and of the constants it mirrors.
 */

#include <linux/net.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/route.h>
#include <net/sock.h>

#include "zcnfsd_net.h"

static_assert(ZCNFSD_RTN_LOCAL == RTN_LOCAL);

/*
 * The exported functions net/helpers.rs declares by hand, checked against
 * the kernel's own declarations: a signature that changes fails the build
 * instead of the call.
 */
#define ZCNFSD_SAME_TYPE(fn, type) static_assert(__same_type(&(fn), (type)NULL), #fn)
ZCNFSD_SAME_TYPE(sock_set_reuseaddr, void (*)(struct sock *));
ZCNFSD_SAME_TYPE(sock_no_linger, void (*)(struct sock *));
ZCNFSD_SAME_TYPE(tcp_sock_set_nodelay, void (*)(struct sock *));
ZCNFSD_SAME_TYPE(inet_addr_type, unsigned int (*)(struct net *, __be32));

/* net/sock.h: sock_net() is a static inline. */
struct net *zcnfsd_sock_net(const struct sock *sk)
{
	return sock_net(sk);
}

/* struct sock's sk_daddr (a macro; struct sock is opaque to Rust). */
__be32 zcnfsd_sk_daddr(const struct sock *sk)
{
	return sk->sk_daddr;
}

/* WRITE_ONCE() of struct sock's sk_rcvtimeo (a macro; struct sock is opaque to Rust). */
void zcnfsd_sk_set_rcvtimeo(struct sock *sk, long timeo)
{
	WRITE_ONCE(sk->sk_rcvtimeo, timeo);
}

/* WRITE_ONCE() of struct sock's sk_sndtimeo (a macro; struct sock is opaque to Rust). */
void zcnfsd_sk_set_sndtimeo(struct sock *sk, long timeo)
{
	WRITE_ONCE(sk->sk_sndtimeo, timeo);
}

/* READ_ONCE() of struct sock's sk_route_caps (a macro; struct sock is opaque to Rust). */
u64 zcnfsd_sk_route_caps(const struct sock *sk)
{
	return READ_ONCE(sk->sk_route_caps);
}

/* linux/net.h: sendpages_ok() is a static inline. */
bool zcnfsd_sendpages_ok(struct page *page, size_t len, size_t offset)
{
	return sendpages_ok(page, len, offset);
}

/* linux/skbuff.h: skb_shinfo() is a macro. */
struct skb_shared_info *zcnfsd_skb_shinfo(const struct sk_buff *skb)
{
	return skb_shinfo(skb);
}

/* linux/skbuff.h: skb_zcopy() is a static inline. */
struct ubuf_info *zcnfsd_skb_zcopy(struct sk_buff *skb)
{
	return skb_zcopy(skb);
}

/* linux/skbuff.h: skb_zcopy_managed() is a static inline. */
bool zcnfsd_skb_zcopy_managed(const struct sk_buff *skb)
{
	return skb_zcopy_managed(skb);
}

/* linux/skbuff.h: skb_zcopy_init() is a static inline. */
void zcnfsd_skb_zcopy_init(struct sk_buff *skb, struct ubuf_info *uarg)
{
	skb_zcopy_init(skb, uarg);
}

/* linux/skbuff.h: __skb_fill_page_desc_noacc() is a static inline. */
void zcnfsd_skb_fill_page_desc_noacc(struct skb_shared_info *shinfo, int i,
				     struct page *page, int off, int size)
{
	__skb_fill_page_desc_noacc(shinfo, i, page, off, size);
}
