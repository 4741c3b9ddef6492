// SPDX-License-Identifier: GPL-2.0

//! File event monitors: per-inode stacks and the walk down a stack (FEM's
//! `vnext`). Pure logic: the stack holds entries of type `E` (in zcvfs.ko a
//! monitor's ops and pins) and a pin `P` of the inode (an open file).
#![deny(unsafe_code)]

use core::cell::Cell;
use core::marker::PhantomData;
use kernel::prelude::*;
use kernel::sync::Arc;

/// One inode's stack; the top is the last element.
struct Stack<E, P> {
    inode: usize,
    monitors: KVec<(i64, Arc<E>)>,
    _pin: P,
}

/// All stacks.
pub(crate) struct MonitorTable<E, P> {
    stacks: KVec<Stack<E, P>>,
    next_id: i64,
}

/// What uninstalling gives back, to be dropped outside the lock.
pub(crate) struct Removed<E, P> {
    /// The monitor.
    pub(crate) _entry: Arc<E>,
    /// The inode's pin, when the stack became empty.
    pub(crate) _pin: Option<P>,
}

impl<E, P> MonitorTable<E, P> {
    /// No stacks.
    pub(crate) const fn new() -> Self {
        MonitorTable {
            stacks: KVec::new(),
            next_id: 1,
        }
    }

    /// Push `entry` on the inode's stack; `pin` is kept if the stack is new
    /// (else dropped by the caller with the returned value). Returns the id.
    pub(crate) fn install(
        &mut self,
        inode: usize,
        entry: Arc<E>,
        pin: P,
    ) -> Result<(i64, Option<P>)> {
        let id = self.next_id;
        if let Some(s) = self.stacks.iter_mut().find(|s| s.inode == inode) {
            s.monitors.push((id, entry), GFP_KERNEL)?;
            self.next_id += 1;
            return Ok((id, Some(pin)));
        }
        let mut monitors = KVec::new();
        monitors.push((id, entry), GFP_KERNEL)?;
        self.stacks.push(
            Stack {
                inode,
                monitors,
                _pin: pin,
            },
            GFP_KERNEL,
        )?;
        self.next_id += 1;
        Ok((id, None))
    }

    /// Remove monitor `id` from the inode's stack (`ENOENT` if not there).
    pub(crate) fn uninstall(&mut self, inode: usize, id: i64) -> Result<Removed<E, P>> {
        let si = self
            .stacks
            .iter()
            .position(|s| s.inode == inode)
            .ok_or(ENOENT)?;
        let s = &mut self.stacks[si];
        let mi = s.monitors.iter().position(|m| m.0 == id).ok_or(ENOENT)?;
        let (_, entry) = s.monitors.remove(mi).map_err(|_| ENOENT)?;
        let pin = if s.monitors.is_empty() {
            let stack = self.stacks.remove(si).map_err(|_| ENOENT)?;
            Some(stack._pin)
        } else {
            None
        };
        Ok(Removed {
            _entry: entry,
            _pin: pin,
        })
    }

    /// Number of inodes with monitors.
    pub(crate) fn stacks(&self) -> usize {
        self.stacks.len()
    }

    /// An immutable copy of every stack, for readers (published under RCU
    /// by zcvfs.ko), without monitor `skip` (`(inode, id)`) if given.
    pub(crate) fn view(&self, skip: Option<(usize, i64)>) -> Result<MonitorView<E>> {
        let mut stacks = KVec::with_capacity(self.stacks.len(), GFP_KERNEL)?;
        for s in self.stacks.iter() {
            let mut v = KVec::with_capacity(s.monitors.len(), GFP_KERNEL)?;
            for (id, e) in s.monitors.iter().rev() {
                if skip != Some((s.inode, *id)) {
                    v.push(e.clone(), GFP_KERNEL)?;
                }
            }
            if !v.is_empty() {
                stacks.push((s.inode, Arc::new(v, GFP_KERNEL)?), GFP_KERNEL)?;
            }
        }
        stacks.sort_unstable_by_key(|s| s.0);
        Ok(MonitorView { stacks })
    }

    /// Whether the inode has monitors.
    pub(crate) fn has_monitors(&self, inode: usize) -> bool {
        self.stacks.iter().any(|s| s.inode == inode)
    }

    /// Remove every stack (module exit).
    pub(crate) fn drain(&mut self) -> usize {
        let n = self.stacks.len();
        // Free the memory too: the table is a static.
        self.stacks = KVec::new();
        n
    }
}

/// The monitors of every inode as readers see them: sorted by inode, each
/// stack top first and shared (a reader takes a reference on its stack, not
/// a copy).
pub(crate) struct MonitorView<E> {
    stacks: KVec<(usize, Arc<KVec<Arc<E>>>)>,
}

impl<E> MonitorView<E> {
    /// The inode's stack, top first (`None`: no monitors).
    pub(crate) fn stack(&self, inode: usize) -> Option<Arc<KVec<Arc<E>>>> {
        let i = self.stacks.binary_search_by_key(&inode, |s| s.0).ok()?;
        Some(self.stacks[i].1.clone())
    }
}

/// A monitor in a chain: `call` runs its operation for the current request,
/// or returns `None` if it has none (the walk goes on to the next one).
pub(crate) trait Link<A: Copy>: Sized {
    /// Run the monitor's operation; it may call `chain.vnext(arg)`.
    fn call(&self, chain: &Chain<'_, Self, A>, arg: A) -> Option<isize>;
}

/// One walk down a stack to the operation itself (`base`).
///
/// Shared (`&Chain`) while monitors run, since a monitor re-enters it
/// through `vnext`; the position and the base are in cells.
pub(crate) struct Chain<'a, L, A> {
    links: &'a [Arc<L>],
    next: Cell<usize>,
    base: Cell<Option<&'a mut dyn FnMut() -> isize>>,
    _a: PhantomData<A>,
}

