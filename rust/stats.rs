// SPDX-License-Identifier: GPL-2.0

//! Per-filesystem statistics (the proposal's vop statistics `nreqzcbuf` /
//! `nretzcbuf`, plus what the project measures), shown in debugfs as
//! `/sys/kernel/debug/zcvfs/<fstype>/stats`, one `name value` per line.
#![deny(unsafe_code)]

use core::fmt;
use kernel::debugfs::{self, Dir};
use kernel::prelude::*;
use kernel::sync::atomic::{Atomic, Relaxed};
use kernel::sync::Arc;

/// The counters of one filesystem type.
pub(crate) struct FsStats {
    /// Successful `fop_reqzcbuf` calls.
    pub(crate) nreqzcbuf: Atomic<u64>,
    /// Successful `fop_retzcbuf` calls.
    pub(crate) nretzcbuf: Atomic<u64>,
    /// Bytes of the loans made. (The loans and bytes outstanding are the
    /// differences, made when they are read: two counters fewer to update
    /// per loan.)
    bytes_loaned: Atomic<u64>,
    /// Bytes of the loans returned.
    bytes_returned: Atomic<u64>,
    /// Requests refused because the filesystem lacks zero-copy.
    pub(crate) enotsup: Atomic<u64>,
    /// Requests and I/O refused with `EINVAL`.
    pub(crate) einval: Atomic<u64>,
    /// Other refusals (`EBUSY`, `EOVERFLOW`, `EFBIG`, `EBADF`, ...).
    pub(crate) other_errors: Atomic<u64>,
    /// Requests vetoed by a monitor.
    pub(crate) vetoed: Atomic<u64>,
    /// Zero-copy reads and bytes.
    pub(crate) zc_reads: Atomic<u64>,
    /// Bytes read through loans.
    pub(crate) zc_read_bytes: Atomic<u64>,
    /// Zero-copy writes.
    pub(crate) zc_writes: Atomic<u64>,
    /// Bytes written through loans.
    pub(crate) zc_write_bytes: Atomic<u64>,
    /// Plain xuio reads (normal VFS path).
    pub(crate) plain_reads: Atomic<u64>,
    /// Plain xuio writes (normal VFS path).
    pub(crate) plain_writes: Atomic<u64>,
    /// Write pages donated to the page cache.
    pub(crate) write_pages_donated: Atomic<u64>,
    /// Write pages copied.
    pub(crate) write_pages_copied: Atomic<u64>,
}

impl FsStats {
    /// All zero.
    pub(crate) const fn new() -> Self {
        FsStats {
            nreqzcbuf: Atomic::new(0),
            nretzcbuf: Atomic::new(0),
            bytes_loaned: Atomic::new(0),
            bytes_returned: Atomic::new(0),
            enotsup: Atomic::new(0),
            einval: Atomic::new(0),
            other_errors: Atomic::new(0),
            vetoed: Atomic::new(0),
            zc_reads: Atomic::new(0),
            zc_read_bytes: Atomic::new(0),
            zc_writes: Atomic::new(0),
            zc_write_bytes: Atomic::new(0),
            plain_reads: Atomic::new(0),
            plain_writes: Atomic::new(0),
            write_pages_donated: Atomic::new(0),
            write_pages_copied: Atomic::new(0),
        }
    }

    /// Count a refusal by its errno.
    pub(crate) fn refused(&self, e: Error) {
        if e == EOPNOTSUPP {
            self.enotsup.add(1, Relaxed);
        } else if e == EINVAL {
            self.einval.add(1, Relaxed);
        } else {
            self.other_errors.add(1, Relaxed);
        }
    }

    /// A loan of `len` bytes was made.
    pub(crate) fn loaned(&self, len: usize) {
        self.nreqzcbuf.add(1, Relaxed);
        self.bytes_loaned.add(len as u64, Relaxed);
    }

    /// A loan of `len` bytes was returned.
    pub(crate) fn returned(&self, len: usize) {
        self.nretzcbuf.add(1, Relaxed);
        self.bytes_returned.add(len as u64, Relaxed);
    }

