// SPDX-License-Identifier: GPL-2.0
/*
 * zcnfsd: kernel-socket helpers and the two by-reference sends of READ
 * data.
 *
 * The Rust socket layer (net/) calls these for what it cannot call directly
 * (msghdr/iov_iter set-up, static inlines, struct ubuf_info).  Each helper
 * is one socket call; the loops (short reads and writes) and the errno
 * policy are in Rust.
 *
 * Two ways to send loaned pages by reference, chosen per connection
 * (zcnfsd_net_peer_local(); see Documentation/zcnfsd.rst):
 *
 * - Splice (local peers: loopback, the host's own addresses):
 *   MSG_SPLICE_PAGES, as NFSD's svc_tcp_sendmsg().  The skbs take plain page
 *   references; they are not zerocopy-flagged, so local delivery does not
 *   copy them (skb_orphan_frags_rx() only copies zerocopy frags).  The
 *   loan is returned as soon as sendmsg returns; the provider keeps the data
 *   stable by copying a folio away before changing it while references
 *   beyond its own remain (zcfs: zcfs_folio_shared()).
 *
 * - Notification (other routes: a NIC), as io_uring's IORING_OP_SEND_ZC
 *   (io_uring/notif.c, io_uring/net.c): a struct zcnfsd_zc embeds a struct
 *   ubuf_info with SKBFL_ZEROCOPY_FRAG | SKBFL_DONT_ORPHAN (without
 *   DONT_ORPHAN, TCP's transmit clone runs skb_copy_ubufs() on every skb).
 *   sock_sendmsg() with MSG_ZEROCOPY and msg_ubuf; our sg_from_iter puts the
 *   pages into the skbs with managed fragment references (no get/put per
 *   page: the loan keeps them alive); .link_skb stacks the notifications of
 *   consecutive replies on one skb so that a reply costs one.  The sender
 *   holds one reference for the duration of its sendmsg calls
 *   (zcnfsd_zc_put drops it).  The last reference ends in .complete, which
 *   may run in any context (softirq on ACK, process context on close): it
 *   only queues a work item, which in process context calls the owner's
 *   release function (the Rust side drops the READ loan there:
 *   fop_retzcbuf may sleep) and frees the struct.
 *
 * A READ reply goes in one sendmsg of either kind (struct zcnfsd_reply): its
 * header and XDR padding copied into a page of their own, in one ITER_BVEC
 * with the loaned pages.
 *
 * Honest counters: every completion that reports zerocopy_success == false
 * means the stack copied that skb's fragments (skb_copy_ubufs()); their
 * bytes are counted (zcnfsd_net_stack_copy_bytes), as are the bytes of a
 * by-reference send on a route that cannot scatter-gather (TCP copies
 * them at sendmsg time).
 *
 * Module unload: .complete and the work function are module text.
 * zcnfsd_zc_wait_idle() waits until every zcnfsd_zc was released, waits
 * for the RCU read-side section each .complete runs in (synchronize_rcu),
 * and destroys the workqueue (which waits for the work functions to
 * return).
 */

#include <linux/atomic.h>
#include <linux/bvec.h>
#include <linux/errno.h>
#include <linux/in.h>
#include <linux/jiffies.h>
#include <linux/mutex.h>
#include <linux/net.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/tcp.h>
#include <linux/uio.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <net/route.h>
#include <net/sock.h>

#include <zcvfs/zcvfs.h>
#include "zcnfsd_net.h"

/* Sockets ---------------------------------------------------------------- */

/* A new TCP socket, and @sin set to the IPv4 address @addr:@port. */
static int zcnfsd_tcp_socket(struct sockaddr_in *sin, __be32 addr, u16 port,
			     struct socket **sock)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = addr;
	sin->sin_port = htons(port);
	return sock_create_kern(&init_net, AF_INET, SOCK_STREAM, IPPROTO_TCP,
				sock);
}

