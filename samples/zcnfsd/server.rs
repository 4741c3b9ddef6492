// SPDX-License-Identifier: GPL-2.0

//! The server's threads: one listener kthread per program port (NFS and
//! MOUNT), and one kthread per connection, as ksmbd does, at most
//! `threads` connections at once. A connection beyond that is accepted and
//! closed at once (counted in `connections_refused`), so that a client
//! sees a closed connection rather than a call that is never answered.
//!
//! Stopping (module unload): mark the server stopping, shut down both
//! listening sockets (which wakes the listeners) and every served stream
//! (which wakes its thread, blocked in a receive or send), and wait for
//! every thread to return. Streams close abortively when dropped. The
//! caller then waits for the zero-copy completions
//! ([`crate::net::wait_zc_idle`]) before the export goes.

use crate::connection::Connection;
use crate::export::Export;
use crate::log::pr_warn_ratelimited;
use crate::net::{Listener, Stream};
use crate::stats::{self, STATS};
use crate::vfs_ffi::Thread;
use kernel::new_mutex;
use kernel::prelude::*;
use kernel::str::CString;
use kernel::sync::{Arc, Mutex};

/// What every request handler needs.
pub(crate) struct ServerCtx {
    /// The export.
    pub(crate) export: Export,
    /// Whether READ and WRITE try loans (the `zerocopy` parameter).
    pub(crate) zerocopy: bool,
    /// WRITE/COMMIT verifier: the load time, so it changes on restart.
    pub(crate) verifier: [u8; 8],
}

/// Pending connections per listening socket.
const BACKLOG: u32 = 64;

/// A connection being served by its own thread.
struct Served {
    /// Identifies the entry for its thread.
    id: u64,
    /// The stream, until the thread is done with it (then `None`: its
    /// thread dropped the last reference, which closed the socket).
    stream: Option<Arc<Stream>>,
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

/// Serves `stream` in a new thread, unless `max_conns` are being served.
fn admit(shared: &Arc<Mutex<State>>, ctx: &Arc<ServerCtx>, stream: Stream, max_conns: usize) {
    let mut st = shared.lock();
    let finished = reap(&mut st);
    if st.stopping || st.served.len() >= max_conns {
        drop(st);
        drop(finished);
        // Dropping the stream closes it (abortively).
        stats::inc(&STATS.connections_refused);
        return;
    }
    let r = (|| -> Result {
        let stream = Arc::new(stream, GFP_KERNEL)?;
        st.served.reserve(1, GFP_KERNEL)?;
        let id = st.next_id;
        st.next_id += 1;
        let (s, sh, c) = (stream.clone(), shared.clone(), ctx.clone());
        let name = CString::try_from_fmt(fmt!("zcnfsd-conn"))?;
        // The thread cannot look at `served` before the entry is pushed:
        // the lock is held until then.
        let thread = Thread::spawn(&name, move || {
            stats::inc(&STATS.connections_open);
            serve(s, c);
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
fn serve(s: Arc<Stream>, ctx: Arc<ServerCtx>) {
    match Connection::new(s, ctx) {
        Ok(mut c) => c.serve(),
        Err(e) => pr_warn_ratelimited!("no memory for a connection ({:?})\n", e),
    }
}
