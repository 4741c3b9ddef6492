// SPDX-License-Identifier: GPL-2.0

//! The notification of a zero-copy send (as io_uring's `SEND_ZC`,
//! `io_uring/notif.c`): [`ZcNode`] embeds the `struct ubuf_info` that TCP
//! references from its skbs, with our `ubuf_info_ops` (`.complete`,
//! `.link_skb`) and our `sg_from_iter`; [`ZcRef`] is the sender's
//! reference to it, which owns the loan until the completion.
//!
//! The life of a send: [`ZcRef::new`] takes the loan (and the reply's
//! header page) with the sender's reference; `sendmsg` with
//! `MSG_ZEROCOPY`, `msg_ubuf` and [`sg_from_iter`] puts the pages into
//! skbs with managed fragment references (no page reference per fragment:
//! the loan holds the pages); [`link_skb`] makes each skb take a
//! reference, or lets this send ride on the previous send's last skb
//! (linked behind its head, one reference for both). Dropping the
//! [`ZcRef`] drops the sender's reference (`net_zcopy_put`). The last
//! reference of a chain ends in [`complete`] on the chain's head, in any
//! context (softirq on ACK, process context on close): it only queues the
//! head's work item, which in process context returns every loan of the
//! chain (returning one may sleep) and frees the nodes.
//!
//! Module unload: [`complete`], [`link_skb`], [`sg_from_iter`] and the
//! work function are module text. [`wait_idle`] waits until every node
//! was released, waits for the RCU read-side section each [`complete`]
//! runs in (`synchronize_rcu`), and destroys the workqueue (which waits
//! for the work functions to return).

use super::counters;
use super::helpers;
use super::pages::LoanedPages;
use super::reply::HeaderPage;
use core::cell::UnsafeCell;
use core::marker::PhantomData;
use core::pin::Pin;
use core::ptr::{self, NonNull};
use kernel::bindings;
use kernel::ffi::{c_int, c_ulong, c_void};
use kernel::page::PAGE_SIZE;
use kernel::prelude::*;
use kernel::sync::atomic::{Acquire, Atomic, Full, Relaxed, Release};
use kernel::sync::{new_condvar, new_mutex, new_spinlock, rcu, CondVar, Mutex, SpinLock};
use kernel::types::Opaque;
use kernel::workqueue::{new_work, Queue, Work, WorkItem};

/// The ubuf's flags, as io_uring's notifications (`IO_NOTIF_UBUF_FLAGS`):
/// `SKBFL_ZEROCOPY_FRAG` (`SKBFL_ZEROCOPY_ENABLE | SKBFL_SHARED_FRAG`, a
/// macro) and `SKBFL_DONT_ORPHAN`, without which every clone TCP transmits
/// (`skb_clone` -> `skb_orphan_frags`) copies the pages. The pages are
/// then held until the skbs are freed, however long a device queues them;
/// the loan stays out that long (and stays counted).
const UBUF_FLAGS: u8 = (bindings::SKBFL_ZEROCOPY_ENABLE
    | bindings::SKBFL_SHARED_FRAG
    | bindings::SKBFL_DONT_ORPHAN) as u8;

