// SPDX-License-Identifier: GPL-2.0

//! The server's cache of open files (NFSD keeps one too,
//! `fs/nfsd/filecache.c`): READ reuses the file it opened for an earlier
//! READ of the same inode instead of `dentry_open` and `fput` per call.
//!
//! - Bound: [`FILE_CACHE_SLOTS`] read-only files, evicted by the clock
//!   algorithm (a slot used since the hand last passed gets a second
//!   chance).
//! - Key: the inode ([`Dentry::inode_key`]); an entry holds its file, and so
//!   the inode, so a key cannot be reused while it is cached.
//! - Permission: a cached file was opened with the credentials of the call
//!   that missed; every call that reuses it passes the open-time checks
//!   with its own ([`ExportPath::may_open`]) first.
//! - Invalidation: REMOVE of the file, RENAME of it or over it, SETATTR of
//!   its size ([`FileCache::forget`]). An entry whose inode lost its last
//!   name some other way (removed on the server's own mount) is dropped at
//!   the next miss, so it does not keep a removed file's space for long.
//! - Teardown: the cache is emptied when the server context is dropped
//!   (module exit, after the threads stopped).
//! - Closing: a file leaves the cache outside its lock and is released by
//!   [`close_sync`]: closed at once if that was the last reference, not
//!   queued to the delayed-fput worker.

#![deny(unsafe_code)]

use crate::stats::{self, STATS};
use crate::vfs::dentry::Dentry;
use crate::vfs::file::{close_sync, inode_key, unlinked};
use crate::vfs::path::ExportPath;
use kernel::fs::File;
use kernel::new_mutex;
use kernel::prelude::*;
use kernel::sync::aref::ARef;
use kernel::sync::Mutex;

/// How many open files the cache keeps.
pub(crate) const FILE_CACHE_SLOTS: usize = 16;

/// One cached file.
struct Slot {
    /// `inode_key(&file)`.
    key: usize,
    file: ARef<File>,
    /// Used since the clock hand last passed.
    referenced: bool,
}

/// The slots and the clock hand.
struct Slots {
    slots: [Option<Slot>; FILE_CACHE_SLOTS],
    hand: usize,
}

impl Slots {
    fn find(&mut self, key: usize) -> Option<&mut Slot> {
        self.slots.iter_mut().flatten().find(|s| s.key == key)
    }

    /// Takes out the entry of `key`, if cached.
    fn take(&mut self, key: usize) -> Option<ARef<File>> {
        let slot = self
            .slots
            .iter_mut()
            .find(|s| s.as_ref().is_some_and(|s| s.key == key))?;
        slot.take().map(|s| s.file)
    }

    /// A free slot's index: an empty one, else the clock's victim, whose
    /// file goes to `out`.
    fn victim(&mut self, out: &mut KVec<ARef<File>>) -> Result<usize> {
        if let Some(i) = self.slots.iter().position(|s| s.is_none()) {
            return Ok(i);
        }
        // Two turns at most: the first clears every `referenced`.
        for _ in 0..2 * FILE_CACHE_SLOTS {
            let i = self.hand % FILE_CACHE_SLOTS;
            self.hand = (i + 1) % FILE_CACHE_SLOTS;
            if let Some(s) = self.slots.get_mut(i).and_then(|s| s.as_mut()) {
                if s.referenced {
                    s.referenced = false;
                    continue;
                }
            }
            if let Some(s) = self.slots.get_mut(i).and_then(|s| s.take()) {
                out.push(s.file, GFP_KERNEL)?;
            }
            return Ok(i);
        }
        Err(EBUSY)
    }
}

/// A bounded cache of files open for reading, shared by the server's
/// threads.
pub(crate) struct FileCache {
    inner: Pin<KBox<Mutex<Slots>>>,
}

impl FileCache {
    /// An empty cache.
    pub(crate) fn new() -> Result<FileCache> {
        Ok(FileCache {
            inner: KBox::pin_init(
                new_mutex!(Slots {
                    slots: [const { None }; FILE_CACHE_SLOTS],
                    hand: 0,
                }),
                GFP_KERNEL,
            )?,
        })
    }

    /// `d` (a regular file of `path`) open for reading: the cached file if
    /// there is one and the current credentials may open `d`, else a new
    /// one, cached.
    pub(crate) fn open_read(&self, path: &ExportPath, d: &Dentry) -> Result<ARef<File>> {
        let key = d.inode_key();
        let hit = self.inner.lock().find(key).map(|s| {
            s.referenced = true;
            s.file.clone()
        });
        if let Some(file) = hit {
            // The open-time checks, with the caller's credentials (a miss
            // makes them in `open_file`).
            if let Err(e) = path.may_open(d, false) {
                close_sync(file);
                return Err(e);
            }
            stats::inc(&STATS.file_cache_hits);
            return Ok(file);
        }
        stats::inc(&STATS.file_cache_misses);
        let file = path.open_file(d, false)?;
        // Room for every file that may leave below (allocated before the
        // lock; a push beyond it would only allocate).
        let mut out = KVec::with_capacity(FILE_CACHE_SLOTS, GFP_KERNEL)?;
        {
            let mut g = self.inner.lock();
            // Drop what lost its last name since (removed on the server).
            for slot in g.slots.iter_mut() {
                if slot.as_ref().is_some_and(|s| unlinked(&s.file)) {
                    if let Some(s) = slot.take() {
                        // Within the capacity: cannot fail. (Were it to,
                        // the file would be dropped here: a plain `fput`.)
                        let _ = out.push(s.file, GFP_KERNEL);
                    }
                }
            }
            if g.find(key).is_none() {
                if let Ok(i) = g.victim(&mut out) {
                    if let Some(slot) = g.slots.get_mut(i) {
                        *slot = Some(Slot {
                            key: inode_key(&file),
                            file: file.clone(),
                            referenced: false,
                        });
                    }
                }
            }
        }
        for f in out {
            close_sync(f);
        }
        Ok(file)
    }

    /// Drops the cached file of inode `key` (a [`Dentry::inode_key`] taken
    /// while the caller holds that dentry), if any: REMOVE, RENAME, SETATTR
    /// of the size.
    pub(crate) fn forget(&self, key: usize) {
        let f = self.inner.lock().take(key);
        if let Some(f) = f {
            close_sync(f);
        }
    }

    /// Empties the cache.
    pub(crate) fn clear(&self) {
        loop {
            let f = {
                let mut g = self.inner.lock();
                g.slots.iter_mut().find_map(|s| s.take())
            };
            match f {
                Some(s) => close_sync(s.file),
                None => break,
            }
        }
    }
}

impl Drop for FileCache {
    fn drop(&mut self) {
        self.clear();
    }
}
