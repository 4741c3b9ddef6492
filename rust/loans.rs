// SPDX-License-Identifier: GPL-2.0

//! The table of outstanding loans.
//!
//! zcvfs never trusts what a caller left in an xuio: every loan is recorded
//! here, under its cookie, with the xuio's address, the inode, direction,
//! length, offset and the provider's handle and segments; the record is the
//! loan's one source of truth. A loan is found only by (cookie, xuio
//! address), so a second return or a copied xuio finds nothing; a loan
//! being read or written is `busy`, so concurrent misuse of one xuio gets
//! `EBUSY` instead of racing inside the provider.
#![deny(unsafe_code)]

use crate::zcvfs_api::xuio::{Published, Rw, ZcState};
use core::mem::MaybeUninit;
use kernel::alloc::kvec::PushError;
use kernel::new_spinlock;
use kernel::prelude::*;
use kernel::sync::SpinLock;

/// One loan. `P` holds what pins it (file, provider module, statistics).
pub(crate) struct LoanRecord<P> {
    /// Cookie, stored in the xuio's `xu_zc_loan`.
    pub(crate) id: u64,
    /// Address of the caller's xuio.
    pub(crate) xuio: usize,
    /// Inode key of the file.
    pub(crate) inode: usize,
    /// Direction.
    pub(crate) rw: Rw,
    /// Loaned length.
    pub(crate) len: usize,
    /// File offset (`-1`: anonymous until the write).
    pub(crate) offset: i64,
    /// What the provider published: its segments and private handle.
    pub(crate) published: Published,
    /// Protocol state.
    pub(crate) state: ZcState,
    /// A read or write is in progress.
    pub(crate) busy: bool,
    /// The pins.
    pub(crate) pins: P,
}

/// Why a loan could not be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LookupError {
    /// No such loan for this xuio: never loaned, or already returned.
    NotFound,
    /// The loan belongs to another file.
    WrongFile,
    /// A read or write on it is in progress.
    Busy,
}

impl From<LookupError> for Error {
    fn from(e: LookupError) -> Error {
        match e {
            LookupError::NotFound | LookupError::WrongFile => EINVAL,
            LookupError::Busy => EBUSY,
        }
    }
}

/// A slot of the table: a loan, or a free slot in the list of free ones.
enum Slot<P> {
    Loan(LoanRecord<P>),
    Free { next: usize },
}

/// No free slot.
const NO_SLOT: usize = usize::MAX;

/// Shards of the table, each a vector of slots under a spinlock of its own
/// (a power of two).
const SHARDS: usize = 16;

/// Bits of a cookie's low half that are its slot's index in its shard; the
/// shard is in the 4 bits above them.
const INDEX_BITS: u32 = 28;

/// The index of a cookie's slot in its shard.
fn slot_of(cookie: u64) -> usize {
    (cookie & ((1 << INDEX_BITS) - 1)) as usize
}

/// The shard of a cookie.
fn shard_of(cookie: u64) -> usize {
    (cookie >> INDEX_BITS) as usize & (SHARDS - 1)
}

/// The shard of a new loan through the xuio at `xuio`: spread by the
/// address, so that consumers with xuios of their own (a freed xuio stays
/// its CPU's spare) seldom share a shard's lock. (Bits below 256 bytes
/// tell nothing apart: an xuio is that big.)
fn shard_for(xuio: usize) -> usize {
    ((xuio >> 8) ^ (xuio >> 12) ^ (xuio >> 16)) & (SHARDS - 1)
}

/// The most slots of a shard (an index fits [`INDEX_BITS`]).
const MAX_SLOTS: usize = 1 << INDEX_BITS;

/// Room for this many slots at first.
const MIN_SLOTS: usize = 16;

/// What the table's lock protects.
struct Slots<P> {
    /// Every slot, in a box of its own (a bigger vector only moves the
    /// pointers); never shrinks.
    v: KVec<KBox<Slot<P>>>,
    /// The first free slot (`NO_SLOT`: none).
    free_head: usize,
    next_seq: u64,
    count: usize,
}

impl<P> Slots<P> {
    /// The slot of cookie `id`, if there is one.
    fn get_mut(&mut self, id: u64) -> Option<&mut Slot<P>> {
        self.v.get_mut(slot_of(id)).map(|b| &mut **b)
    }
}