/// One zero-copy send and the loan it keeps alive (`struct zcnfsd_zc` of
/// the C version).
///
/// # Invariants
///
/// - `ubuf` is the first field (the callbacks find the node from its
///   `ubuf_info`); its refcount counts one per skb, one per send linked to
///   this node (when it is a head), plus the sender's while a [`ZcRef`]
///   exists. A node lives in a `KBox` whose raw pointer the network stack
///   and the chain hold, from [`ZcRef::new`] until the work item of its
///   chain's head frees it, after its count reached 0.
/// - `head` is the first node of the chain this node was linked into
///   ([`link_skb`]; the node itself if not linked), `next` the next node
///   of the head's chain; both change only in [`link_skb`], under the
///   socket's lock, and are read by the work item once every reference
///   of the chain was dropped.
/// - `owner` is a `KBox` pointer that `release` drops, exactly once, in
///   the work item; `wq` is the workqueue the head's work goes to, alive
///   until [`wait_idle`] saw every node released.
#[repr(C)]
#[pin_data]
pub(super) struct ZcNode {
    /// What TCP references from its skbs (`msg_ubuf`).
    ubuf: Opaque<bindings::ubuf_info>,
    /// Runs the release of the chain in process context.
    #[pin]
    work: Work<ZcNode>,
    wq: *mut bindings::workqueue_struct,
    head: UnsafeCell<*mut ZcNode>,
    next: UnsafeCell<*mut ZcNode>,
    /// The loan (type-erased; a `KBox<T>` of [`ZcRef::new`]).
    owner: *mut c_void,
    release: unsafe fn(*mut c_void),
    /// The page of the reply's header and padding, if they go in the same
    /// send ([`super::reply::ReplyVec`]); the skbs hold no reference on
    /// it (managed fragments), so the node keeps it until its release.
    hdr: Option<HeaderPage>,
    /// An skb referenced the pages (TCP took them by reference).
    attached: Atomic<bool>,
    /// A completion reported that the stack copied them.
    copied: Atomic<bool>,
}

const _: () = assert!(core::mem::offset_of!(ZcNode, ubuf) == 0);

// SAFETY: the raw pointers are the node's chain, its loan and its
// workqueue, none tied to a thread; the loan is `Send` (`LoanedPages`),
// the chain fields are serialised by the socket's lock and the refcount
// (type invariants), and the node moves to the workqueue's thread only
// once nothing else uses it.
unsafe impl Send for ZcNode {}

kernel::impl_has_work! {
    impl HasWork<Self> for ZcNode { self.work }
}

impl WorkItem for ZcNode {
    type Pointer = Pin<KBox<ZcNode>>;

    /// The head's work: every node of the chain has dropped its last
    /// reference. Process context.
    fn run(this: Pin<KBox<ZcNode>>) {
        // SAFETY: every reference of the chain was dropped (invariant), so
        // nothing else reads or writes `next` any more.
        let mut next = unsafe { *this.next.get() };
        release_one(this);
        while let Some(node) = NonNull::new(next) {
            // SAFETY: a node of this chain (invariant), from
            // `KBox::into_raw` in `ZcRef::new`, whose count reached 0: the
            // chain's work owns it now, and nothing else uses it.
            let node = unsafe { Pin::new_unchecked(KBox::from_raw(node.as_ptr())) };
            // SAFETY: as above.
            next = unsafe { *node.next.get() };
            release_one(node);
        }
    }
}

/// Counts the node's release, returns its loan, frees it.
fn release_one(node: Pin<KBox<ZcNode>>) {
    counters::zc_released(node.attached.load(Relaxed), node.copied.load(Relaxed));
    // SAFETY: `owner` is the pointer `release` drops (invariant), released
    // here once: the node is freed right after.
    unsafe { (node.release)(node.owner) };
    // The header page (if any) and the node.
    drop(node);
    count_put();
}

/// `KBox<T>`'s drop, for [`ZcNode::release`].
///
/// # Safety
///
/// `owner` comes from `KBox::<T>::into_raw` and is not used by anything
/// else any more.
unsafe fn release_owner<T>(owner: *mut c_void) {
    // SAFETY: by the function's safety requirements.
    drop(unsafe { KBox::from_raw(owner.cast::<T>()) });
}

/// The node whose `ubuf` `uarg` is.
///
/// # Safety
///
/// `uarg` is the `ubuf` of a live [`ZcNode`] (one with our ops).
unsafe fn node_of(uarg: *mut bindings::ubuf_info) -> *mut ZcNode {
    // `ubuf` is the first field of the `repr(C)` node and `Opaque` is
    // transparent.
    uarg.cast()
}

/// The `ubuf_info` of `zc`.
///
/// # Safety
///
/// `zc` points to a live [`ZcNode`].
unsafe fn ubuf_of(zc: *mut ZcNode) -> *mut bindings::ubuf_info {
    // SAFETY: `zc` is live (the function's safety requirements).
    unsafe { (*zc).ubuf.get() }
}

