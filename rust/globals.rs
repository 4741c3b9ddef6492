// SPDX-License-Identifier: GPL-2.0

//! zcvfs.ko's global state: four independent locks, never nested, never
//! held while calling a provider or a monitor.

use crate::dispatch::{LoanPins, MonitorEntry, ProviderReg};
use crate::fem::MonitorTable;
use crate::loans::LoanTable;
use crate::registry::Registry;
use crate::stats::StatsTable;
use kernel::fs::File;
use kernel::prelude::*;
use kernel::sync::aref::ARef;

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
