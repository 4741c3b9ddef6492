// SPDX-License-Identifier: GPL-2.0

//! The test provider: zero-copy "loans" of freshly allocated pages on one
//! chosen super_block (of any filesystem, e.g. tmpfs), so that the dispatch
//! layer can be tested before zcfs exists.
//!
//! A READ loan is filled by reading the file (its own `read_iter`) into the
//! pages; a WRITE loan is written with `write_iter`. Both copy, and say so
//! in the statistics: donating pages is zcfs's job.

use crate::ffi;
use crate::zcvfs_api::fop::VFSFT_ZEROCOPY_SUPPORTED;
use crate::zcvfs_api::fop::{self, FsType};
use crate::zcvfs_api::provider::{
    LoanBuffers, LoanRequest, Provider, Registration, SegVec, WriteOutcome,
};
use crate::zcvfs_api::xuio::{Segment, WritableSegments};
use kernel::fs::File;
use kernel::page::{Page, PAGE_SIZE};
use kernel::prelude::*;
use kernel::sync::aref::ARef;
use kernel::sync::atomic::{Atomic, Relaxed};

/// The default largest loan (bytes): beyond it the provider is "short on
/// loanable buffers" and answers `EINVAL`.
pub(crate) const DEFAULT_MAX_LOAN: u64 = 256 * 1024;

/// The current largest loan.
pub(crate) static MAX_LOAN: Atomic<u64> = Atomic::new(DEFAULT_MAX_LOAN);

/// Fault injection for the tests of a failed read: when not 0, the errno
/// every read of a loan fails with (`ZT_PROVIDER_FAIL_READS`).
pub(crate) static READ_ERROR: Atomic<i32> = Atomic::new(0);

/// A loan: pages and the segments describing the loaned bytes.
pub(crate) struct TestLoan {
    pages: KVec<Page>,
    segs: SegVec,
}

// SAFETY: the segments live in the boxed loan and change only in its
// operations (`describe`); its pages are its own, unshared.
unsafe impl LoanBuffers for TestLoan {
    fn segments(&self) -> &[Segment] {
        self.segs.as_slice()
    }
}

impl TestLoan {
    /// Describe the first `len` bytes of the pages.
    fn describe(&mut self, len: usize) -> Result {
        self.segs.clear();
        let mut left = len;
        for page in self.pages.iter() {
            if left == 0 {
                break;
            }
            let this = left.min(PAGE_SIZE);
            // SAFETY: the loan keeps `page` as long as its segments.
            let seg = unsafe { Segment::from_page(page, 0, this)? };
            self.segs.push(seg)?;
            left -= this;
        }
        Ok(())
    }
}

/// The test provider.
pub(crate) struct TestProvider;

#[vtable]
impl Provider for TestProvider {
    type Loan = TestLoan;

    fn reqzcbuf(_file: &File, req: &LoanRequest) -> Result<KBox<TestLoan>> {
        if req.len as u64 > MAX_LOAN.load(Relaxed) {
            return Err(EINVAL);
        }
        let n = req.len.div_ceil(PAGE_SIZE);
        let mut loan = KBox::new(
            TestLoan {
                pages: KVec::with_capacity(n, GFP_KERNEL)?,
                segs: SegVec::with_capacity(n)?,
            },
            GFP_KERNEL,
        )?;
        for _ in 0..n {
            loan.pages
                .push(Page::alloc_page(GFP_KERNEL | __GFP_ZERO)?, GFP_KERNEL)?;
        }
        loan.describe(req.len)?;
        Ok(loan)
    }

    fn read_xuio(file: &File, loan: &mut TestLoan, offset: u64, len: usize) -> Result<usize> {
        let injected = READ_ERROR.load(Relaxed);
        if injected != 0 {
            return Err(Error::from_errno(-injected));
        }
        // SAFETY: the loan's pages are its own, and `&mut` of the loan means
        // no consumer looks at them during the read.
        let segs = unsafe { WritableSegments::new(loan.segs.as_slice()) };
        let n = ffi::read_into(file, segs, len, offset)?;
        // Trim at end of file: the segments now cover what was read.
        loan.describe(n)?;
        Ok(n)
    }

    fn write_xuio(
        file: &File,
        loan: &mut TestLoan,
        offset: u64,
        len: usize,
    ) -> Result<WriteOutcome> {
        let n = ffi::write_from(file, loan.segs.as_slice(), len, offset)?;
        Ok(WriteOutcome {
            bytes: n,
            pages_donated: 0,
            pages_copied: n.div_ceil(PAGE_SIZE) as u64,
        })
    }
}

/// The provider's registration and the super_block it serves.
pub(crate) struct ProviderState {
    reg: Option<Registration<TestProvider>>,
    fstype: Option<FsType>,
    /// Pins the chosen super_block's mount while zero-copy is on.
    pin: Option<ARef<File>>,
}

impl ProviderState {
    /// Nothing registered.
    pub(crate) const fn new() -> Self {
        ProviderState {
            reg: None,
            fstype: None,
            pin: None,
        }
    }

    /// Register for `file`'s filesystem type and turn zero-copy on for its
    /// super_block only. `EBUSY` if on for another super_block.
    pub(crate) fn enable(
        &mut self,
        file: &File,
        module: &'static ThisModule,
        max_loan: u64,
    ) -> Result {
        if let Some(pin) = &self.pin {
            if fop::zerocopy_supported(file) && fop::fs_type_of(pin) == fop::fs_type_of(file) {
                MAX_LOAN.store(max_loan, Relaxed);
                return Ok(());
            }
            return Err(EBUSY);
        }
        let fstype = fop::fs_type_of(file);
        let reg = Registration::<TestProvider>::register(fstype, module)?;
        fop::sb_set_features(file, VFSFT_ZEROCOPY_SUPPORTED)?;
        MAX_LOAN.store(max_loan, Relaxed);
        self.reg = Some(reg);
        self.fstype = Some(fstype);
        self.pin = Some(file.into());
        Ok(())
    }

    /// Turn zero-copy off and unregister (outstanding loans keep working).
    pub(crate) fn disable(&mut self) {
        if let Some(pin) = self.pin.take() {
            let _ = fop::sb_clear_features(&pin, VFSFT_ZEROCOPY_SUPPORTED);
        }
        self.reg = None;
        self.fstype = None;
        MAX_LOAN.store(DEFAULT_MAX_LOAN, Relaxed);
    }
}