/// Drops one reference of `zc`; the last one of a linked node drops its
/// head's, the last one of a head queues its work.
///
/// # Safety
///
/// `zc` is a live [`ZcNode`] and the caller owns one of its references.
unsafe fn drop_ref(zc: *mut ZcNode) {
    // `wait_idle` waits for this section to end.
    let _rcu = rcu::read_lock();
    // SAFETY: `zc` is live; the caller's reference is dropped here.
    if unsafe { bindings::refcount_dec_and_test(&raw mut (*ubuf_of(zc)).refcnt) } {
        // SAFETY: the count is 0: nothing links to this node any more, so
        // `head` does not change.
        let head = unsafe { *(*zc).head.get() };
        if head != zc {
            // SAFETY: a linked node holds one reference on its head
            // (`link_skb`), dropped here; the head is alive until then.
            unsafe { drop_ref(head) };
        } else {
            // SAFETY: a head whose count is 0: every node of its chain
            // dropped its references, so this is the last user of the box
            // from `ZcRef::new` (invariants); `wq` is alive until this
            // node is released (`wait_idle`).
            let (node, queue) = unsafe {
                let wq = (*zc).wq;
                (Pin::new_unchecked(KBox::from_raw(zc)), Queue::from_raw(wq))
            };
            // A boxed work item cannot be queued already.
            queue.enqueue(node);
        }
    }
}

/// `.complete`: called for every reference dropped: by `skb_zcopy_clear`
/// when an skb carrying our pages is freed or had them copied
/// (`zerocopy_success` false: `skb_copy_ubufs` replaced the skb's
/// fragments by copies, of the same length), and by [`ZcRef`]'s drop
/// (`skb` null). Any context.
///
/// # Safety
///
/// Called by the network stack with a `uarg` of ours and a reference on
/// it, `skb` null or the skb that held it.
unsafe extern "C" fn complete(
    skb: *mut bindings::sk_buff,
    uarg: *mut bindings::ubuf_info,
    zerocopy_success: bool,
) {
    // SAFETY: `uarg` is ours, alive while its reference is held.
    let zc = unsafe { node_of(uarg) };
    if !skb.is_null() {
        // SAFETY: as above.
        let node = unsafe { &*zc };
        node.attached.store(true, Relaxed);
        if !zerocopy_success {
            // SAFETY: `skb` is the live skb that held the reference.
            counters::add_stack_copy(u64::from(unsafe { (*skb).data_len }));
            node.copied.store(true, Relaxed);
        }
    }
    // SAFETY: `zc` is live and the caller hands us its reference.
    unsafe { drop_ref(zc) };
}