/// A new cookie for slot `index` of shard `shard`, with the shard's next
/// sequence number.
fn new_cookie(next_seq: &mut u64, shard: usize, index: usize) -> u64 {
    let seq = *next_seq;
    *next_seq = seq.wrapping_add(1);
    // Never 0 (no loan), whatever the sequence number.
    (u64::from((seq as u32) | 0x8000_0000) << 32) | ((shard as u64) << INDEX_BITS) | index as u64
}

/// The table: the loans in slots found by the shard and slot index in
/// their cookie (no search, no shifting on removal), each shard under a
/// spinlock of its own: no lock is global.
///
/// A cookie is the slot index (low 28 bits), the shard (4 bits) and a
/// sequence number (high 32 bits, never 0), so that a stale cookie for a
/// reused slot finds nothing. A loan goes to the shard of its xuio's
/// address ([`shard_for`]). Returned loans leave their slot allocated, in
/// their shard's list of free slots that the next loans reuse: after
/// warm-up a loan allocates nothing (the indices stay as small as the
/// number of loans outstanding at once). Each operation is one indexed
/// access under one shard's lock, which covers the shard's free list and
/// count too; nothing is allocated under it (a new slot and a bigger
/// vector of slots are allocated before it is taken).
#[pin_data]
pub(crate) struct LoanTable<P: Send> {
    #[pin]
    shards: [SpinLock<Slots<P>>; SHARDS],
}

impl<P: Send> LoanTable<P> {
    /// An empty table.
    pub(crate) fn new() -> impl PinInit<Self> {
        pin_init!(LoanTable {
            shards <- pin_init::pin_init_array_from_fn(|_| {
                new_spinlock!(Slots {
                    v: KVec::new(),
                    free_head: NO_SLOT,
                    next_seq: 1,
                    count: 0,
                })
            }),
        })
    }

    /// The shard of cookie `id`.
    fn shard(&self, id: u64) -> &SpinLock<Slots<P>> {
        &self.shards[shard_of(id)]
    }

    /// Record a loan; its `id` (cookie) is assigned here and returned, and
    /// `f` sees it once it is in place (under the table's spinlock: no
    /// sleeping). On allocation failure the record is handed back (to be
    /// dropped after the provider has its buffers back).
    pub(crate) fn insert(
        &self,
        mut rec: LoanRecord<P>,
        f: impl FnOnce(&mut LoanRecord<P>),
    ) -> Result<u64, Option<LoanRecord<P>>> {
        // Allocated outside the lock when the last look found no free slot
        // (resp. no room for one more slot).
        let mut spare: Option<KBox<MaybeUninit<Slot<P>>>> = None;
        let mut bigger: Option<KVec<KBox<Slot<P>>>> = None;
        let shard = shard_for(rec.xuio);
        loop {
            let mut guard = self.shards[shard].lock();
            let s = &mut *guard;
            let head = s.free_head;
            if head != NO_SLOT {
                let Some(slot) = s.v.get_mut(head) else {
                    // The free list only holds present slots.
                    return Err(Some(rec));
                };
                let Slot::Free { next } = **slot else {
                    return Err(Some(rec));
                };
                s.free_head = next;
                let id = new_cookie(&mut s.next_seq, shard, head);
                rec.id = id;
                **slot = Slot::Loan(rec);
                if let Slot::Loan(r) = &mut **slot {
                    f(r);
                }
                s.count += 1;
                return Ok(id);
            }
            let index = s.v.len();
            if index >= MAX_SLOTS {
                return Err(Some(rec));
            }
            if index == s.v.capacity() {
                match bigger.take() {
                    Some(mut big) if big.capacity() > index => {
                        for b in s.v.drain_all() {
                            // Within the capacity checked above: cannot
                            // fail; if it did, the slot is leaked, not
                            // freed.
                            if let Err(PushError(b)) = big.push_within_capacity(b) {
                                core::mem::forget(b);
                            }
                        }
                        // The old vector, empty now, is freed outside the
                        // lock.
                        bigger = Some(core::mem::replace(&mut s.v, big));
                    }
                    // Too small now: freed outside the lock.
                    other => bigger = other,
                }
            }
            if index < s.v.capacity() {
                if let Some(b) = spare.take() {
                    let id = new_cookie(&mut s.next_seq, shard, index);
                    rec.id = id;
                    if let Err(PushError(b)) =
                        s.v.push_within_capacity(KBox::write(b, Slot::Loan(rec)))
                    {
                        // Not reachable: there is room.
                        return match KBox::into_inner(b) {
                            Slot::Loan(rec) => Err(Some(rec)),
                            Slot::Free { .. } => Err(None),
                        };
                    }
                    if let Some(Slot::Loan(r)) = s.get_mut(id) {
                        f(r);
                    }
                    s.count += 1;
                    drop(guard);
                    drop(bigger);
                    return Ok(id);
                }
            }
            let want = (s.v.capacity() * 2).max(MIN_SLOTS);
            let need_vec = index == s.v.capacity();
            drop(guard);
            // The free slots went, or none was free: allocate, try again.
            if spare.is_none() {
                match KBox::<Slot<P>>::new_uninit(GFP_KERNEL) {
                    Ok(b) => spare = Some(b),
                    Err(_) => return Err(Some(rec)),
                }
            }
            if need_vec {
                match KVec::with_capacity(want, GFP_KERNEL) {
                    Ok(v) => bigger = Some(v),
                    Err(_) => return Err(Some(rec)),
                }
            }
        }
    }

