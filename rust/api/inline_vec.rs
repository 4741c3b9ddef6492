// SPDX-License-Identifier: GPL-2.0

//! A vector that keeps its first `N` elements inside itself.
//!
//! Most loans are small (a few pages), and a loan that needs one
//! allocation for itself plus one per array is three allocations and three
//! frees per request. As `struct bio` carries its first few `bio_vec`s
//! inline (`bi_inline_vecs`), [`InlineVec`] stores up to `N` elements in
//! place and moves them to a [`KVec`] only when an `N + 1`-th arrives, so a
//! small loan that lives in one box needs no other allocation.
//!
//! Unused inline slots hold a [`Vacant`] value, so the type needs no
//! `unsafe` code: an element type says what an empty slot holds.
#![deny(unsafe_code)]

use kernel::prelude::*;

/// The value of an unused slot: holds nothing and needs no drop.
pub(crate) trait Vacant {
    /// An empty value.
    fn vacant() -> Self;
}

impl<T> Vacant for Option<T> {
    fn vacant() -> Self {
        None
    }
}

/// A vector whose first `N` elements live inside it.
///
/// # Invariants
///
/// - While `heap` is `None`, the elements are `inline[..len]` and every
///   other inline slot holds a vacant value.
/// - Once the vector has outgrown `N` (`heap` is `Some`), the elements are
///   the heap vector's and every inline slot is vacant.
pub(crate) struct InlineVec<T: Vacant, const N: usize> {
    inline: [T; N],
    len: usize,
    heap: Option<KVec<T>>,
    /// Room to allocate when the inline slots are outgrown.
    spill: usize,
}

impl<T: Vacant, const N: usize> Default for InlineVec<T, N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Vacant, const N: usize> InlineVec<T, N> {
    /// Empty; allocates nothing.
    pub(crate) fn new() -> Self {
        InlineVec {
            inline: core::array::from_fn(|_| T::vacant()),
            len: 0,
            heap: None,
            spill: 2 * N,
        }
    }

    /// Empty; allocates nothing now. If more than `N` elements arrive,
    /// room for `n` of them (at least `2 * N`) is allocated at once: for a
    /// vector that usually stays small but has a known bound (a READ
    /// loan's folios: one per large folio, at most one per page).
    #[cfg(any(zcvfs_role_core, zcvfs_role_provider))]
    pub(crate) fn with_spill_capacity(n: usize) -> Self {
        let mut v = Self::new();
        v.spill = n.max(2 * N);
        v
    }

    /// Empty, with room for `n` elements: allocates only if `n > N`.
    #[cfg(any(zcvfs_role_core, zcvfs_test_api))]
    pub(crate) fn with_capacity(n: usize) -> Result<Self> {
        let mut v = Self::new();
        if n > N {
            v.heap = Some(KVec::with_capacity(n, GFP_KERNEL)?);
        }
        Ok(v)
    }

    /// Append `x`. On allocation failure `x` is dropped and the vector is
    /// unchanged.
    pub(crate) fn push(&mut self, x: T) -> Result {
        if let Some(heap) = &mut self.heap {
            heap.push(x, GFP_KERNEL)?;
            return Ok(());
        }
        if self.len < N {
            self.inline[self.len] = x;
            self.len += 1;
            return Ok(());
        }
        // Outgrown: move everything to the heap (room reserved first, so
        // that no element can be lost half-way).
        let mut heap = KVec::with_capacity(self.spill.max(N + 1), GFP_KERNEL)?;
        for slot in &mut self.inline[..self.len] {
            if heap
                .push_within_capacity(core::mem::replace(slot, T::vacant()))
                .is_err()
            {
                // Unreachable: the capacity is at least `N + 1`.
                return Err(ENOMEM);
            }
        }
        if heap.push_within_capacity(x).is_err() {
            return Err(ENOMEM);
        }
        self.len = 0;
        self.heap = Some(heap);
        Ok(())
    }

    /// Remove and return the last element.
    #[cfg(zcvfs_role_core)]
    pub(crate) fn pop(&mut self) -> Option<T> {
        if let Some(heap) = &mut self.heap {
            return heap.pop();
        }
        if self.len == 0 {
            return None;
        }
        self.len -= 1;
        Some(core::mem::replace(&mut self.inline[self.len], T::vacant()))
    }

    /// Remove every element (a heap vector keeps its room).
    pub(crate) fn clear(&mut self) {
        if let Some(heap) = &mut self.heap {
            heap.clear();
            return;
        }
        for slot in &mut self.inline[..self.len] {
            *slot = T::vacant();
        }
        self.len = 0;
    }

    /// The elements.
    pub(crate) fn as_slice(&self) -> &[T] {
        match &self.heap {
            Some(heap) => heap,
            None => &self.inline[..self.len],
        }
    }

    /// The elements, mutable.
    #[cfg(any(zcvfs_role_core, zcvfs_role_provider))]
    pub(crate) fn as_mut_slice(&mut self) -> &mut [T] {
        match &mut self.heap {
            Some(heap) => heap,
            None => &mut self.inline[..self.len],
        }
    }

    /// Number of elements.
    #[cfg(zcvfs_role_core)]
    pub(crate) fn len(&self) -> usize {
        self.as_slice().len()
    }

    /// Whether there is no element.
    #[cfg(zcvfs_role_core)]
    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the elements moved to the heap (for tests and statistics).
    #[cfg(zcvfs_role_core)]
    pub(crate) fn spilled(&self) -> bool {
        self.heap.is_some()
    }

    /// Elements it holds without allocating (for tests).
    #[cfg(zcvfs_role_core)]
    pub(crate) fn capacity(&self) -> usize {
        self.heap.as_ref().map_or(N, |h| h.capacity())
    }
}
