// SPDX-License-Identifier: GPL-2.0

//! The server's threads: one listener kthread per program port (NFS and
//! MOUNT), and one kthread per connection, as ksmbd does, at most
//! `threads` connections served at once: `threads` is the connection
//! limit.
//!
//! No set of connections can keep a new client out: a connection beyond
//! the limit evicts the least recently active one (the one whose last reply
//! is oldest, or that was accepted first and never completed a call), as
//! NFSD's `svc_check_conn_limits()` closes its oldest temporary transport;
//! the evicted connection is shut down, which wakes its thread wherever it
//! blocks, and the new one is served at once (counted in
//! `connections_evicted`). Evicted connections whose threads have not
//! returned yet still count against a hard cap of the limit plus as many
//! more (at least 16): past that a new connection is closed at once
//! (`connections_refused`). Each connection
//! also times out by itself ([`crate::connection`]): idle ones after the
//! `idle_timeout`, stalled records after the `record_timeout`.
//!
//! Stopping (module unload): mark the server stopping, shut down both
//! listening sockets (which wakes the listeners) and every served stream
//! (which wakes its thread, blocked in a receive or send), and wait for
//! every thread to return. Streams close abortively when dropped. The
//! caller then waits for the zero-copy completions
//! ([`crate::net::wait_zc_idle`]) before the export goes.

#![deny(unsafe_code)]

use crate::connection::Connection;
use crate::ctx::{now_ns, ServerCtx};
use crate::log::pr_warn_ratelimited;
use crate::net::{Listener, Stream};
use crate::stats::{self, STATS};
use crate::vfs::kthread::Thread;
use kernel::new_mutex;
use kernel::prelude::*;
use kernel::str::CString;
use kernel::sync::atomic::{Atomic, Relaxed};
use kernel::sync::{Arc, Mutex};

/// Pending connections per listening socket.
const BACKLOG: u32 = 64;

/// A connection being served by its own thread.
struct Served {
    /// Identifies the entry for its thread.
    id: u64,
    /// The stream, until the thread is done with it (then `None`: its
    /// thread dropped the last reference, which closed the socket).
    stream: Option<Arc<Stream>>,
    /// When the connection last sent a reply (or was accepted).
    activity: Arc<Atomic<i64>>,
    /// Shut down to make room for another connection.
    evicted: bool,
    /// Joined (and the task reference dropped) when this is dropped.
    _thread: Thread,
}

/// What the threads share, under the lock.
struct State {
    stopping: bool,
    /// Connections served (or just finished, not yet reaped).
    served: KVec<Served>,
    /// The id of the next connection.
    next_id: u64,
}

/// A running server.
pub(crate) struct Server {
    shared: Arc<Mutex<State>>,
    listeners: KVec<Arc<Listener>>,
    threads: KVec<Thread>,
}