/* A TCP socket listening on 0.0.0.0:port (port 0: an ephemeral port). */
int zcnfsd_net_listen(u16 port, int backlog, struct socket **res)
{
	struct sockaddr_in sin;
	struct socket *sock;
	int err;

	err = zcnfsd_tcp_socket(&sin, htonl(INADDR_ANY), port, &sock);
	if (err)
		return err;
	sock_set_reuseaddr(sock->sk);
	err = kernel_bind(sock, (struct sockaddr_unsized *)&sin, sizeof(sin));
	if (!err)
		err = kernel_listen(sock, backlog);
	if (err) {
		sock_release(sock);
		return err;
	}
	*res = sock;
	return 0;
}

static void zcnfsd_stream_setup(struct socket *sock)
{
	/* Replies are sent whole (MSG_MORE until the last piece): no Nagle. */
	tcp_sock_set_nodelay(sock->sk);
}

/* Blocks until a connection arrives or the listener is shut down. */
int zcnfsd_net_accept(struct socket *lsock, struct socket **res)
{
	struct socket *sock;
	int err;

	err = kernel_accept(lsock, &sock, 0);
	if (err)
		return err;
	zcnfsd_stream_setup(sock);
	*res = sock;
	return 0;
}

/* A client socket connected to 127.0.0.1:port (tests). */
int zcnfsd_net_connect_loopback(u16 port, struct socket **res)
{
	struct sockaddr_in sin;
	struct socket *sock;
	int err;

	err = zcnfsd_tcp_socket(&sin, htonl(INADDR_LOOPBACK), port, &sock);
	if (err)
		return err;
	err = kernel_connect(sock, (struct sockaddr_unsized *)&sin,
			     sizeof(sin), 0);
	if (err) {
		sock_release(sock);
		return err;
	}
	zcnfsd_stream_setup(sock);
	*res = sock;
	return 0;
}

/* The local port of a bound socket, or -errno. */
int zcnfsd_net_local_port(struct socket *sock)
{
	struct sockaddr_in sin;
	int err;

	err = kernel_getsockname(sock, (struct sockaddr *)&sin);
	if (err < 0)
		return err;
	return ntohs(sin.sin_port);
}

/* The peer's port of a connected IPv4 socket, or -errno. */
int zcnfsd_net_peer_port(struct socket *sock)
{
	struct sockaddr_in sin;
	int err;

	err = kernel_getpeername(sock, (struct sockaddr *)&sin);
	if (err < 0)
		return err;
	if (sin.sin_family != AF_INET)
		return -EAFNOSUPPORT;
	return ntohs(sin.sin_port);
}

/*
 * SO_RCVTIMEO (@send false) or SO_SNDTIMEO of @sock: @ms milliseconds, 0 for
 * none.  A receive or send that times out returns what it transferred, or
 * -EAGAIN if nothing.
 */
void zcnfsd_net_set_timeout(struct socket *sock, bool send, u32 ms)
{
	long t = ms ? (long)msecs_to_jiffies(ms) : MAX_SCHEDULE_TIMEOUT;

	if (send)
		WRITE_ONCE(sock->sk->sk_sndtimeo, t);
	else
		WRITE_ONCE(sock->sk->sk_rcvtimeo, t);
}

/*
 * Wake every thread blocked on the socket: receives return 0 (end of
 * stream), sends -EPIPE, and accept on a listener -EINVAL.
 */
void zcnfsd_net_shutdown(struct socket *sock)
{
	kernel_sock_shutdown(sock, SHUT_RDWR);
}

/*
 * Send what earlier sends with MSG_MORE left queued (a zero-length send does
 * not push): setting TCP_NODELAY pushes the pending frames explicitly.
 */
void zcnfsd_net_push(struct socket *sock)
{
	tcp_sock_set_nodelay(sock->sk);
}

/*
 * Abortive close: SO_LINGER 0 makes the close reset the connection and purge
 * the send and retransmit queues at once, so the zero-copy completions of
 * unsent data run now even if the peer stopped reading.
 */
void zcnfsd_net_close(struct socket *sock)
{
	sock_no_linger(sock->sk);
	sock_release(sock);
}

