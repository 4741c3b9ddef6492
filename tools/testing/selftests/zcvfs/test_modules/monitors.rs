// SPDX-License-Identifier: GPL-2.0

//! The sample monitors: one counts every operation and passes it on, one
//! vetoes the operations of a mask with an errno.

#![deny(unsafe_code)]

use crate::zcvfs_api::monitor::{FemCall, FemOp, Monitor};
use kernel::prelude::*;
use kernel::sync::atomic::{Atomic, Relaxed};

/// A global sequence, to check the order in which monitors run.
static SEQ: Atomic<u64> = Atomic::new(0);

/// Per-operation counters.
pub(crate) struct Counts {
    ops: [Atomic<u64>; 5],
    vetoes: Atomic<u64>,
    last_seq: Atomic<u64>,
    last_caller: Atomic<u64>,
}

impl Counts {
    fn new() -> Self {
        Counts {
            ops: [const { Atomic::new(0) }; 5],
            vetoes: Atomic::new(0),
            last_seq: Atomic::new(0),
            last_caller: Atomic::new(0),
        }
    }

    fn saw(&self, call: &FemCall<'_>) {
        if let Some(op) = call.op() {
            self.ops[op.raw() as usize].add(1, Relaxed);
        }
        self.last_seq.store(SEQ.fetch_add(1, Relaxed) + 1, Relaxed);
        // The caller's id, or u64::MAX if it passed no context.
        let id = call.caller().map_or(u64::MAX, |(_, id)| id);
        self.last_caller.store(id, Relaxed);
    }

    /// Counts per `enum zcvfs_fem_op`, then vetoes, the last sequence
    /// number and the last caller's id.
    pub(crate) fn values(&self) -> [i64; 8] {
        let mut v = [0i64; 8];
        for (i, c) in self.ops.iter().enumerate() {
            v[i] = c.load(Relaxed) as i64;
        }
        v[5] = self.vetoes.load(Relaxed) as i64;
        v[6] = self.last_seq.load(Relaxed) as i64;
        v[7] = self.last_caller.load(Relaxed) as i64;
        v
    }
}

/// Counts and passes everything on.
pub(crate) struct CountMonitor {
    pub(crate) counts: Counts,
}

impl CountMonitor {
    /// Zero counts.
    pub(crate) fn new() -> Self {
        CountMonitor {
            counts: Counts::new(),
        }
    }

    fn pass(&self, call: &mut FemCall<'_>) -> Result<isize> {
        self.counts.saw(call);
        call.vnext()
    }
}

#[vtable]
impl Monitor for CountMonitor {
    fn read(&self, call: &mut FemCall<'_>) -> Result<isize> {
        self.pass(call)
    }
    fn write(&self, call: &mut FemCall<'_>) -> Result<isize> {
        self.pass(call)
    }
    fn reqzcbuf(&self, call: &mut FemCall<'_>) -> Result<isize> {
        self.pass(call)
    }
    fn retzcbuf(&self, call: &mut FemCall<'_>) -> Result<isize> {
        self.pass(call)
    }
    fn truncate(&self, call: &mut FemCall<'_>) -> Result<isize> {
        self.pass(call)
    }
}

/// Vetoes the operations in `mask` (bits of `enum zcvfs_fem_op`) with
/// `errno`, passes the others on.
pub(crate) struct VetoMonitor {
    pub(crate) counts: Counts,
    mask: u32,
    errno: Error,
}

impl VetoMonitor {
    /// A veto of `mask` with `errno` (a positive errno value).
    pub(crate) fn new(mask: u32, errno: i32) -> Result<Self> {
        if !(1..4096).contains(&errno) {
            return Err(EINVAL);
        }
        Ok(VetoMonitor {
            counts: Counts::new(),
            mask,
            errno: Error::from_errno(-errno),
        })
    }

    fn judge(&self, call: &mut FemCall<'_>) -> Result<isize> {
        self.counts.saw(call);
        let op: Option<FemOp> = call.op();
        if let Some(op) = op {
            if self.mask & (1 << op.raw()) != 0 {
                self.counts.vetoes.add(1, Relaxed);
                return Err(self.errno);
            }
        }
        call.vnext()
    }
}

#[vtable]
impl Monitor for VetoMonitor {
    fn read(&self, call: &mut FemCall<'_>) -> Result<isize> {
        self.judge(call)
    }
    fn write(&self, call: &mut FemCall<'_>) -> Result<isize> {
        self.judge(call)
    }
    fn reqzcbuf(&self, call: &mut FemCall<'_>) -> Result<isize> {
        self.judge(call)
    }
    fn retzcbuf(&self, call: &mut FemCall<'_>) -> Result<isize> {
        self.judge(call)
    }
    fn truncate(&self, call: &mut FemCall<'_>) -> Result<isize> {
        self.judge(call)
    }
}