impl<'a, L: Link<A>, A: Copy> Chain<'a, L, A> {
    /// A walk over `links` (top first) ending in `base`.
    pub(crate) fn new(links: &'a [Arc<L>], base: &'a mut dyn FnMut() -> isize) -> Self {
        Chain {
            links,
            next: Cell::new(0),
            base: Cell::new(Some(base)),
            _a: PhantomData,
        }
    }

    /// Go to the next monitor that has the operation, or to the base.
    /// The base runs at most once; a second arrival gets `-EALREADY`.
    pub(crate) fn vnext(&self, arg: A) -> isize {
        loop {
            let i = self.next.get();
            let Some(link) = self.links.get(i) else {
                break;
            };
            self.next.set(i + 1);
            if let Some(r) = link.call(self, arg) {
                return r;
            }
        }
        match self.base.take() {
            Some(base) => base(),
            None => EALREADY.to_errno() as isize,
        }
    }

    /// Whether the base has run.
    pub(crate) fn base_ran(&self) -> bool {
        // `Cell<Option<&mut _>>` is not `Copy`: look by swapping.
        let b = self.base.take();
        let ran = b.is_none();
        self.base.set(b);
        ran
    }
}

#[kunit_tests(zcvfs_fem)]
mod tests {
    use super::*;

    /// A test monitor: records its number in `log`, then passes on, or
    /// vetoes with `veto`, or has no operation.
    struct T<'a> {
        n: u8,
        veto: Option<isize>,
        skip: bool,
        log: &'a Cell<u64>,
    }

    impl Link<()> for T<'_> {
        fn call(&self, chain: &Chain<'_, Self, ()>, arg: ()) -> Option<isize> {
            if self.skip {
                return None;
            }
            self.log.set(self.log.get() * 10 + u64::from(self.n));
            if let Some(v) = self.veto {
                return Some(v);
            }
            let r = chain.vnext(arg);
            // Observe the result on the way back.
            Some(r + 1)
        }
    }

    /// A stack of test monitors, top first: `(n, veto, skip)` each.
    fn stack<'a>(
        log: &'a Cell<u64>,
        specs: &[(u8, Option<isize>, bool)],
    ) -> Result<KVec<Arc<T<'a>>>> {
        let mut v = KVec::new();
        for &(n, veto, skip) in specs {
            v.push(Arc::new(T { n, veto, skip, log }, GFP_KERNEL)?, GFP_KERNEL)?;
        }
        Ok(v)
    }

    #[test]
    fn order_and_observation() -> Result {
        let log = &Cell::new(0);
        let v = stack(log, &[(1, None, false), (2, None, true), (3, None, false)])?;
        let mut ran = 0;
        let mut base = || {
            ran += 1;
            100
        };
        let c = Chain::new(&v, &mut base);
        // Monitors 1 and 3 each add 1 on the way back; 2 has no op.
        assert_eq!(c.vnext(()), 102);
        assert!(c.base_ran());
        // The base cannot run twice.
        assert_eq!(c.vnext(()), EALREADY.to_errno() as isize);
        assert_eq!(ran, 1);
        assert_eq!(log.get(), 13);
        Ok(())
    }

    #[test]
    fn veto_stops_the_walk() -> Result {
        let log = &Cell::new(0);
        let eperm = EPERM.to_errno() as isize;
        let v = stack(
            log,
            &[(1, None, false), (2, Some(eperm), false), (3, None, false)],
        )?;
        let mut base = || 100;
        let c = Chain::new(&v, &mut base);
        assert_eq!(c.vnext(()), eperm + 1);
        assert!(!c.base_ran());
        assert_eq!(log.get(), 12);
        Ok(())
    }

    #[test]
    fn table() -> Result {
        let mut t = MonitorTable::<u32, u8>::new();
        let (a, extra) = t.install(7, Arc::new(1, GFP_KERNEL)?, 70)?;
        assert!(extra.is_none());
        let (b, extra) = t.install(7, Arc::new(2, GFP_KERNEL)?, 71)?;
        assert_eq!(extra, Some(71));
        let (c, _) = t.install(8, Arc::new(3, GFP_KERNEL)?, 80)?;
        // The view: the stacks, top first; one monitor left out.
        let v = t.view(None)?;
        let s7 = v.stack(7).ok_or(ENOENT)?;
        assert_eq!((*s7[0], *s7[1]), (2, 1));
        assert_eq!(*v.stack(8).ok_or(ENOENT)?[0], 3);
        assert!(v.stack(9).is_none());
        let v = t.view(Some((8, c)))?;
        assert!(v.stack(8).is_none());
        assert_eq!(v.stack(7).ok_or(ENOENT)?.len(), 2);
        assert_eq!(t.stacks(), 2);
        assert!(t.uninstall(7, c).is_err());
        let r = t.uninstall(7, b)?;
        assert!(r._pin.is_none());
        let r = t.uninstall(7, a)?;
        assert_eq!(r._pin, Some(70));
        assert!(!t.has_monitors(7));
        assert!(t.has_monitors(8));
        assert_eq!(t.drain(), 1);
        Ok(())
    }
}