/// `.link_skb`: called by `skb_zerocopy_iter_stream` before our pages go
/// into `skb` (as `io_link_skb`): an skb without a `ubuf_info` takes a
/// reference on ours; one of another zcnfsd send gets ours linked behind
/// it, so that the shared skb's single reference covers both and the chain
/// completes at once. `-EEXIST` makes TCP start a fresh skb.
///
/// # Safety
///
/// Called by TCP under the socket's lock, with a live `skb` and the
/// `uarg` of the send in progress (ours, the sender holds a reference).
unsafe extern "C" fn link_skb(
    skb: *mut bindings::sk_buff,
    uarg: *mut bindings::ubuf_info,
) -> c_int {
    // SAFETY: `uarg` is ours and alive (the sender's reference).
    let zc = unsafe { node_of(uarg) };
    // SAFETY: `skb` is live.
    let prev_uarg = unsafe { helpers::zcnfsd_skb_zcopy(skb) };
    if prev_uarg.is_null() {
        // Copied bytes already there: managed refs need a fresh skb.
        // SAFETY: `skb` is live; its shared info follows its data.
        if unsafe { (*helpers::zcnfsd_skb_shinfo(skb)).nr_frags } != 0 {
            return EEXIST.to_errno();
        }
        // SAFETY: `uarg` is alive; the skb's reference (`net_zcopy_get`),
        // dropped by `complete` when the skb is freed.
        unsafe {
            bindings::refcount_inc(&raw mut (*uarg).refcnt);
            helpers::zcnfsd_skb_zcopy_init(skb, uarg);
        }
        return 0;
    }
    if prev_uarg == uarg {
        return 0;
    }
    // Two chains are not joined; other providers are not mixed in; an skb
    // with unmanaged fragments (copied bytes appended) would not take our
    // pages (`sg_from_iter`).
    // SAFETY: `zc` is alive; its chain fields change only here, under the
    // socket's lock, which TCP holds; `prev_uarg` is the live ubuf of the
    // skb (its `ops` says whose).
    let joinable = unsafe {
        *(*zc).head.get() == zc
            && (*(*zc).next.get()).is_null()
            && ptr::eq((*prev_uarg).ops, &raw const ZC_OPS)
            && helpers::zcnfsd_skb_zcopy_managed(skb)
    };
    if !joinable {
        return EEXIST.to_errno();
    }
    // SAFETY: `prev_uarg` has our ops, so it is the ubuf of a live node
    // (the skb holds a reference on it or on its head, which keeps the
    // chain alive); its chain is changed under the socket's lock, as ours.
    unsafe {
        let prev = node_of(prev_uarg);
        let head = *(*prev).head.get();
        *(*zc).head.get() = head;
        *(*zc).next.get() = *(*prev).next.get();
        *(*prev).next.get() = zc;
        // Ours, dropped when our own count reaches 0.
        bindings::refcount_inc(&raw mut (*ubuf_of(head)).refcnt);
    }
    0
}

static ZC_OPS: bindings::ubuf_info_ops = bindings::ubuf_info_ops {
    complete: Some(complete),
    link_skb: Some(link_skb),
};