/* Data ------------------------------------------------------------------- */

static int zcnfsd_recv(struct socket *sock, struct msghdr *msg)
{
	return sock_recvmsg(sock, msg, MSG_WAITALL | MSG_NOSIGNAL);
}

int zcnfsd_net_recv_kvec(struct socket *sock, void *buf, size_t len)
{
	struct kvec kv = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = {};

	iov_iter_kvec(&msg.msg_iter, ITER_DEST, &kv, 1, len);
	return zcnfsd_recv(sock, &msg);
}

/* Receive into the pages of @segs (a WRITE loan): TCP copies once. */
int zcnfsd_net_recv_bvec(struct socket *sock, const struct bio_vec *segs,
			 unsigned int nr, size_t skip, size_t len)
{
	struct msghdr msg = {};
	int err;

	err = zcvfs_bvec_iter(&msg.msg_iter, ITER_DEST, segs, nr, skip, len);
	if (err)
		return err;
	return zcnfsd_recv(sock, &msg);
}

/* Receive and drop @len bytes (an ITER_DISCARD iterator: no buffer). */
int zcnfsd_net_recv_discard(struct socket *sock, size_t len)
{
	struct msghdr msg = {};

	iov_iter_discard(&msg.msg_iter, ITER_DEST, len);
	return zcnfsd_recv(sock, &msg);
}

static unsigned int zcnfsd_send_flags(bool more)
{
	return MSG_NOSIGNAL | (more ? MSG_MORE : 0);
}

/* Copying send of @len bytes of the kvecs from byte @skip on. */
int zcnfsd_net_send_kvec(struct socket *sock, const struct kvec *vecs,
			 unsigned int nr, size_t skip, size_t len, bool more)
{
	struct msghdr msg = { .msg_flags = zcnfsd_send_flags(more) };
	size_t total = 0;
	unsigned int i;

	for (i = 0; i < nr; i++)
		total += vecs[i].iov_len;
	if (skip > total || len > total - skip)
		return -EINVAL;
	iov_iter_kvec(&msg.msg_iter, ITER_SOURCE, vecs, nr, total);
	iov_iter_advance(&msg.msg_iter, skip);
	iov_iter_truncate(&msg.msg_iter, len);
	return sock_sendmsg(sock, &msg);
}

/* Counters --------------------------------------------------------------- */

/* Bytes the stack copied from pages we gave it by reference. */
static atomic64_t zcnfsd_stack_copy_bytes = ATOMIC64_INIT(0);
/* Bytes sent by MSG_SPLICE_PAGES. */
static atomic64_t zcnfsd_splice_bytes = ATOMIC64_INIT(0);
/* Released notification sends, and those of them the stack copied. */
static atomic64_t zcnfsd_zc_completions = ATOMIC64_INIT(0);
static atomic64_t zcnfsd_zc_copied_completions = ATOMIC64_INIT(0);

u64 zcnfsd_net_stack_copy_bytes(void)
{
	return atomic64_read(&zcnfsd_stack_copy_bytes);
}

u64 zcnfsd_net_splice_bytes(void)
{
	return atomic64_read(&zcnfsd_splice_bytes);
}

u64 zcnfsd_zc_completions_total(void)
{
	return atomic64_read(&zcnfsd_zc_completions);
}

u64 zcnfsd_zc_copied_completions_total(void)
{
	return atomic64_read(&zcnfsd_zc_copied_completions);
}

/*
 * A send by reference of @sent bytes on a route without scatter-gather:
 * TCP copied the bytes into its own pages (tcp_sendmsg_locked() only takes
 * references when the route has NETIF_F_SG).
 */
static void zcnfsd_count_nosg(struct socket *sock, int sent)
{
	if (sent > 0 && !(READ_ONCE(sock->sk->sk_route_caps) & NETIF_F_SG))
		atomic64_add(sent, &zcnfsd_stack_copy_bytes);
}

/* Route ----------------------------------------------------------------- */

