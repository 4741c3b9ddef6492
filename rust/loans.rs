// SPDX-License-Identifier: GPL-2.0

//! The table of outstanding loans.
//!
//! zcvfs never trusts what a caller left in an xuio: every loan is recorded
//! here, under its cookie, with the xuio's address, the inode, direction, length,
//! offset and the provider's handle and segments. A loan is found only by
//! (cookie, xuio address), so a second return or a copied xuio finds
//! nothing; a loan being read or written is `busy`, so concurrent misuse of
//! one xuio gets `EBUSY` instead of racing inside the provider.
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

/// The table: the loans in an [`XArray`] indexed by their cookie, so that
/// finding one is a radix-tree walk (no search, no shifting on removal).
/// The array's own spinlock covers each operation; nothing else is locked.
#[pin_data]
pub(crate) struct LoanTable<P: Send> {
    #[pin]
    loans: XArray<KBox<LoanRecord<P>>>,
    next_id: Atomic<u64>,
    count: Atomic<usize>,
}

impl<P: Send> LoanTable<P> {
    /// An empty table.
    pub(crate) fn new() -> impl PinInit<Self> {
        pin_init!(LoanTable {
            loans <- XArray::new(AllocKind::Alloc1),
            next_id: Atomic::new(1),
            count: Atomic::new(0),
        })
    }

    /// Record a loan; its `id` is assigned here and returned. On allocation
    /// failure the record is handed back.
    pub(crate) fn insert(&self, mut rec: LoanRecord<P>) -> Result<u64, LoanRecord<P>> {
        // Cookies are never reused: 2^64 loans are not reachable.
        let id = self.next_id.fetch_add(1, Relaxed);
        let Ok(index) = usize::try_from(id) else {
            return Err(rec);
        };
        rec.id = id;
        let slot = match KBox::<LoanRecord<P>>::new_uninit(GFP_KERNEL) {
            Ok(slot) => slot,
            Err(_) => return Err(rec),
        };
        let boxed = KBox::write(slot, rec);
        let old = match self.loans.lock().store(index, boxed, GFP_KERNEL) {
            Ok(old) => old,
            Err(e) => return Err(KBox::into_inner(e.value)),
        };
        // A fresh cookie: nothing was there.
        drop(old);
        self.count.add(1, Relaxed);
        Ok(id)
    }

    fn check(r: &LoanRecord<P>, xuio: usize, inode: usize) -> Result<(), LookupError> {
        if r.xuio != xuio {
            return Err(LookupError::NotFound);
        }
        if r.inode != inode {
            return Err(LookupError::WrongFile);
        }
        if r.busy {
            return Err(LookupError::Busy);
        }
        Ok(())
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
        let index = usize::try_from(id).map_err(|_| LookupError::NotFound)?;
        let mut loans = self.loans.lock();
        let r = loans.get_mut(index).ok_or(LookupError::NotFound)?;
        Self::check(r, xuio, inode)?;
        let v = f(r)?;
        r.busy = true;
        Ok(v)
    }

    /// End a read or write on a loan, updating it with `f` (under the
    /// table's spinlock: no sleeping).
    pub(crate) fn end_io(&self, id: u64, f: impl FnOnce(&mut LoanRecord<P>)) {
        let Ok(index) = usize::try_from(id) else {
            return;
        };
        if let Some(r) = self.loans.lock().get_mut(index) {
            r.busy = false;
            f(r);
        }
    }

    /// Remove a loan for its return. The caller drops it (outside the
    /// table's lock).
    pub(crate) fn take(
        &self,
        id: u64,
        xuio: usize,
        inode: usize,
    ) -> Result<KBox<LoanRecord<P>>, LookupError> {
        let index = usize::try_from(id).map_err(|_| LookupError::NotFound)?;
        let mut loans = self.loans.lock();
        Self::check(loans.get(index).ok_or(LookupError::NotFound)?, xuio, inode)?;
        let rec = loans.remove(index).ok_or(LookupError::NotFound)?;
        drop(loans);
        self.count.fetch_sub(1, Relaxed);
        Ok(rec)
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
        assert!(t.take(b, 0x2000, 7).is_ok());
        assert_eq!(t.len(), 0);
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
