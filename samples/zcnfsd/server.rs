// SPDX-License-Identifier: GPL-2.0

//! The server's threads: one listener kthread per program port (NFS and
//! MOUNT) accepting connections into a queue, and a pool of `threads`
//! worker kthreads, each serving one connection at a time to its end.
//!
//! Stopping (module unload): mark the server stopping, shut down every
//! served and queued stream (which wakes a worker blocked in a receive or
//! send) and both listening sockets (which wakes the listeners), wake the
//! idle workers, and wait for every thread to return. Streams close
//! abortively when dropped. The caller then waits for the zero-copy
//! completions ([`crate::net::wait_zc_idle`]) before the export goes.

use crate::connection::Connection;
use crate::export::Export;
use crate::net::{Listener, Stream};
use crate::stats::{self, STATS};
use crate::vfs_ffi::Thread;
use kernel::prelude::*;
use kernel::str::CString;
use kernel::sync::{Arc, CondVar, Mutex};
use kernel::{new_condvar, new_mutex};

/// What every request handler needs.
pub(crate) struct ServerCtx {
    /// The export.
    pub(crate) export: Export,
    /// Whether READ and WRITE try loans (the `zerocopy` parameter).
    pub(crate) zerocopy: bool,
    /// WRITE/COMMIT verifier: the load time, so it changes on restart.
    pub(crate) verifier: [u8; 8],
}

/// Accepted connections waiting for a worker, at most; beyond that the
/// listener stops accepting and new connections wait in the socket's
/// backlog.
const QUEUE_MAX: usize = 16;
/// Pending connections per listening socket.
const BACKLOG: u32 = 64;

/// What the threads share, under the lock.
struct State {
    stopping: bool,
    /// Accepted, waiting for a worker.
    queue: KVec<Arc<Stream>>,
    /// Being served.
    active: KVec<Arc<Stream>>,
}

/// The lock and the workers' wait queue.
#[pin_data]
struct Shared {
    #[pin]
    state: Mutex<State>,
    #[pin]
    work: CondVar,
    /// Listeners wait here for room in the queue.
    #[pin]
    room: CondVar,
}

/// A running server.
pub(crate) struct Server {
    shared: Arc<Shared>,
    listeners: KVec<Arc<Listener>>,
    threads: KVec<Thread>,
}

impl Server {
    /// Binds both ports and starts the threads.
    pub(crate) fn start(
        ctx: Arc<ServerCtx>,
        port: u16,
        mountport: u16,
        workers: usize,
    ) -> Result<Server> {
        let shared = Arc::pin_init(
            pin_init!(Shared {
                state <- new_mutex!(State {
                    stopping: false,
                    queue: KVec::new(),
                    active: KVec::new(),
                }),
                work <- new_condvar!(),
                room <- new_condvar!(),
            }),
            GFP_KERNEL,
        )?;
        let mut server = Server {
            shared,
            listeners: KVec::new(),
            threads: KVec::new(),
        };
        // On any failure `server` drops, which stops what was started.
        for (i, p) in [port, mountport].into_iter().enumerate() {
            let l = Arc::new(Listener::bind(p, BACKLOG)?, GFP_KERNEL)?;
            server.listeners.push(l.clone(), GFP_KERNEL)?;
            let shared = server.shared.clone();
            let name = CString::try_from_fmt(fmt!("zcnfsd-listen{}", i))?;
            let t = Thread::spawn(&name, move || listen(&l, &shared))?;
            server.threads.push(t, GFP_KERNEL)?;
        }
        for i in 0..workers {
            let (shared, ctx) = (server.shared.clone(), ctx.clone());
            let name = CString::try_from_fmt(fmt!("zcnfsd-{}", i))?;
            let t = Thread::spawn(&name, move || work(&shared, &ctx))?;
            server.threads.push(t, GFP_KERNEL)?;
        }
        Ok(server)
    }

    /// Stops every thread and closes every socket.
    fn stop(&mut self) {
        {
            let mut st = self.shared.state.lock();
            st.stopping = true;
            for s in st.active.iter() {
                s.shutdown();
            }
            st.queue.clear();
        }
        self.shared.work.notify_all();
        self.shared.room.notify_all();
        for l in self.listeners.iter() {
            l.shutdown();
        }
        // Each join waits for a thread to return.
        self.threads.clear();
        self.listeners.clear();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A listener thread: accepts connections into the queue while it has
/// room.
fn listen(l: &Listener, shared: &Shared) {
    let mut errors = 0u32;
    loop {
        {
            let mut st = shared.state.lock();
            while !st.stopping && st.queue.len() >= QUEUE_MAX {
                // Interruptible: a waiting listener is not a hung task.
                let _ = shared.room.wait_interruptible(&mut st);
            }
            if st.stopping {
                return;
            }
        }
        let r = l.accept();
        let mut st = shared.state.lock();
        if st.stopping {
            return;
        }
        let s = match r {
            Ok(s) => s,
            Err(e) => {
                errors += 1;
                if errors >= 100 {
                    pr_err!("accept keeps failing ({:?}), listener stops\n", e);
                    return;
                }
                continue;
            }
        };
        errors = 0;
        stats::inc(&STATS.connections_accepted);
        let pushed = Arc::new(s, GFP_KERNEL)
            .map_err(|_| ENOMEM)
            .and_then(|s| st.queue.push(s, GFP_KERNEL).map_err(|_| ENOMEM));
        drop(st);
        if pushed.is_ok() {
            shared.work.notify_one();
        }
    }
}

/// The next connection to serve, registered as active; `None` when the
/// server stops.
fn next(shared: &Shared) -> Option<Arc<Stream>> {
    let mut st = shared.state.lock();
    loop {
        if st.stopping {
            return None;
        }
        // Oldest first.
        if let Ok(s) = st.queue.remove(0) {
            shared.room.notify_all();
            if st.active.push(s.clone(), GFP_KERNEL).is_ok() {
                return Some(s);
            }
            // No memory to track it: refuse it.
            continue;
        }
        // Interruptible: an idle worker is not a hung task.
        let _ = shared.work.wait_interruptible(&mut st);
    }
}

/// A worker thread: serves connections one at a time.
fn work(shared: &Shared, ctx: &Arc<ServerCtx>) {
    while let Some(s) = next(shared) {
        stats::inc(&STATS.connections_open);
        match Connection::new(s.clone(), ctx.clone()) {
            Ok(mut c) => c.serve(),
            Err(e) => pr_warn!("no memory for a connection ({:?})\n", e),
        }
        stats::dec(&STATS.connections_open);
        let mut st = shared.state.lock();
        st.active.retain(|a| !Arc::ptr_eq(a, &s));
        // The last reference (this one) closes the socket, abortively.
    }
}