/*
 * Whether the peer of a connected socket is an address of this host
 * (loopback or any local address): its skbs are delivered locally, where
 * zerocopy-flagged fragments are copied (skb_orphan_frags_rx()).
 */
bool zcnfsd_net_peer_local(struct socket *sock)
{
	struct sock *sk = sock->sk;

	return inet_addr_type(sock_net(sk), sk->sk_daddr) == RTN_LOCAL;
}

/* Splice sends ---------------------------------------------------------- */

/*
 * Can TCP hold references to these pages?  Not to slab memory, nor to pages
 * without a reference count (the rule of sendpage_ok(), as for
 * MSG_SPLICE_PAGES).
 */
bool zcnfsd_net_segs_sendable(const struct bio_vec *segs, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (segs[i].bv_len &&
		    !sendpages_ok(segs[i].bv_page, segs[i].bv_len,
				  segs[i].bv_offset))
			return false;
	return true;
}

/*
 * Send @len bytes of the pages of @segs from byte @skip on.  @splice:
 * with MSG_SPLICE_PAGES, the skbs take their own page references, which
 * outlive this call (and the loan) until the data is acknowledged; else a
 * copying send (the fallback for pages TCP may not reference).
 */
int zcnfsd_net_send_bvec(struct socket *sock, const struct bio_vec *segs,
			 unsigned int nr, size_t skip, size_t len, bool more,
			 bool splice)
{
	struct msghdr msg = {
		.msg_flags = (splice ? MSG_SPLICE_PAGES : 0) |
			     zcnfsd_send_flags(more),
	};
	int ret;

	ret = zcvfs_bvec_iter(&msg.msg_iter, ITER_SOURCE, segs, nr, skip, len);
	if (ret)
		return ret;
	ret = sock_sendmsg(sock, &msg);
	if (splice) {
		if (ret > 0)
			atomic64_add(ret, &zcnfsd_splice_bytes);
		zcnfsd_count_nosg(sock, ret);
	}
	return ret;
}

/* Notification sends ---------------------------------------------------- */

/**
 * struct zcnfsd_zc - one zero-copy send and the loan it keeps alive
 * @ubuf: what TCP references from its skbs (msg_ubuf); refcount: one per
 *	skb, one per send linked to it (@head), plus the sender's while it
 *	sends
 * @work: runs @release in process context after the last reference
 * @wq: the workqueue @work goes to
 * @head: the first send of a chain of sends whose skbs were shared
 *	(.link_skb; itself if not linked); only the head queues @work
 * @next: the next send of the head's chain
 * @owner: the loan (opaque here; a Rust box)
 * @release: drops @owner
 * @hdr: the page of the reply's header and padding, if they went in the
 *	same send (zcnfsd_reply_send()); the skbs hold no reference on it
 *	(managed fragments), so this one keeps it until the release
 * @attached: an skb referenced the pages (TCP took them by reference)
 * @copied: a completion reported that the stack copied them
 */
struct zcnfsd_zc {
	struct ubuf_info ubuf;
	struct work_struct work;
	struct workqueue_struct *wq;
	struct zcnfsd_zc *head;
	struct zcnfsd_zc *next;
	void *owner;
	void (*release)(void *owner);
	struct page *hdr;
	bool attached;
	bool copied;
};

/* Sends whose release has not finished; wait_idle waits for 0. */
static atomic64_t zcnfsd_zc_count = ATOMIC64_INIT(0);
static DECLARE_WAIT_QUEUE_HEAD(zcnfsd_zc_idle);
/* Released sends whose pages were attached to skbs (tests). */
static atomic64_t zcnfsd_zc_attached_count = ATOMIC64_INIT(0);
/* Protects zcnfsd_zc_wq's creation and destruction. */
static DEFINE_MUTEX(zcnfsd_zc_lock);
static struct workqueue_struct *zcnfsd_zc_wq;
static const struct ubuf_info_ops zcnfsd_zc_ops;

