// SPDX-License-Identifier: GPL-2.0

//! The table of outstanding loans.
//!
//! zcvfs never trusts what a caller left in an xuio: every loan is recorded
//! here with its cookie, the xuio's address, the inode, direction, length,
//! offset and the provider's handle and segments. A loan is found only by
//! (cookie, xuio address), so a second return or a copied xuio finds
//! nothing; a loan being read or written is `busy`, so concurrent misuse of
//! one xuio gets `EBUSY` instead of racing inside the provider.
#![deny(unsafe_code)]

use crate::zcvfs_api::xuio::{Published, Rw, ZcState};
use kernel::prelude::*;

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

/// The table.
pub(crate) struct LoanTable<P> {
    loans: KVec<LoanRecord<P>>,
    next_id: u64,
}

impl<P> LoanTable<P> {
    /// An empty table.
    pub(crate) const fn new() -> Self {
        LoanTable {
            loans: KVec::new(),
            next_id: 1,
        }
    }

    /// Record a loan; its `id` is assigned here and returned. On allocation
    /// failure the record is handed back.
    pub(crate) fn insert(&mut self, mut rec: LoanRecord<P>) -> Result<u64, LoanRecord<P>> {
        let id = self.next_id;
        rec.id = id;
        if self.loans.reserve(1, GFP_KERNEL).is_err() {
            return Err(rec);
        }
        if let Err(e) = self.loans.push_within_capacity(rec) {
            return Err(e.0);
        }
        // 2^64 loans are not reachable.
        self.next_id += 1;
        Ok(id)
    }

    fn find(&self, id: u64, xuio: usize, inode: usize) -> Result<usize, LookupError> {
        let i = self
            .loans
            .iter()
            .position(|r| r.id == id && r.xuio == xuio)
            .ok_or(LookupError::NotFound)?;
        if self.loans[i].inode != inode {
            return Err(LookupError::WrongFile);
        }
        if self.loans[i].busy {
            return Err(LookupError::Busy);
        }
        Ok(i)
    }

    /// Mark a loan busy for a read or write and give access to it.
    pub(crate) fn begin_io(
        &mut self,
        id: u64,
        xuio: usize,
        inode: usize,
    ) -> Result<&mut LoanRecord<P>, LookupError> {
        let i = self.find(id, xuio, inode)?;
        let r = &mut self.loans[i];
        r.busy = true;
        Ok(r)
    }

    /// End a read or write on a loan, updating it with `f`.
    pub(crate) fn end_io(&mut self, id: u64, f: impl FnOnce(&mut LoanRecord<P>)) {
        if let Some(r) = self.loans.iter_mut().find(|r| r.id == id) {
            r.busy = false;
            f(r);
        }
    }

    /// Remove a loan for its return.
    pub(crate) fn take(
        &mut self,
        id: u64,
        xuio: usize,
        inode: usize,
    ) -> Result<LoanRecord<P>, LookupError> {
        let i = self.find(id, xuio, inode)?;
        self.loans.remove(i).map_err(|_| LookupError::NotFound)
    }

    /// Number of outstanding loans.
    pub(crate) fn len(&self) -> usize {
        self.loans.len()
    }

    /// Remove every loan (module exit with loans outstanding: a bug of a
    /// consumer; the caller reports and releases them).
    pub(crate) fn drain(&mut self) -> KVec<LoanRecord<P>> {
        core::mem::take(&mut self.loans)
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
        let mut t = LoanTable::new();
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
        let mut t = LoanTable::new();
        let a = t.insert(rec(0x1000, 7)).map_err(|_| ENOMEM)?;
        assert!(t.begin_io(a, 0x1000, 7).is_ok());
        assert_eq!(t.begin_io(a, 0x1000, 7).err(), Some(LookupError::Busy));
        assert_eq!(t.take(a, 0x1000, 7).err(), Some(LookupError::Busy));
        t.end_io(a, |r| r.state = ZcState::Filled);
        let r = t.take(a, 0x1000, 7).map_err(|_| EINVAL)?;
        assert_eq!(r.state, ZcState::Filled);
        assert_eq!(Error::from(LookupError::Busy), EBUSY);
        assert_eq!(Error::from(LookupError::NotFound), EINVAL);
        Ok(())
    }
}