/// `msg->sg_from_iter` (as `io_sg_from_iter`): the bvec pages as
/// fragments with managed references (`SKBFL_MANAGED_FRAG_REFS`: the skb
/// takes no page reference; the loan, alive until the completion, holds
/// them). An skb that has unmanaged fragments is left alone (`-EMSGSIZE`
/// without adding anything: TCP starts a fresh skb).
///
/// One fragment per page (as `bvec_iter_bvec`), not one per multi-page
/// run of a large folio as `io_sg_from_iter` makes with
/// `mp_bvec_iter_bvec`: with the latter, a 1 MiB READ reply from a large
/// folio went out in skbs of a few fragments of up to 64 KiB, and over the
/// emulated e1000/e1000e the server spent about twice the CPU per MiB
/// (arm64 NFS READ over the NIC, zero-copy / knfsd: 1.83 with multi-page
/// fragments, 0.89 with one per page; Documentation/benchmarks.rst).
///
/// # Safety
///
/// Called by TCP under the socket's lock with a live `skb` and the
/// `ITER_BVEC` iterator of a send of ours, whose pages are alive until
/// the completion.
pub(super) unsafe extern "C" fn sg_from_iter(
    skb: *mut bindings::sk_buff,
    from: *mut bindings::iov_iter,
    length: usize,
) -> c_int {
    const MAX_FRAGS: usize = bindings::MAX_SKB_FRAGS as usize;
    // SAFETY: `skb` is live; its shared info follows its data.
    let shinfo = unsafe { helpers::zcnfsd_skb_shinfo(skb) };
    // SAFETY: `shinfo` is the live skb's.
    let mut frag = usize::from(unsafe { (*shinfo).nr_frags });
    if frag == 0 {
        // SAFETY: as above.
        unsafe { (*shinfo).flags |= bindings::SKBFL_MANAGED_FRAG_REFS as u8 };
    } else {
        // SAFETY: `skb` is live.
        if !unsafe { helpers::zcnfsd_skb_zcopy_managed(skb) } {
            return EMSGSIZE.to_errno();
        }
    }

    // SAFETY: `from` is a live `ITER_BVEC` iterator (the function's
    // safety requirements): its union holds `bvec`, `count` and `nr_segs`.
    let it = unsafe { &mut *from };
    // SAFETY: as above.
    let (bvec, count) = unsafe {
        let a = it.__bindgen_anon_1.__bindgen_anon_1.as_ref();
        (a.__bindgen_anon_1.bvec, a.count)
    };
    // A `struct bvec_iter` over `from->bvec` (`bi_size`, `bi_idx`,
    // `bi_offset` are `unsigned int`, as in C).
    let mut size = count.min(length) as u32;
    let mut idx = 0usize;
    let mut off = it.iov_offset as u32;
    let mut copied = 0u32;
    let mut truesize = 0u32;
    let page_size = PAGE_SIZE as u32;
    while size != 0 && frag < MAX_FRAGS {
        // SAFETY: `size` bytes remain in the segments from `idx`, so
        // `idx` is within the iterator's array.
        let bv = unsafe { &*bvec.add(idx) };
        // `bvec_iter_bvec`: the part of the current segment in one page.
        let mp_off = bv.bv_offset + off;
        let len = (bv.bv_len - off)
            .min(size)
            .min(page_size - mp_off % page_size);
        let pg_off = mp_off % page_size;
        // SAFETY: the segment's bytes lie in its (multi-page) folio, so the
        // page `mp_off / PAGE_SIZE` after its first is one of them.
        let page = unsafe { bv.bv_page.add((mp_off / page_size) as usize) };
        copied += len;
        truesize += (len + pg_off).next_multiple_of(page_size);
        // SAFETY: `frag < MAX_SKB_FRAGS`; the skb takes no reference
        // (managed fragments, flagged above).
        unsafe {
            helpers::zcnfsd_skb_fill_page_desc_noacc(
                shinfo,
                frag as c_int,
                page,
                pg_off as c_int,
                len as c_int,
            )
        };
        frag += 1;
        // `bvec_iter_advance_single`.
        let done = off + len;
        if done == bv.bv_len {
            off = 0;
            idx += 1;
        } else {
            off = done;
        }
        size -= len;
    }
    let ret = if size != 0 { EMSGSIZE.to_errno() } else { 0 };

    // SAFETY: `shinfo`, `skb` and `from` are live; the iterator advances
    // past what went into the skb, as `io_sg_from_iter` advances it.
    unsafe {
        (*shinfo).nr_frags = frag as u8;
        let a = it.__bindgen_anon_1.__bindgen_anon_1.as_mut();
        a.__bindgen_anon_1.bvec = bvec.add(idx);
        a.count -= copied as usize;
        it.__bindgen_anon_2.nr_segs -= idx as c_ulong;
        it.iov_offset = off as usize;
        (*skb).data_len += copied;
        (*skb).len += copied;
        (*skb).truesize += truesize;
    }
    ret
}

/// The sender's reference to a zero-copy send that owns a loan `T`.
///
/// Dropping it drops the sender's reference on the `ubuf_info`
/// (`net_zcopy_put`); the loan is dropped (returned) by the completion's
/// work item once the network stack dropped its references too, in
/// process context.
///
/// # Invariants
///
/// - `zc` is a [`ZcNode`] from [`ZcRef::new`] whose sender reference this
///   value holds (so it is alive and its work has not run).
/// - `owner` is the node's loan, a `KBox<T>`; it stays valid while the
///   reference is held, and nothing mutates it.
pub(super) struct ZcRef<T: LoanedPages> {
    zc: NonNull<ZcNode>,
    owner: NonNull<T>,
    _owns: PhantomData<T>,
}