static void zcnfsd_zc_release_one(struct zcnfsd_zc *zc)
{
	if (READ_ONCE(zc->attached))
		atomic64_inc(&zcnfsd_zc_attached_count);
	atomic64_inc(&zcnfsd_zc_completions);
	if (READ_ONCE(zc->copied))
		atomic64_inc(&zcnfsd_zc_copied_completions);
	zc->release(zc->owner);
	if (zc->hdr)
		put_page(zc->hdr);
	kfree(zc);
	if (atomic64_dec_and_test(&zcnfsd_zc_count))
		wake_up_all(&zcnfsd_zc_idle);
}

/* The head's work: every send of the chain has dropped its last reference. */
static void zcnfsd_zc_work(struct work_struct *work)
{
	struct zcnfsd_zc *zc = container_of(work, struct zcnfsd_zc, work);

	while (zc) {
		struct zcnfsd_zc *next = zc->next;

		zcnfsd_zc_release_one(zc);
		zc = next;
	}
}

/* Drop one reference; the last one of a linked send drops its head's. */
static void zcnfsd_zc_drop(struct zcnfsd_zc *zc)
{
	/* zcnfsd_zc_wait_idle() waits for this section to end. */
	rcu_read_lock();
	if (refcount_dec_and_test(&zc->ubuf.refcnt)) {
		if (zc->head != zc)
			zcnfsd_zc_drop(zc->head);	/* A head is its own head. */
		else
			queue_work(zc->wq, &zc->work);
	}
	rcu_read_unlock();
}

/*
 * Called for every reference dropped: by skb_zcopy_clear() when an skb
 * carrying our pages is freed or had them copied (@zerocopy_success false:
 * skb_copy_ubufs() replaced the skb's fragments by copies, of the same
 * length), and by zcnfsd_zc_put().  Any context.
 */
static void zcnfsd_zc_complete(struct sk_buff *skb, struct ubuf_info *uarg,
			       bool zerocopy_success)
{
	struct zcnfsd_zc *zc = container_of(uarg, struct zcnfsd_zc, ubuf);

	if (skb) {
		WRITE_ONCE(zc->attached, true);
		if (!zerocopy_success) {
			atomic64_add(skb->data_len, &zcnfsd_stack_copy_bytes);
			WRITE_ONCE(zc->copied, true);
		}
	}
	zcnfsd_zc_drop(zc);
}

/*
 * Called by skb_zerocopy_iter_stream() before our pages go into @skb (as
 * io_link_skb()): an skb without a ubuf_info takes a reference on ours; one
 * of another zcnfsd send gets ours linked behind it, so that the shared
 * skb's single reference covers both and the chain completes at once.
 * -EEXIST makes TCP start a fresh skb.
 */
static int zcnfsd_zc_link_skb(struct sk_buff *skb, struct ubuf_info *uarg)
{
	struct zcnfsd_zc *zc = container_of(uarg, struct zcnfsd_zc, ubuf);
	struct ubuf_info *prev_uarg = skb_zcopy(skb);
	struct zcnfsd_zc *prev;

	if (!prev_uarg) {
		/* Copied bytes already there: managed refs need a fresh skb. */
		if (skb_shinfo(skb)->nr_frags)
			return -EEXIST;
		net_zcopy_get(uarg);
		skb_zcopy_init(skb, uarg);
		return 0;
	}
	if (prev_uarg == uarg)
		return 0;
	/*
	 * Two chains are not joined; other providers are not mixed in; an skb
	 * with unmanaged fragments (copied bytes appended) would not take our
	 * pages (zcnfsd_zc_sg_from_iter()).
	 */
	if (zc->head != zc || zc->next || prev_uarg->ops != &zcnfsd_zc_ops ||
	    !skb_zcopy_managed(skb))
		return -EEXIST;
	prev = container_of(prev_uarg, struct zcnfsd_zc, ubuf);
	zc->head = prev->head;
	zc->next = prev->next;
	prev->next = zc;
	/* Ours, dropped when our own count reaches 0. */
	net_zcopy_get(&zc->head->ubuf);
	return 0;
}

