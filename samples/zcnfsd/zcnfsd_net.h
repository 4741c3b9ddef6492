/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zcnfsd: the C the Rust socket layer (net/) cannot do without, declared
 * for zcnfsd_net.c and mirrored by net/helpers.rs: one wrapper per static
 * inline function or macro of the networking headers that net/ uses,
 * and the constants net/ mirrors from headers the kernel crate's bindings
 * lack (checked against the kernel's in zcnfsd_net.c).
 */
#ifndef ZCNFSD_NET_H
#define ZCNFSD_NET_H

#include <linux/types.h>

struct net;
struct page;
struct sk_buff;
struct skb_shared_info;
struct sock;
struct ubuf_info;

#define ZCNFSD_RTN_LOCAL	2	/* RTN_LOCAL (uapi/linux/rtnetlink.h) */

struct net *zcnfsd_sock_net(const struct sock *sk);
__be32 zcnfsd_sk_daddr(const struct sock *sk);
void zcnfsd_sk_set_rcvtimeo(struct sock *sk, long timeo);
void zcnfsd_sk_set_sndtimeo(struct sock *sk, long timeo);
u64 zcnfsd_sk_route_caps(const struct sock *sk);
bool zcnfsd_sendpages_ok(struct page *page, size_t len, size_t offset);
struct skb_shared_info *zcnfsd_skb_shinfo(const struct sk_buff *skb);
struct ubuf_info *zcnfsd_skb_zcopy(struct sk_buff *skb);
bool zcnfsd_skb_zcopy_managed(const struct sk_buff *skb);
void zcnfsd_skb_zcopy_init(struct sk_buff *skb, struct ubuf_info *uarg);
void zcnfsd_skb_fill_page_desc_noacc(struct skb_shared_info *shinfo, int i,
				     struct page *page, int off, int size);

#endif /* ZCNFSD_NET_H */
