// SPDX-License-Identifier: GPL-2.0

//! zcvfs.ko's global state, each table next to the type of what it holds.
//!
//! The hot path (request, read/write, return of a loan) takes no mutex:
//! - the loans are in the slots of 16 vectors ([`LOANS`]), found by the
//!   shard and slot index in their cookie: one indexed access under the
//!   shard's spinlock per step of a loan, no global lock;
//! - the registry and the monitor stacks are read under RCU, from copies
//!   ([`REGISTRY_VIEW`], [`MONITOR_VIEW`]) that the writers (under the
//!   mutexes [`REGISTRY`] and [`MONITORS`], which hold their own copies)
//!   replace as a whole; with no monitor installed ([`MONITORED_INODES`]
//!   is 0) the monitor lookup is skipped altogether;
//! - a loan's statistics are reached from the loan, a provider's from its
//!   registration; [`STATS`] is locked only for filesystem types without a
//!   provider and when a provider registers.
//!
//! The mutexes are never nested and never held while calling a provider
//! or a monitor.

use crate::fem::{Chain, Link, MonitorTable, MonitorView};
use crate::loans::LoanTable;
use crate::module_ref::{ModulePin, ModulePtr, ModuleRef};
use crate::module_static::ModuleStatic;
use crate::monitor_ops::{FemArgPtr, MonitorOpsRef};
use crate::provider_ops::ProviderOpsRef;
use crate::rcu_box::RcuBox;
use crate::registry::Registry;
use crate::stats::{FsStats, StatsTable};
use kernel::fs::File;
use kernel::prelude::*;
use kernel::sync::atomic::Atomic;
use kernel::sync::{aref::ARef, Arc};

/// A provider registration, with the statistics of its filesystem type.
#[derive(Clone)]
pub(crate) struct ProviderReg {
    pub(crate) ops: ProviderOpsRef,
    pub(crate) owner: ModulePtr,
    pub(crate) stats: Option<Arc<FsStats>>,
}

/// What pins a loan: the file (so inode, super_block and mount), the
/// provider's module, and where it is counted.
pub(crate) struct LoanPins {
    pub(crate) file: ARef<File>,
    pub(crate) ops: ProviderOpsRef,
    pub(crate) _module: ModulePin,
    pub(crate) stats: Option<Arc<FsStats>>,
}

/// An installed monitor: its ops, data and a reference on its module.
pub(crate) struct MonitorEntry {
    pub(crate) ops: Option<MonitorOpsRef>,
    pub(crate) _module: ModuleRef,
}

impl Drop for MonitorEntry {
    fn drop(&mut self) {
        // The last reference: no call is in flight any more.
        if let Some(ops) = self.ops.take() {
            ops.release();
        }
    }
}

impl<'x> Link<FemArgPtr<'x>> for MonitorEntry {
    fn call(&self, _chain: &Chain<'_, Self, FemArgPtr<'x>>, arg: FemArgPtr<'x>) -> Option<isize> {
        let ops = self.ops.as_ref()?;
        let f = ops.op(arg.op())?;
        Some(arg.call(f, ops.data()))
    }
}

/// The chain type of zcvfs.ko.
pub(crate) type FemChain<'a, 'x> = Chain<'a, MonitorEntry, FemArgPtr<'x>>;

kernel::sync::global_lock! {
    // SAFETY: `init` runs at module load, before any exported function or
    // test can be called.
    pub(crate) unsafe(uninit) static REGISTRY: Mutex<Registry<ProviderReg>> = Registry::new();
}

/// What readers of the registry see: a copy of [`REGISTRY`], replaced by
/// every change.
pub(crate) static REGISTRY_VIEW: RcuBox<Registry<ProviderReg>> = RcuBox::new();

/// The outstanding loans (set at module load).
pub(crate) static LOANS: ModuleStatic<LoanTable<LoanPins>> = ModuleStatic::new();

kernel::sync::global_lock! {
    // SAFETY: as for `REGISTRY`.
    pub(crate) unsafe(uninit) static MONITORS: Mutex<MonitorTable<MonitorEntry, ARef<File>>> =
        MonitorTable::new();
}

/// What readers of the monitor stacks see: a copy of [`MONITORS`],
/// replaced by every install and uninstall.
pub(crate) static MONITOR_VIEW: RcuBox<MonitorView<MonitorEntry>> = RcuBox::new();

/// Number of inodes with monitors (0: no lookup at all).
pub(crate) static MONITORED_INODES: Atomic<usize> = Atomic::new(0);

kernel::sync::global_lock! {
    // SAFETY: as for `REGISTRY`.
    pub(crate) unsafe(uninit) static STATS: Mutex<StatsTable> = StatsTable::new();
}

/// Initialise the locks and the loan table; called once, first thing at
/// module load.
pub(crate) fn init() -> Result {
    // SAFETY: called once, from `Module::init`, before anything else uses
    // the locks.
    unsafe {
        REGISTRY.init();
        MONITORS.init();
        STATS.init();
    }
    LOANS.set(KBox::pin_init(LoanTable::new(), GFP_KERNEL)?)
}

/// Take the loan table back (module unload).
pub(crate) fn take_loans() -> Option<Pin<KBox<LoanTable<LoanPins>>>> {
    // SAFETY: called at module unload: no module uses zcvfs's exports any
    // more (they would hold a reference on it) and its own tests are done,
    // so no reference to the table is left.
    unsafe { LOANS.take() }
}