/*
 * msg->sg_from_iter (as io_sg_from_iter()): the bvec pages as fragments
 * with managed references (SKBFL_MANAGED_FRAG_REFS: the skb takes no page
 * reference; the loan, alive until the completion, holds them).  An skb
 * that has unmanaged fragments is left alone (-EMSGSIZE without adding
 * anything: TCP starts a fresh skb).
 *
 * One fragment per page (bvec_iter_bvec()), not one per multi-page run of
 * a large folio as io_sg_from_iter() makes with mp_bvec_iter_bvec(): with
 * the latter, a 1 MiB READ reply from a large folio went out in skbs of a
 * few fragments of up to 64 KiB, and over the emulated e1000/e1000e the
 * server spent about twice the CPU per MiB (arm64 NFS READ over the NIC,
 * zero-copy / knfsd: 1.83 with multi-page fragments, 0.89 with one per
 * page; Documentation/benchmarks.rst).
 */
static int zcnfsd_zc_sg_from_iter(struct sk_buff *skb, struct iov_iter *from,
				  size_t length)
{
	struct skb_shared_info *shinfo = skb_shinfo(skb);
	int frag = shinfo->nr_frags;
	unsigned long truesize = 0;
	struct bvec_iter bi;
	ssize_t copied = 0;
	int ret = 0;

	if (!frag)
		shinfo->flags |= SKBFL_MANAGED_FRAG_REFS;
	else if (!skb_zcopy_managed(skb))
		return -EMSGSIZE;

	bi.bi_size = min(from->count, length);
	bi.bi_offset = from->iov_offset;
	bi.bi_idx = 0;
	while (bi.bi_size && frag < MAX_SKB_FRAGS) {
		struct bio_vec v = bvec_iter_bvec(from->bvec, bi);

		copied += v.bv_len;
		truesize += PAGE_ALIGN(v.bv_len + v.bv_offset);
		__skb_fill_page_desc_noacc(shinfo, frag++, v.bv_page,
					   v.bv_offset, v.bv_len);
		bvec_iter_advance_single(from->bvec, &bi, v.bv_len);
	}
	if (bi.bi_size)
		ret = -EMSGSIZE;

	shinfo->nr_frags = frag;
	from->bvec += bi.bi_idx;
	from->nr_segs -= bi.bi_idx;
	from->count -= copied;
	from->iov_offset = bi.bi_offset;

	skb->data_len += copied;
	skb->len += copied;
	skb->truesize += truesize;
	return ret;
}

static const struct ubuf_info_ops zcnfsd_zc_ops = {
	.complete = zcnfsd_zc_complete,
	.link_skb = zcnfsd_zc_link_skb,
};

static struct workqueue_struct *zcnfsd_zc_get_wq(void)
{
	lockdep_assert_held(&zcnfsd_zc_lock);
	if (!zcnfsd_zc_wq)
		zcnfsd_zc_wq = alloc_workqueue("zcnfsd_zc",
					       WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	return zcnfsd_zc_wq;
}

/*
 * A zero-copy send owning @owner, with the sender's reference.  NULL on
 * allocation failure (@owner is then still the caller's).
 */
struct zcnfsd_zc *zcnfsd_zc_new(void *owner, void (*release)(void *owner))
{
	struct zcnfsd_zc *zc;

