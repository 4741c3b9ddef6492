// SPDX-License-Identifier: GPL-2.0

//! Provider registrations (per filesystem type) and the feature sets of
//! super_blocks (VFS feature registration, `vfs_has_feature`). Pure logic
//! over keys; `O` is what a registration holds (ops table, owner and
//! statistics). Both tables are sorted by key: a lookup is a binary search.
//! zcvfs.ko publishes a copy under RCU for its readers and changes a
//! private copy under a mutex (see `globals`).
#![deny(unsafe_code)]

use crate::zcvfs_api::bindings::VFSFT_ZEROCOPY_SUPPORTED;
use kernel::prelude::*;

/// The features zcvfs knows.
pub(crate) const KNOWN_FEATURES: u64 = VFSFT_ZEROCOPY_SUPPORTED;

#[derive(Clone)]
struct Provider<O> {
    fstype: usize,
    ops: O,
}

#[derive(Clone)]
struct SbFeatures {
    sb: usize,
    fstype: usize,
    features: u64,
}

/// The registry.
pub(crate) struct Registry<O> {
    providers: KVec<Provider<O>>,
    sbs: KVec<SbFeatures>,
}

impl<O: Clone> Registry<O> {
    /// An empty registry.
    pub(crate) const fn new() -> Self {
        Registry {
            providers: KVec::new(),
            sbs: KVec::new(),
        }
    }

    /// A copy (for publication).
    pub(crate) fn try_clone(&self) -> Result<Self> {
        let mut r = Registry::new();
        r.providers.extend_from_slice(&self.providers, GFP_KERNEL)?;
        r.sbs.extend_from_slice(&self.sbs, GFP_KERNEL)?;
        Ok(r)
    }

    fn provider_index(&self, fstype: usize) -> Result<usize, usize> {
        self.providers.binary_search_by_key(&fstype, |p| p.fstype)
    }

    fn sb_index(&self, sb: usize) -> Result<usize, usize> {
        self.sbs.binary_search_by_key(&sb, |s| s.sb)
    }

    /// Register `ops` for a filesystem type (`EEXIST` if it has one).
    pub(crate) fn register(&mut self, fstype: usize, ops: O) -> Result {
        if self.provider_index(fstype).is_ok() {
            return Err(EEXIST);
        }
        self.providers.push(Provider { fstype, ops }, GFP_KERNEL)?;
        self.providers.sort_unstable_by_key(|p| p.fstype);
        Ok(())
    }

    /// Unregister the provider of a filesystem type (`ENOENT` if none).
    /// Its super_blocks lose every feature. Returns the registration.
    pub(crate) fn unregister(&mut self, fstype: usize) -> Result<O> {
        let i = self.provider_index(fstype).map_err(|_| ENOENT)?;
        let p = self.providers.remove(i).map_err(|_| ENOENT)?;
        self.sbs.retain(|s| s.fstype != fstype);
        Ok(p.ops)
    }

    /// The provider of a filesystem type.
    pub(crate) fn provider(&self, fstype: usize) -> Option<O> {
        let i = self.provider_index(fstype).ok()?;
        Some(self.providers[i].ops.clone())
    }

    /// Add features to a super_block. Unknown bits get `EINVAL`; zero-copy
    /// needs a provider for the filesystem type (`ENOENT`).
    pub(crate) fn set_features(&mut self, sb: usize, fstype: usize, features: u64) -> Result {
        if features & !KNOWN_FEATURES != 0 || features == 0 {
            return Err(EINVAL);
        }
        if features & VFSFT_ZEROCOPY_SUPPORTED != 0 && self.provider_index(fstype).is_err() {
            return Err(ENOENT);
        }
        if let Ok(i) = self.sb_index(sb) {
            self.sbs[i].features |= features;
            return Ok(());
        }
        self.sbs.push(
            SbFeatures {
                sb,
                fstype,
                features,
            },
            GFP_KERNEL,
        )?;
        self.sbs.sort_unstable_by_key(|s| s.sb);
        Ok(())
    }

