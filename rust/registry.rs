// SPDX-License-Identifier: GPL-2.0

//! Provider registrations (per filesystem type) and the feature sets of
//! super_blocks (VFS feature registration, `vfs_has_feature`). Pure logic
//! over keys; `O` is what a registration holds (ops table and owner).
#![deny(unsafe_code)]

use crate::zcvfs_api::bindings::VFSFT_ZEROCOPY_SUPPORTED;
use kernel::prelude::*;

/// The features zcvfs knows.
pub(crate) const KNOWN_FEATURES: u64 = VFSFT_ZEROCOPY_SUPPORTED;

struct Provider<O> {
    fstype: usize,
    ops: O,
}

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

impl<O: Copy> Registry<O> {
    /// An empty registry.
    pub(crate) const fn new() -> Self {
        Registry {
            providers: KVec::new(),
            sbs: KVec::new(),
        }
    }

    /// Register `ops` for a filesystem type (`EEXIST` if it has one).
    pub(crate) fn register(&mut self, fstype: usize, ops: O) -> Result {
        if self.providers.iter().any(|p| p.fstype == fstype) {
            return Err(EEXIST);
        }
        self.providers.push(Provider { fstype, ops }, GFP_KERNEL)?;
        Ok(())
    }

    /// Unregister the provider of a filesystem type (`ENOENT` if none).
    /// Its super_blocks lose every feature. Returns the registration.
    pub(crate) fn unregister(&mut self, fstype: usize) -> Result<O> {
        let i = self
            .providers
            .iter()
            .position(|p| p.fstype == fstype)
            .ok_or(ENOENT)?;
        let p = self.providers.remove(i).map_err(|_| ENOENT)?;
        self.sbs.retain(|s| s.fstype != fstype);
        Ok(p.ops)
    }

    /// The provider of a filesystem type.
    pub(crate) fn provider(&self, fstype: usize) -> Option<O> {
        self.providers
            .iter()
            .find(|p| p.fstype == fstype)
            .map(|p| p.ops)
    }

    /// Add features to a super_block. Unknown bits get `EINVAL`; zero-copy
    /// needs a provider for the filesystem type (`ENOENT`).
    pub(crate) fn set_features(&mut self, sb: usize, fstype: usize, features: u64) -> Result {
        if features & !KNOWN_FEATURES != 0 || features == 0 {
            return Err(EINVAL);
        }
        if features & VFSFT_ZEROCOPY_SUPPORTED != 0 && self.provider(fstype).is_none() {
            return Err(ENOENT);
        }
        if let Some(s) = self.sbs.iter_mut().find(|s| s.sb == sb) {
            s.features |= features;
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
        Ok(())
    }

    /// Remove features from a super_block (no error if it had none).
    pub(crate) fn clear_features(&mut self, sb: usize, features: u64) -> Result {
        if features & !KNOWN_FEATURES != 0 {
            return Err(EINVAL);
        }
        for s in self.sbs.iter_mut().filter(|s| s.sb == sb) {
            s.features &= !features;
        }
        self.sbs.retain(|s| s.features != 0);
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
                .sbs
                .iter()
                .any(|s| s.sb == sb && s.features & feature == feature)
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
        assert_eq!(r.provider(0x100), Some(1));
        assert_eq!(r.provider(0x300), None);
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
        assert!(r.has_feature(0xa, VFSFT_ZEROCOPY_SUPPORTED));
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
