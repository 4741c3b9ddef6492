// SPDX-License-Identifier: GPL-2.0

//! NFSv3 file handles and the server-side table that resolves them.
//!
//! A handle is 24 bytes: version (1), export id, two zero bytes, the file
//! system id (8, big-endian), the inode number (8) and the inode's
//! generation (4). Handles are not decoded through exportfs (zcfs has no
//! export operations): every reply that hands out a handle (MNT, LOOKUP,
//! CREATE, MKDIR, READDIRPLUS) first records the dentry, with a reference,
//! in a table keyed by inode number. A handle resolves only if the table
//! has its inode with the same generation and the dentry is still live
//! (positive, linked, hashed); anything else is NFS3ERR_STALE, and a
//! handle of the wrong shape NFS3ERR_BADHANDLE.
//!
//! Limits: the table forgets everything when the module is unloaded, so
//! after a restart only the export's root handle resolves again (clients
//! see ESTALE for the others); entries leave the table when their object is
//! removed (REMOVE, RMDIR, RENAME over it) or found stale, otherwise they
//! (and the dentry references) stay until unload.

use crate::export::EXPORT_ID;
use crate::proto::nfs3::Nfsstat3;
use crate::vfs_ffi::{Attr, Dentry};
use kernel::new_mutex;
use kernel::prelude::*;
use kernel::rbtree::RBTree;
use kernel::sync::atomic::{Atomic, Relaxed};
use kernel::sync::Mutex;

/// Size of a handle.
pub(crate) const FH_LEN: usize = 24;
/// Handle layout version.
const FH_VERSION: u8 = 1;

/// An encoded handle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FileHandle {
    bytes: [u8; FH_LEN],
}

/// What a handle says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Parsed {
    fsid: u64,
    ino: u64,
    generation: u32,
}

impl FileHandle {
    /// The handle of inode `ino`/`generation` of file system `fsid`.
    pub(crate) fn new(fsid: u64, ino: u64, generation: u32) -> Self {
        let mut bytes = [0u8; FH_LEN];
        bytes[0] = FH_VERSION;
        bytes[1] = EXPORT_ID;
        bytes[4..12].copy_from_slice(&fsid.to_be_bytes());
        bytes[12..20].copy_from_slice(&ino.to_be_bytes());
        bytes[20..24].copy_from_slice(&generation.to_be_bytes());
        FileHandle { bytes }
    }

    /// The wire bytes.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Parses wire bytes: BADHANDLE for a foreign shape, STALE for another
    /// export.
    fn parse(b: &[u8]) -> core::result::Result<Parsed, Nfsstat3> {
        let b: &[u8; FH_LEN] = b.try_into().map_err(|_| Nfsstat3::Badhandle)?;
        if b[0] != FH_VERSION || b[2] != 0 || b[3] != 0 {
            return Err(Nfsstat3::Badhandle);
        }
        if b[1] != EXPORT_ID {
            return Err(Nfsstat3::Stale);
        }
        let word8 = |at: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&b[at..at + 8]);
            u64::from_be_bytes(w)
        };
        Ok(Parsed {
            fsid: word8(4),
            ino: word8(12),
            generation: u32::from_be_bytes([b[20], b[21], b[22], b[23]]),
        })
    }
}

/// A remembered handle target.
struct Entry {
    generation: u32,
    dentry: Dentry,
}

/// Inode number -> dentry, for the export's file system.
pub(crate) struct FhTable {
    fsid: u64,
    /// Set by the first registration (the export root), then read only.
    root_ino: Atomic<u64>,
    map: Pin<KBox<Mutex<RBTree<u64, Entry>>>>,
}

impl FhTable {
    /// An empty table for file system `fsid`.
    pub(crate) fn new(fsid: u64) -> Result<Self> {
        Ok(FhTable {
            fsid,
            root_ino: Atomic::new(0),
            map: KBox::pin_init(new_mutex!(RBTree::new(), "zcnfsd_fh_table"), GFP_KERNEL)?,
        })
    }

    /// Records `d` (attributes `attr`) and returns its handle. The first
    /// call registers the export root.
    pub(crate) fn register(&self, d: &Dentry, attr: &Attr) -> Result<FileHandle> {
        let fh = FileHandle::new(self.fsid, attr.ino, attr.generation);
        let mut map = self.map.lock();
        if map.is_empty() {
            self.root_ino.store(attr.ino, Relaxed);
        }
        if let Some(e) = map.get(&attr.ino) {
            if e.generation == attr.generation && e.dentry.same(d) {
                return Ok(fh);
            }
        }
        let entry = Entry {
            generation: attr.generation,
            dentry: d.clone(),
        };
        // Replaces (and drops) an entry of a stale inode of that number.
        map.try_create_and_insert(attr.ino, entry, GFP_KERNEL)?;
        Ok(fh)
    }

    /// The live dentry `fh` names.
    pub(crate) fn resolve(&self, fh: &[u8]) -> core::result::Result<Dentry, Nfsstat3> {
        let p = FileHandle::parse(fh)?;
        if p.fsid != self.fsid {
            return Err(Nfsstat3::Stale);
        }
        let stale = {
            let map = self.map.lock();
            match map.get(&p.ino) {
                None => return Err(Nfsstat3::Stale),
                Some(e) if e.generation != p.generation => return Err(Nfsstat3::Stale),
                Some(e) if e.dentry.is_live() => return Ok(e.dentry.clone()),
                Some(_) => true,
            }
        };
        if stale {
            self.forget(p.ino);
        }
        Err(Nfsstat3::Stale)
    }

    /// Drops the entry of inode `ino` (removed, or found stale); never the
    /// root's.
    pub(crate) fn forget(&self, ino: u64) {
        if ino == 0 || ino == self.root_ino.load(Relaxed) {
            return;
        }
        // Drop the entry (dput) after the lock is released.
        let old = self.map.lock().remove(&ino);
        drop(old);
    }

    /// Whether `d` is the export root.
    pub(crate) fn is_root(&self, d: &Dentry) -> bool {
        let map = self.map.lock();
        map.get(&self.root_ino.load(Relaxed))
            .is_some_and(|e| e.dentry.same(d))
    }

    /// Number of remembered handles.
    pub(crate) fn len(&self) -> usize {
        self.map.lock().iter().count()
    }
}
