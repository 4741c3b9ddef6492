// SPDX-License-Identifier: GPL-2.0

//! The socket layer's honest counters, since load: bytes the network
//! stack copied from pages given to it by reference, bytes spliced, and
//! the completions of notification sends (of which those that reported a
//! copy).

#![deny(unsafe_code)]

use kernel::sync::atomic::{Atomic, Relaxed};

/// Bytes the stack copied from pages we gave it by reference.
static STACK_COPY_BYTES: Atomic<u64> = Atomic::new(0);
/// Bytes sent by `MSG_SPLICE_PAGES`.
static SPLICE_BYTES: Atomic<u64> = Atomic::new(0);
/// Released notification sends.
static ZC_COMPLETIONS: Atomic<u64> = Atomic::new(0);
/// Released notification sends whose pages the stack copied.
static ZC_COPIED_COMPLETIONS: Atomic<u64> = Atomic::new(0);
/// Released notification sends whose pages were attached to skbs (tests).
static ZC_ATTACHED: Atomic<u64> = Atomic::new(0);

/// `n` bytes of pages sent by reference were copied by the stack (any
/// context: completions run in softirq).
pub(super) fn add_stack_copy(n: u64) {
    STACK_COPY_BYTES.add(n, Relaxed);
}

/// `n` bytes went by `MSG_SPLICE_PAGES`.
pub(super) fn add_splice(n: u64) {
    SPLICE_BYTES.add(n, Relaxed);
}

/// A notification send was released: whether skbs carried its pages, and
/// whether a completion reported that the stack copied them.
pub(super) fn zc_released(attached: bool, copied: bool) {
    if attached {
        ZC_ATTACHED.add(1, Relaxed);
    }
    ZC_COMPLETIONS.add(1, Relaxed);
    if copied {
        ZC_COPIED_COMPLETIONS.add(1, Relaxed);
    }
}

/// Completed zero-copy sends whose pages TCP had attached to skbs by
/// reference (an skb carried the `ubuf_info`), as opposed to copied.
#[cfg(CONFIG_KUNIT = "y")]
pub(super) fn attached() -> u64 {
    ZC_ATTACHED.load(Relaxed)
}

/// The socket layer's counters since load (see [`super::NetCounters`]).
pub(super) fn snapshot() -> super::NetCounters {
    super::NetCounters {
        stack_copy_bytes: STACK_COPY_BYTES.load(Relaxed),
        splice_bytes: SPLICE_BYTES.load(Relaxed),
        zc_completions: ZC_COMPLETIONS.load(Relaxed),
        zc_copied_completions: ZC_COPIED_COMPLETIONS.load(Relaxed),
    }
}