impl<T: LoanedPages> ZcRef<T> {
    /// Hands `data` (and the reply's header page `hdr`, if it goes in the
    /// same send) to a new zero-copy send. On failure `data` is dropped
    /// (the loan returned) here.
    pub(super) fn new(data: T, hdr: Option<HeaderPage>) -> Result<ZcRef<T>> {
        let owner = KBox::into_raw(KBox::new(data, GFP_KERNEL)?);
        let node = KBox::pin_init(
            pin_init!(ZcNode {
                ubuf: Opaque::new(bindings::ubuf_info {
                    ops: &raw const ZC_OPS,
                    // The sender's reference.
                    refcnt: bindings::refcount_t {
                        refs: bindings::atomic_t { counter: 1 },
                    },
                    flags: UBUF_FLAGS,
                }),
                work <- new_work!("zcnfsd_zc"),
                wq: ptr::null_mut(),
                head: UnsafeCell::new(ptr::null_mut()),
                next: UnsafeCell::new(ptr::null_mut()),
                owner: owner.cast(),
                release: release_owner::<T>,
                hdr,
                attached: Atomic::new(false),
                copied: Atomic::new(false),
            }),
            GFP_KERNEL,
        );
        let wq = node.and_then(|node| Ok((node, count_get()?)));
        let (node, wq) = match wq {
            Ok(v) => v,
            Err(e) => {
                // SAFETY: no node took `owner`: it is still ours.
                drop(unsafe { KBox::from_raw(owner) });
                return Err(e);
            }
        };
        // SAFETY: the node is not moved out of its box: the raw pointer
        // stays where the box put it until the work item takes it back.
        let zc = KBox::into_raw(unsafe { Pin::into_inner_unchecked(node) });
        // SAFETY: the new node is ours alone until the first send.
        unsafe {
            (*zc).wq = wq;
            *(*zc).head.get() = zc;
        }
        // INVARIANT: a new node, with the sender's reference; `owner`
        // belongs to it now. `KBox::into_raw` never returns null.
        Ok(ZcRef {
            zc: NonNull::new(zc).ok_or(EINVAL)?,
            owner: NonNull::new(owner).ok_or(EINVAL)?,
            _owns: PhantomData,
        })
    }

    /// The loan, alive while this reference is held.
    pub(super) fn owner(&self) -> &T {
        // SAFETY: by the type invariants `owner` is valid and not mutated
        // while `self` exists.
        unsafe { self.owner.as_ref() }
    }

    /// The header page the send keeps, if it was given one.
    pub(super) fn header(&self) -> Option<&HeaderPage> {
        // SAFETY: the node is alive while `self` holds its reference, and
        // `hdr` does not change after `new`.
        unsafe { (*self.zc.as_ptr()).hdr.as_ref() }
    }

    /// For `sock_sendmsg`'s `msg_ubuf`.
    pub(super) fn ubuf(&self) -> *mut bindings::ubuf_info {
        // SAFETY: the node is alive while `self` holds its reference.
        unsafe { ubuf_of(self.zc.as_ptr()) }
    }
}

impl<T: LoanedPages> Drop for ZcRef<T> {
    fn drop(&mut self) {
        // SAFETY: drops the sender's reference this value holds
        // (invariant), once, as `net_zcopy_put` does.
        unsafe { complete(ptr::null_mut(), self.ubuf(), true) }
    }
}

/// Nodes not released yet ([`wait_idle`] waits for 0). Incremented under
/// the domain's `wq` lock, decremented under its `idle_lock`.
static IN_FLIGHT: Atomic<u64> = Atomic::new(0);

/// The workqueue of the work items, created by the first send and
/// destroyed by [`wait_idle`].
struct WqPtr(*mut bindings::workqueue_struct);

// SAFETY: a workqueue pointer may be used from any thread.
unsafe impl Send for WqPtr {}

/// The locks of the notification sends.
#[pin_data]
struct ZcDomain {
    /// The workqueue; held by [`wait_idle`] from seeing no node in flight
    /// until the workqueue is destroyed, so that no send starts meanwhile.
    #[pin]
    wq: Mutex<WqPtr>,
    /// Orders the last release's notification with [`wait_idle`]'s check.
    /// Never held with `wq` (the work items take it, and `wq` is held
    /// while the workqueue is destroyed).
    #[pin]
    idle_lock: SpinLock<()>,
    #[pin]
    idle: CondVar,
}

/// [`ZcDomain`] in static memory, initialised by [`init`] at module load.
///
/// # Invariants
///
/// Once `ready` is true (`Acquire`), `domain` is initialised and pinned.
struct StaticDomain {
    domain: Opaque<ZcDomain>,
    ready: Atomic<bool>,
}