    /// The loan of cookie `id` in `slot`, if it is the one of `xuio` on
    /// `inode` and not busy.
    fn check(
        slot: &mut Slot<P>,
        id: u64,
        xuio: usize,
        inode: usize,
    ) -> Result<&mut LoanRecord<P>, LookupError> {
        let r = match slot {
            Slot::Loan(r) if r.id == id && r.xuio == xuio => r,
            _ => return Err(LookupError::NotFound),
        };
        if r.inode != inode {
            return Err(LookupError::WrongFile);
        }
        if r.busy {
            return Err(LookupError::Busy);
        }
        Ok(r)
    }

    /// Start a read or write on a loan: `f` checks it and takes what the
    /// I/O needs (it runs under the table's spinlock: no sleeping); if it
    /// succeeds the loan is marked busy until [`LoanTable::end_io`].
    pub(crate) fn begin_io<R>(
        &self,
        id: u64,
        xuio: usize,
        inode: usize,
        f: impl FnOnce(&mut LoanRecord<P>) -> Result<R>,
    ) -> Result<R> {
        let mut slots = self.shard(id).lock();
        let slot = slots.get_mut(id).ok_or(LookupError::NotFound)?;
        let r = Self::check(slot, id, xuio, inode)?;
        let v = f(r)?;
        r.busy = true;
        Ok(v)
    }

    /// End a read or write on a loan, updating it with `f` (under the
    /// table's spinlock: no sleeping).
    pub(crate) fn end_io(&self, id: u64, f: impl FnOnce(&mut LoanRecord<P>)) {
        let mut slots = self.shard(id).lock();
        if let Some(Slot::Loan(r)) = slots.get_mut(id) {
            if r.id == id {
                r.busy = false;
                f(r);
            }
        }
    }

    /// Remove a loan for its return; its slot becomes free. The caller
    /// drops the record (outside the table's lock).
    pub(crate) fn take(
        &self,
        id: u64,
        xuio: usize,
        inode: usize,
    ) -> Result<LoanRecord<P>, LookupError> {
        let mut guard = self.shard(id).lock();
        let s = &mut *guard;
        let next = s.free_head;
        let slot = s.get_mut(id).ok_or(LookupError::NotFound)?;
        Self::check(slot, id, xuio, inode)?;
        let old = core::mem::replace(slot, Slot::Free { next });
        s.free_head = slot_of(id);
        s.count -= 1;
        drop(guard);
        match old {
            Slot::Loan(rec) => Ok(rec),
            // Not reachable: `check` saw a loan.
            Slot::Free { .. } => Err(LookupError::NotFound),
        }
    }

    /// Number of outstanding loans.
    pub(crate) fn len(&self) -> usize {
        self.shards.iter().map(|s| s.lock().count).sum()
    }
}

#[kunit_tests(zcvfs_loans)]
mod tests {
    use super::*;

    fn rec(xuio: usize, inode: usize) -> LoanRecord<()> {
        LoanRecord {
            id: 0,
            xuio,
            inode,
            rw: Rw::Read,
            len: 4096,
            offset: 0,
            published: Published::default(),
            state: ZcState::Loaned,
            busy: false,
            pins: (),
        }
    }

