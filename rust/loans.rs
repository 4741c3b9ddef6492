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
use kernel::prelude::*;
use kernel::sync::atomic::{Atomic, Relaxed};
use kernel::xarray::{AllocKind, XArray};

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

/// The index of a cookie's slot (its low 32 bits).
fn slot_of(cookie: u64) -> usize {
    (cookie & 0xffff_ffff) as usize
}

/// The table: the loans in the slots of an [`XArray`], found by the slot
/// index in their cookie (no search, no shifting on removal).
///
/// A cookie is the slot index (low 32 bits) and a sequence number (high 32
/// bits, never 0), so that a stale cookie for a reused slot finds nothing.
/// Returned loans leave their slot allocated, in a list of free slots that
/// the next loans reuse: after warm-up a loan allocates nothing, and the
/// array's nodes stay (the indices stay as small as the number of loans
/// outstanding at once). Each operation is one lookup under the array's
/// spinlock, which also covers the free list; nothing else is locked.
#[pin_data]
pub(crate) struct LoanTable<P: Send> {
    #[pin]
    slots: XArray<KBox<Slot<P>>>,
    /// The first free slot (`NO_SLOT`: none); changed under the array's lock.
    free_head: Atomic<usize>,
    /// The number of slots; changed under the array's lock.
    nslots: Atomic<usize>,
    next_seq: Atomic<u64>,
    count: Atomic<usize>,
}

impl<P: Send> LoanTable<P> {
    /// An empty table.
    pub(crate) fn new() -> impl PinInit<Self> {
        pin_init!(LoanTable {
            slots <- XArray::new(AllocKind::Alloc),
            free_head: Atomic::new(NO_SLOT),
            nslots: Atomic::new(0),
            next_seq: Atomic::new(1),
            count: Atomic::new(0),
        })
    }

    /// Record a loan; its `id` (cookie) is assigned here and returned. On
    /// allocation failure the record is handed back (to be dropped after
    /// the provider has its buffers back).
    pub(crate) fn insert(&self, mut rec: LoanRecord<P>) -> Result<u64, Option<LoanRecord<P>>> {
        let seq = self.next_seq.fetch_add(1, Relaxed);
        // Never 0 (no loan), whatever the sequence number.
        let high = u64::from((seq as u32) | 0x8000_0000) << 32;
        let mut spare = None;
        loop {
            // A new slot is allocated outside the lock, when none looks free.
            if spare.is_none() && self.free_head.load(Relaxed) == NO_SLOT {
                match KBox::<Slot<P>>::new_uninit(GFP_KERNEL) {
                    Ok(b) => spare = Some(b),
                    Err(_) => return Err(Some(rec)),
                }
            }
            let mut slots = self.slots.lock();
            let head = self.free_head.load(Relaxed);
            if head != NO_SLOT {
                let Some(slot) = slots.get_mut(head) else {
                    // The free list only holds present slots.
                    return Err(Some(rec));
                };
                let Slot::Free { next } = *slot else {
                    return Err(Some(rec));
                };
                self.free_head.store(next, Relaxed);
                rec.id = high | head as u64;
                let id = rec.id;
                *slot = Slot::Loan(rec);
                drop(slots);
                self.count.add(1, Relaxed);
                return Ok(id);
            }
            let Some(b) = spare.take() else {
                // The free slots went meanwhile: allocate one, try again.
                continue;
            };
            let index = self.nslots.load(Relaxed);
            if index > 0xffff_ffff {
                return Err(Some(rec));
            }
            // Taken even if the store fails (the lock may be dropped while
            // it allocates): a failure leaves an unused index, no harm.
            self.nslots.store(index + 1, Relaxed);
            rec.id = high | index as u64;
            let id = rec.id;
            let boxed = KBox::write(b, Slot::Loan(rec));
            return match slots.store(index, boxed, GFP_KERNEL) {
                Ok(old) => {
                    drop(slots);
                    // A new index: nothing was there.
                    drop(old);
                    self.count.add(1, Relaxed);
                    Ok(id)
                }
                Err(e) => match KBox::into_inner(e.value) {
                    Slot::Loan(rec) => Err(Some(rec)),
                    // Not reachable: it was made a loan above.
                    Slot::Free { .. } => Err(None),
                },
            };
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
        let mut slots = self.slots.lock();
        let slot = slots.get_mut(slot_of(id)).ok_or(LookupError::NotFound)?;
        let r = Self::check(slot, id, xuio, inode)?;
        let v = f(r)?;
        r.busy = true;
        Ok(v)
    }

    /// End a read or write on a loan, updating it with `f` (under the
    /// table's spinlock: no sleeping).
    pub(crate) fn end_io(&self, id: u64, f: impl FnOnce(&mut LoanRecord<P>)) {
        let mut slots = self.slots.lock();
        if let Some(Slot::Loan(r)) = slots.get_mut(slot_of(id)) {
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
        let index = slot_of(id);
        let mut slots = self.slots.lock();
        let slot = slots.get_mut(index).ok_or(LookupError::NotFound)?;
        Self::check(slot, id, xuio, inode)?;
        let next = self.free_head.load(Relaxed);
        let old = core::mem::replace(slot, Slot::Free { next });
        self.free_head.store(index, Relaxed);
        drop(slots);
        self.count.fetch_sub(1, Relaxed);
        match old {
            Slot::Loan(rec) => Ok(rec),
            // Not reachable: `check` saw a loan.
            Slot::Free { .. } => Err(LookupError::NotFound),
        }
    }

    /// Number of outstanding loans.
    pub(crate) fn len(&self) -> usize {
        self.count.load(Relaxed)
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
        let a = t.insert(rec(0x1000, 7)).map_err(|_| ENOMEM)?;
        let b = t.insert(rec(0x2000, 7)).map_err(|_| ENOMEM)?;
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
        let c = t.insert(rec(0x1000, 7)).map_err(|_| ENOMEM)?;
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
    fn busy_blocks_return_and_io() -> Result {
        let t = KBox::pin_init(LoanTable::new(), GFP_KERNEL)?;
        let a = t.insert(rec(0x1000, 7)).map_err(|_| ENOMEM)?;
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