// SAFETY: `domain` is only used through shared references after `init`
// (invariant), and `ZcDomain` is `Sync` (locks and a condition variable).
unsafe impl Sync for StaticDomain {}

static DOMAIN: StaticDomain = StaticDomain {
    domain: Opaque::uninit(),
    ready: Atomic::new(false),
};

/// Initialises the locks of the notification sends. Module load, once,
/// before any socket is made.
pub(super) fn init() -> Result {
    if DOMAIN.ready.load(Acquire) {
        return Err(EBUSY);
    }
    // SAFETY: `DOMAIN.domain` is static memory, pinned for good, not yet
    // initialised nor used (`ready` is false, and `init` runs once, at
    // module load, before anything else of the socket layer).
    if let Err(e) = unsafe { domain_init().__init(DOMAIN.domain.get()) } {
        match e {}
    }
    // INVARIANT: initialised.
    DOMAIN.ready.store(true, Release);
    Ok(())
}

/// The initialiser of [`ZcDomain`].
fn domain_init() -> impl PinInit<ZcDomain> {
    pin_init!(ZcDomain {
        wq <- new_mutex!(WqPtr(ptr::null_mut()), "zcnfsd_zc_wq"),
        idle_lock <- new_spinlock!((), "zcnfsd_zc_idle_lock"),
        idle <- new_condvar!("zcnfsd_zc_idle"),
    })
}

/// The domain, once [`init`] ran.
fn domain() -> Option<&'static ZcDomain> {
    if !DOMAIN.ready.load(Acquire) {
        return None;
    }
    // SAFETY: initialised and pinned in static memory (invariant).
    Some(unsafe { &*DOMAIN.domain.get() })
}

/// Counts a new node; its workqueue (created on first use).
fn count_get() -> Result<*mut bindings::workqueue_struct> {
    let d = domain().ok_or(EINVAL)?;
    let mut wq = d.wq.lock();
    if wq.0.is_null() {
        // SAFETY: a format string without conversions; process context.
        wq.0 = unsafe {
            bindings::alloc_workqueue_noprof(
                c"zcnfsd_zc".as_char_ptr(),
                bindings::wq_flags_WQ_UNBOUND | bindings::wq_flags_WQ_MEM_RECLAIM,
                0,
            )
        };
        if wq.0.is_null() {
            return Err(ENOMEM);
        }
    }
    IN_FLIGHT.add(1, Relaxed);
    Ok(wq.0)
}

/// Uncounts a released node; wakes [`wait_idle`] at 0. Process context.
fn count_put() {
    let Some(d) = domain() else {
        return;
    };
    let _g = d.idle_lock.lock();
    if IN_FLIGHT.fetch_sub(1, Full) == 1 {
        d.idle.notify_all();
    }
}

/// Zero-copy sends whose completion has not finished.
pub(super) fn in_flight() -> u64 {
    IN_FLIGHT.load(Relaxed)
}

/// Waits until every zero-copy send was completed and released, then
/// destroys the workqueue (a later send creates a new one). Process
/// context; the sockets must be closed (or the peers must read), or this
/// waits for them.
pub(super) fn wait_idle() {
    let Some(d) = domain() else {
        return;
    };
    loop {
        {
            let mut g = d.idle_lock.lock();
            while IN_FLIGHT.load(Relaxed) != 0 {
                d.idle.wait(&mut g);
            }
        }
        let mut wq = d.wq.lock();
        if IN_FLIGHT.load(Relaxed) != 0 {
            continue;
        }
        // Every `complete` that queued a work item has left its section.
        // SAFETY: process context.
        unsafe { bindings::synchronize_rcu() };
        if !wq.0.is_null() {
            // SAFETY: no node is in flight, and none can start while `wq`
            // is held: nothing queues to the workqueue any more. Waits for
            // the work functions to return.
            unsafe { bindings::destroy_workqueue(wq.0) };
            wq.0 = ptr::null_mut();
        }
        return;
    }
}