    /// Remove features from a super_block (no error if it had none).
    pub(crate) fn clear_features(&mut self, sb: usize, features: u64) -> Result {
        if features & !KNOWN_FEATURES != 0 {
            return Err(EINVAL);
        }
        if let Ok(i) = self.sb_index(sb) {
            self.sbs[i].features &= !features;
            if self.sbs[i].features == 0 {
                self.sbs.remove(i).map_err(|_| EINVAL)?;
            }
        }
        Ok(())
    }

    /// Forget everything and free the memory (module exit).
    pub(crate) fn clear(&mut self) {
        self.providers = KVec::new();
        self.sbs = KVec::new();
    }

    /// `vfs_has_feature`: whether the super_block has every bit of `feature`.
    pub(crate) fn has_feature(&self, sb: usize, feature: u64) -> bool {
        feature != 0
            && self
                .sb_index(sb)
                .is_ok_and(|i| self.sbs[i].features & feature == feature)
    }
}

#[kunit_tests(zcvfs_registry)]
mod tests {
    use super::*;

    #[test]
    fn providers() -> Result {
        let mut r = Registry::<u32>::new();
        r.register(0x100, 1)?;
        assert_eq!(r.register(0x100, 2), Err(EEXIST));
        r.register(0x200, 2)?;
        r.register(0x50, 3)?;
        assert_eq!(r.provider(0x100), Some(1));
        assert_eq!(r.provider(0x50), Some(3));
        assert_eq!(r.provider(0x300), None);
        let c = r.try_clone()?;
        assert_eq!(c.provider(0x200), Some(2));
        assert_eq!(r.unregister(0x100), Ok(1));
        assert_eq!(r.unregister(0x100), Err(ENOENT));
        assert_eq!(r.provider(0x100), None);
        Ok(())
    }

    #[test]
    fn features() -> Result {
        let mut r = Registry::<u32>::new();
        // No provider for the type: no zero-copy.
        assert_eq!(
            r.set_features(0xa, 0x100, VFSFT_ZEROCOPY_SUPPORTED),
            Err(ENOENT)
        );
        r.register(0x100, 1)?;
        assert_eq!(r.set_features(0xa, 0x100, 0x1), Err(EINVAL));
        assert_eq!(r.set_features(0xa, 0x100, 0), Err(EINVAL));
        r.set_features(0xa, 0x100, VFSFT_ZEROCOPY_SUPPORTED)?;
        r.set_features(0x5, 0x100, VFSFT_ZEROCOPY_SUPPORTED)?;
        r.set_features(0xc, 0x100, VFSFT_ZEROCOPY_SUPPORTED)?;
        assert!(r.has_feature(0xa, VFSFT_ZEROCOPY_SUPPORTED));
        assert!(r.has_feature(0x5, VFSFT_ZEROCOPY_SUPPORTED));
        assert!(r.has_feature(0xc, VFSFT_ZEROCOPY_SUPPORTED));
        // Another super_block of the same type is not affected.
        assert!(!r.has_feature(0xb, VFSFT_ZEROCOPY_SUPPORTED));
        // Partial bits of the 64-bit value do not match the feature.
        assert!(r.has_feature(0xa, 0x100));
        assert!(!r.has_feature(0xa, 0));
        r.clear_features(0xa, VFSFT_ZEROCOPY_SUPPORTED)?;
        assert!(!r.has_feature(0xa, VFSFT_ZEROCOPY_SUPPORTED));
        // Unregistering the provider clears its super_blocks.
        r.set_features(0xa, 0x100, VFSFT_ZEROCOPY_SUPPORTED)?;
        r.unregister(0x100)?;
        assert!(!r.has_feature(0xa, VFSFT_ZEROCOPY_SUPPORTED));
        Ok(())
    }
}