impl Server {
    /// Binds both ports and starts the listeners; each serves at most
    /// `max_conns` connections at once, counted together.
    pub(crate) fn start(
        ctx: Arc<ServerCtx>,
        port: u16,
        mountport: u16,
        max_conns: usize,
    ) -> Result<Server> {
        let shared = Arc::pin_init(
            new_mutex!(State {
                stopping: false,
                served: KVec::new(),
                next_id: 0,
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
            let (shared, ctx) = (server.shared.clone(), ctx.clone());
            let name = CString::try_from_fmt(fmt!("zcnfsd-listen{}", i))?;
            let t = Thread::spawn(&name, move || listen(&l, &shared, &ctx, max_conns))?;
            server.threads.push(t, GFP_KERNEL)?;
        }
        Ok(server)
    }

    /// Stops every thread and closes every socket.
    fn stop(&mut self) {
        self.shared.lock().stopping = true;
        for l in self.listeners.iter() {
            l.shutdown();
        }
        // The listeners return: no connection is added after this.
        self.threads.clear();
        self.listeners.clear();
        let served = {
            let mut st = self.shared.lock();
            for s in st.served.iter().filter_map(|s| s.stream.as_ref()) {
                s.shutdown();
            }
            core::mem::take(&mut st.served)
        };
        // Each drop joins a connection's thread (outside the lock).
        drop(served);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Removes the finished connections from `st`; the caller drops them
/// (joining their threads) after releasing the lock.
fn reap(st: &mut State) -> KVec<Served> {
    let mut finished = KVec::new();
    let mut i = 0;
    while i < st.served.len() {
        if st.served[i].stream.is_none() {
            if let Ok(s) = st.served.remove(i) {
                // On allocation failure `s` drops (and joins) here, which
                // is only slower.
                let _ = finished.push(s, GFP_KERNEL);
            }
        } else {
            i += 1;
        }
    }
    finished
}

/// How many connections may have threads at once: the limit, plus as many
/// evicted ones (at least 16) whose threads have not returned yet.
fn max_entries(max_conns: usize) -> usize {
    max_conns.saturating_add(max_conns.max(16))
}

/// Shuts down the least recently active connection that is not being
/// evicted already.
fn evict_one(st: &mut State) {
    let victim = st
        .served
        .iter_mut()
        .filter(|s| s.stream.is_some() && !s.evicted)
        .min_by_key(|s| s.activity.load(Relaxed));
    if let Some(v) = victim {
        v.evicted = true;
        if let Some(s) = v.stream.as_ref() {
            s.shutdown();
        }
        stats::inc(&STATS.connections_evicted);
    }
}

/// Serves `stream` in a new thread; at the limit of `max_conns`, evicts the
/// least recently active connection first.
fn admit(shared: &Arc<Mutex<State>>, ctx: &Arc<ServerCtx>, stream: Stream, max_conns: usize) {
    let mut st = shared.lock();
    let finished = reap(&mut st);
    let live = st
        .served
        .iter()
        .filter(|s| s.stream.is_some() && !s.evicted)
        .count();
    if st.stopping || st.served.len() >= max_entries(max_conns) {
        drop(st);
        drop(finished);
        // Dropping the stream closes it (abortively).
        stats::inc(&STATS.connections_refused);
        return;
    }
    if live >= max_conns {
        evict_one(&mut st);
    }
    let r = (|| -> Result {
        let stream = Arc::new(stream, GFP_KERNEL)?;
        let activity = Arc::new(Atomic::new(now_ns()), GFP_KERNEL)?;
        st.served.reserve(1, GFP_KERNEL)?;
        let id = st.next_id;
        st.next_id += 1;
        let (s, sh, c, a) = (
            stream.clone(),
            shared.clone(),
            ctx.clone(),
            activity.clone(),
        );
        let name = CString::try_from_fmt(fmt!("zcnfsd-conn"))?;
        // The thread cannot look at `served` before the entry is pushed:
        // the lock is held until then.
        let thread = Thread::spawn(&name, move || {
            stats::inc(&STATS.connections_open);
            serve(s, c, a);
            // The entry's reference is the last one: dropping it (outside
            // the lock) closes the socket now, not when the entry is reaped.
            let last = sh
                .lock()
                .served
                .iter_mut()
                .find(|e| e.id == id)
                .and_then(|e| e.stream.take());
            drop(last);
            stats::dec(&STATS.connections_open);
        })?;
        // Reserved above: cannot fail.
        st.served.push(
            Served {
                id,
                stream: Some(stream),
                activity,
                evicted: false,
                _thread: thread,
            },
            GFP_KERNEL,
        )?;
        Ok(())
    })();
    drop(st);
    drop(finished);
    if let Err(e) = r {
        pr_warn_ratelimited!("no resources for a connection ({:?}); closed\n", e);
        stats::inc(&STATS.connections_refused);
    }
}

/// A listener thread: accepts connections and starts their threads.
fn listen(l: &Listener, shared: &Arc<Mutex<State>>, ctx: &Arc<ServerCtx>, max_conns: usize) {
    let mut errors = 0u32;
    loop {
        let r = l.accept();
        if shared.lock().stopping {
            return;
        }
        match r {
            Ok(s) => {
                errors = 0;
                stats::inc(&STATS.connections_accepted);
                admit(shared, ctx, s, max_conns);
            }
            Err(e) => {
                errors += 1;
                if errors >= 100 {
                    pr_err!("accept keeps failing ({:?}), listener stops\n", e);
                    return;
                }
            }
        }
    }
}

/// A connection's thread: serves it to its end.
fn serve(s: Arc<Stream>, ctx: Arc<ServerCtx>, activity: Arc<Atomic<i64>>) {
    match Connection::new(s, ctx, activity) {
        Ok(mut c) => c.serve(),
        Err(e) => pr_warn_ratelimited!("no memory for a connection ({:?})\n", e),
    }
}