	zc = kzalloc_obj(*zc, GFP_KERNEL);
	if (!zc)
		return NULL;
	mutex_lock(&zcnfsd_zc_lock);
	zc->wq = zcnfsd_zc_get_wq();
	if (!zc->wq) {
		mutex_unlock(&zcnfsd_zc_lock);
		kfree(zc);
		return NULL;
	}
	atomic64_inc(&zcnfsd_zc_count);
	mutex_unlock(&zcnfsd_zc_lock);
	/*
	 * As io_uring's notifications (IO_NOTIF_UBUF_FLAGS): DONT_ORPHAN,
	 * or every clone TCP transmits (skb_clone() -> skb_orphan_frags())
	 * copies the pages.  The pages are then held until the skbs are
	 * freed, however long a device queues them; the loan stays out that
	 * long (and stays counted).
	 */
	zc->ubuf.flags = SKBFL_ZEROCOPY_FRAG | SKBFL_DONT_ORPHAN;
	zc->ubuf.ops = &zcnfsd_zc_ops;
	refcount_set(&zc->ubuf.refcnt, 1);
	INIT_WORK(&zc->work, zcnfsd_zc_work);
	zc->head = zc;
	zc->owner = owner;
	zc->release = release;
	return zc;
}

/*
 * Send @len bytes of the pages of @segs from byte @skip on, by reference.
 * TCP falls back to copying by itself if the route cannot scatter-gather
 * (no NETIF_F_SG); counted as the stack's copy, and the completion runs
 * either way.
 */
int zcnfsd_net_send_zc(struct socket *sock, struct zcnfsd_zc *zc,
		       const struct bio_vec *segs, unsigned int nr,
		       size_t skip, size_t len, bool more)
{
	struct msghdr msg = {
		.msg_flags = MSG_ZEROCOPY | zcnfsd_send_flags(more),
		.msg_ubuf = &zc->ubuf,
		.sg_from_iter = zcnfsd_zc_sg_from_iter,
	};
	int ret;

	ret = zcvfs_bvec_iter(&msg.msg_iter, ITER_SOURCE, segs, nr, skip, len);
	if (ret)
		return ret;
	ret = sock_sendmsg(sock, &msg);
	zcnfsd_count_nosg(sock, ret);
	return ret;
}

/* Whole replies ------------------------------------------------------------ */

/**
 * struct zcnfsd_reply - one READ reply as one iterator: header, pages, padding
 * @hdr: a page holding the header (RPC record mark, reply header, READ3resok
 *	up to the data's length word) and after it the XDR padding; a page, not
 *	kmalloc memory, because both kinds of send reference what they send
 *	(MSG_SPLICE_PAGES requires sendpage_ok() pages)
 * @hlen: header bytes, at the start of the iterator
 * @dlen: payload bytes, after the header
 * @len: bytes in all (header, payload, padding)
 * @nr: entries of @bv
 * @bv: the header, the payload's segments (cut at @dlen), the padding
 */
struct zcnfsd_reply {
	struct page *hdr;
	size_t hlen;
	size_t dlen;
	size_t len;
	unsigned int nr;
	struct bio_vec bv[];
};

/*
 * A reply of the @hlen header bytes at @head, @dlen bytes of the pages of
 * @segs and @plen (at most 3) zero bytes of padding, to be sent by
 * zcnfsd_reply_send().  The pages of @segs must stay alive until the reply
 * is freed and, for a notification send, until its completion.
 */
struct zcnfsd_reply *zcnfsd_reply_new(const void *head, size_t hlen,
				      size_t plen, const struct bio_vec *segs,
				      unsigned int nr, size_t dlen)
{
	struct zcnfsd_reply *r;
	unsigned int used = 0, i = 0, j;
	size_t left = dlen;

	if (!hlen || plen > 3 || hlen + plen > PAGE_SIZE)
		return ERR_PTR(-EINVAL);
	for (j = 0; left && j < nr; j++) {
		left -= min_t(size_t, left, segs[j].bv_len);
		used++;
	}
	if (left)
		return ERR_PTR(-EINVAL);
	r = kmalloc_flex(*r, bv, used + 2, GFP_KERNEL);
	if (!r)
		return ERR_PTR(-ENOMEM);
	r->hdr = alloc_page(GFP_KERNEL);
	if (!r->hdr) {
		kfree(r);
		return ERR_PTR(-ENOMEM);
	}
	memcpy(page_address(r->hdr), head, hlen);
	memset(page_address(r->hdr) + hlen, 0, plen);
	bvec_set_page(&r->bv[i++], r->hdr, hlen, 0);
	for (left = dlen, j = 0; left; j++) {
		if (!segs[j].bv_len)
			continue;	/* Counted in @used, not needed. */
		r->bv[i] = segs[j];
		r->bv[i].bv_len = min_t(size_t, left, segs[j].bv_len);
		left -= r->bv[i++].bv_len;
	}
	if (plen)
		bvec_set_page(&r->bv[i++], r->hdr, plen, hlen);
	r->nr = i;
	r->hlen = hlen;
	r->dlen = dlen;
	r->len = hlen + dlen + plen;
	return r;
}

/* Total bytes of @r. */
size_t zcnfsd_reply_len(const struct zcnfsd_reply *r)
{
	return r->len;
}

/* Payload bytes among the @sent bytes sent from byte @skip of @r on. */
static size_t zcnfsd_reply_payload(const struct zcnfsd_reply *r, size_t skip,
				   size_t sent)
{
	size_t lo = max(skip, r->hlen);
	size_t hi = min(skip + sent, r->hlen + r->dlen);

	return hi > lo ? hi - lo : 0;
}

/*
 * One sendmsg of @r from byte @skip on, the whole rest if the socket takes
 * it: with @zc, by notification (MSG_ZEROCOPY, our ubuf_info, managed
 * fragments; @zc then keeps the header page until its release), else
 * MSG_SPLICE_PAGES (the skbs take page references).  No MSG_MORE: the
 * record ends here.  Returns the bytes sent or -errno.
 */
int zcnfsd_reply_send(struct socket *sock, struct zcnfsd_reply *r,
		      struct zcnfsd_zc *zc, size_t skip)
{
	struct msghdr msg = { .msg_flags = MSG_NOSIGNAL };
	int ret;

