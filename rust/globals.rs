// SPDX-License-Identifier: GPL-2.0

//! zcvfs.ko's global state: four independent locks, never nested, never
//! held while calling a provider or a monitor, each next to the type of
//! what its table holds.

use crate::fem::{Chain, Link, MonitorTable};
use crate::loans::LoanTable;
use crate::module_ref::{ModulePtr, ModuleRef};
use crate::monitor_ops::{FemArgPtr, MonitorOpsRef};
use crate::provider_ops::ProviderOpsRef;
use crate::registry::Registry;
use crate::stats::{FsStats, StatsTable};
use kernel::fs::File;
use kernel::prelude::*;
use kernel::sync::{aref::ARef, Arc};

/// A provider registration.
#[derive(Clone, Copy)]
pub(crate) struct ProviderReg {
    pub(crate) ops: ProviderOpsRef,
    pub(crate) owner: ModulePtr,
}

/// What pins a loan: the file (so inode, super_block and mount), the
/// provider's module, and where it is counted.
pub(crate) struct LoanPins {
    pub(crate) file: ARef<File>,
    pub(crate) ops: ProviderOpsRef,
    pub(crate) _module: ModuleRef,
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

kernel::sync::global_lock! {
    // SAFETY: as for `REGISTRY`.
    pub(crate) unsafe(uninit) static LOANS: Mutex<LoanTable<LoanPins>> = LoanTable::new();
}

kernel::sync::global_lock! {
    // SAFETY: as for `REGISTRY`.
    pub(crate) unsafe(uninit) static MONITORS: Mutex<MonitorTable<MonitorEntry, ARef<File>>> =
        MonitorTable::new();
}

kernel::sync::global_lock! {
    // SAFETY: as for `REGISTRY`.
    pub(crate) unsafe(uninit) static STATS: Mutex<StatsTable> = StatsTable::new();
}

/// Initialise the locks; called once, first thing at module load.
pub(crate) fn init() {
    // SAFETY: called once, from `Module::init`, before anything else uses
    // the locks.
    unsafe {
        REGISTRY.init();
        LOANS.init();
        MONITORS.init();
        STATS.init();
    }
}