    /// The counters, in display order.
    pub(crate) fn values(&self) -> [(&'static str, u64); 16] {
        // The returns first: each follows its loan, so the differences are
        // not negative when nothing runs meanwhile, and are clamped at 0
        // when something does.
        let (ret, ret_bytes) = (
            self.nretzcbuf.load(Relaxed),
            self.bytes_returned.load(Relaxed),
        );
        let (req, req_bytes) = (
            self.nreqzcbuf.load(Relaxed),
            self.bytes_loaned.load(Relaxed),
        );
        [
            ("nreqzcbuf", req),
            ("nretzcbuf", ret),
            ("loans_outstanding", req.saturating_sub(ret)),
            ("bytes_on_loan", req_bytes.saturating_sub(ret_bytes)),
            ("enotsup", self.enotsup.load(Relaxed)),
            ("einval", self.einval.load(Relaxed)),
            ("other_errors", self.other_errors.load(Relaxed)),
            ("vetoed", self.vetoed.load(Relaxed)),
            ("zc_reads", self.zc_reads.load(Relaxed)),
            ("zc_read_bytes", self.zc_read_bytes.load(Relaxed)),
            ("zc_writes", self.zc_writes.load(Relaxed)),
            ("zc_write_bytes", self.zc_write_bytes.load(Relaxed)),
            ("plain_reads", self.plain_reads.load(Relaxed)),
            ("plain_writes", self.plain_writes.load(Relaxed)),
            (
                "write_pages_donated",
                self.write_pages_donated.load(Relaxed),
            ),
            ("write_pages_copied", self.write_pages_copied.load(Relaxed)),
        ]
    }
}

/// The debugfs text: `name value` lines.
impl fmt::Debug for FsStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (name, v) in self.values() {
            writeln!(f, "{name} {v}")?;
        }
        Ok(())
    }
}

#[kunit_tests(zcvfs_stats)]
mod tests {
    use super::*;

    #[test]
    fn counters() {
        let s = FsStats::new();
        s.loaned(4096);
        s.loaned(100);
        s.returned(4096);
        s.refused(EOPNOTSUPP);
        s.refused(EOPNOTSUPP);
        s.refused(EINVAL);
        s.refused(EBUSY);
        let v = s.values();
        assert_eq!(v[0], ("nreqzcbuf", 2));
        assert_eq!(v[1], ("nretzcbuf", 1));
        assert_eq!(v[2], ("loans_outstanding", 1));
        assert_eq!(v[3], ("bytes_on_loan", 100));
        assert_eq!(v[4], ("enotsup", 2));
        assert_eq!(v[5], ("einval", 1));
        assert_eq!(v[6], ("other_errors", 1));
    }
}

/// The statistics of every filesystem type seen, with their debugfs files.
pub(crate) struct StatsTable {
    root: Option<Dir>,
    entries: KVec<StatsEntry>,
}

struct StatsEntry {
    fstype: usize,
    stats: Arc<FsStats>,
    _file: Pin<KBox<debugfs::File<Arc<FsStats>>>>,
    _dir: Dir,
}

impl StatsTable {
    /// Empty, without debugfs directory yet.
    pub(crate) const fn new() -> Self {
        StatsTable {
            root: None,
            entries: KVec::new(),
        }
    }

    /// Create `/sys/kernel/debug/zcvfs`.
    pub(crate) fn init(&mut self) {
        self.root = Some(Dir::new(c"zcvfs"));
    }

    /// The statistics of a filesystem type, created (with their debugfs
    /// file) on first use. `None` only if memory is short.
    pub(crate) fn get(&mut self, fstype: usize, name: &CStr) -> Option<Arc<FsStats>> {
        if let Some(e) = self.entries.iter().find(|e| e.fstype == fstype) {
            return Some(e.stats.clone());
        }
        let root = self.root.as_ref()?;
        let stats = Arc::new(FsStats::new(), GFP_KERNEL).ok()?;
        let dir = root.subdir(name);
        let file = KBox::pin_init(dir.read_only_file(c"stats", stats.clone()), GFP_KERNEL).ok()?;
        self.entries
            .push(
                StatsEntry {
                    fstype,
                    stats: stats.clone(),
                    _file: file,
                    _dir: dir,
                },
                GFP_KERNEL,
            )
            .ok()?;
        Some(stats)
    }

    /// Remove everything (module exit).
    pub(crate) fn clear(&mut self) {
        // Free the memory too: the table is a static.
        self.entries = KVec::new();
        self.root = None;
    }
}