    #[test]
    fn insert_take_once() -> Result {
        let t = KBox::pin_init(LoanTable::new(), GFP_KERNEL)?;
        let a = t.insert(rec(0x1000, 7), |_| {}).map_err(|_| ENOMEM)?;
        let b = t.insert(rec(0x2000, 7), |_| {}).map_err(|_| ENOMEM)?;
        assert_ne!(a, b);
        assert_eq!(t.len(), 2);
        // Wrong xuio address: a copied xuio finds nothing.
        assert_eq!(t.take(a, 0x2000, 7).err(), Some(LookupError::NotFound));
        // Wrong file.
        assert_eq!(t.take(a, 0x1000, 8).err(), Some(LookupError::WrongFile));
        assert!(t.take(a, 0x1000, 7).is_ok());
        // The second return finds nothing.
        assert_eq!(t.take(a, 0x1000, 7).err(), Some(LookupError::NotFound));
        assert_eq!(t.len(), 1);
        // The freed slot is reused, under a new cookie: the old one finds
        // nothing.
        let c = t.insert(rec(0x1000, 7), |_| {}).map_err(|_| ENOMEM)?;
        assert_ne!(c, a);
        assert_eq!(slot_of(c), slot_of(a));
        assert_eq!(t.take(a, 0x1000, 7).err(), Some(LookupError::NotFound));
        assert!(t.take(c, 0x1000, 7).is_ok());
        assert!(t.take(b, 0x2000, 7).is_ok());
        assert_eq!(t.len(), 0);
        // A cookie beyond the slots.
        assert_eq!(
            t.take(a + 100, 0x1000, 7).err(),
            Some(LookupError::NotFound)
        );
        Ok(())
    }

    #[test]
    fn many_slots() -> Result {
        let t = KBox::pin_init(LoanTable::new(), GFP_KERNEL)?;
        let mut ids = KVec::new();
        // More than the first vector of slots holds: it grows.
        for i in 0..(3 * MIN_SLOTS + 1) {
            ids.push(
                t.insert(rec(0x1000 + i, 7), |_| {}).map_err(|_| ENOMEM)?,
                GFP_KERNEL,
            )?;
        }
        assert_eq!(t.len(), 3 * MIN_SLOTS + 1);
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(slot_of(*id), i);
        }
        // Every loan is still found after the moves, and only by its xuio.
        for (i, id) in ids.iter().enumerate().rev() {
            assert_eq!(
                t.take(*id, 0x2000 + i, 7).err(),
                Some(LookupError::NotFound)
            );
            assert!(t.take(*id, 0x1000 + i, 7).is_ok());
        }
        assert_eq!(t.len(), 0);
        // The free slots are reused, the last freed first.
        let a = t.insert(rec(0x1000, 7), |_| {}).map_err(|_| ENOMEM)?;
        assert_eq!(slot_of(a), 0);
        assert!(t.take(a, 0x1000, 7).is_ok());
        Ok(())
    }

    #[test]
    fn busy_blocks_return_and_io() -> Result {
        let t = KBox::pin_init(LoanTable::new(), GFP_KERNEL)?;
        let a = t.insert(rec(0x1000, 7), |_| {}).map_err(|_| ENOMEM)?;
        // A failed check leaves the loan free.
        assert_eq!(t.begin_io(a, 0x1000, 7, |_| Err::<(), _>(EIO)), Err(EIO));
        assert!(t.begin_io(a, 0x1000, 7, |_| Ok(())).is_ok());
        assert_eq!(t.begin_io(a, 0x1000, 7, |_| Ok(())), Err(EBUSY));
        // Unknown cookie.
        assert_eq!(t.begin_io(a + 100, 0x1000, 7, |_| Ok(())), Err(EINVAL));
        assert_eq!(t.take(a, 0x1000, 7).err(), Some(LookupError::Busy));
        t.end_io(a, |r| r.state = ZcState::Filled);
        let r = t.take(a, 0x1000, 7).map_err(|_| EINVAL)?;
        assert_eq!(r.state, ZcState::Filled);
        assert_eq!(Error::from(LookupError::Busy), EBUSY);
        assert_eq!(Error::from(LookupError::NotFound), EINVAL);
        Ok(())
    }
}