	if (skip >= r->len)
		return -EINVAL;
	if (zc) {
		if (!zc->hdr) {
			get_page(r->hdr);
			zc->hdr = r->hdr;
		}
		msg.msg_flags |= MSG_ZEROCOPY;
		msg.msg_ubuf = &zc->ubuf;
		msg.sg_from_iter = zcnfsd_zc_sg_from_iter;
	} else {
		msg.msg_flags |= MSG_SPLICE_PAGES;
	}
	iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, r->bv, r->nr, r->len);
	iov_iter_advance(&msg.msg_iter, skip);
	ret = sock_sendmsg(sock, &msg);
	if (ret > 0) {
		size_t payload = zcnfsd_reply_payload(r, skip, ret);

		if (!zc)
			atomic64_add(payload, &zcnfsd_splice_bytes);
		zcnfsd_count_nosg(sock, payload);
	}
	return ret;
}

/* Free @r: its header page stays alive while the network references it. */
void zcnfsd_reply_free(struct zcnfsd_reply *r)
{
	put_page(r->hdr);
	kfree(r);
}

/* Drop the sender's reference: the completion runs once TCP drops its. */
void zcnfsd_zc_put(struct zcnfsd_zc *zc)
{
	net_zcopy_put(&zc->ubuf);
}

u64 zcnfsd_zc_in_flight(void)
{
	return atomic64_read(&zcnfsd_zc_count);
}

/* How many released sends had their pages attached to skbs. */
u64 zcnfsd_zc_attached(void)
{
	return atomic64_read(&zcnfsd_zc_attached_count);
}

/*
 * Wait until every zero-copy send was completed and released, then destroy
 * the workqueue (a later send creates a new one).  Process context; the
 * sockets must be closed (or the peers must read), or this waits for them.
 */
void zcnfsd_zc_wait_idle(void)
{
	for (;;) {
		wait_event(zcnfsd_zc_idle, !atomic64_read(&zcnfsd_zc_count));
		mutex_lock(&zcnfsd_zc_lock);
		if (!atomic64_read(&zcnfsd_zc_count))
			break;
		mutex_unlock(&zcnfsd_zc_lock);
	}
	/* Every .complete that queued a work item has left its section. */
	synchronize_rcu();
	if (zcnfsd_zc_wq) {
		/* Waits for the work functions to return. */
		destroy_workqueue(zcnfsd_zc_wq);
		zcnfsd_zc_wq = NULL;
	}
	mutex_unlock(&zcnfsd_zc_lock);
}
