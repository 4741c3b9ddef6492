// SPDX-License-Identifier: GPL-2.0

//! [`Thread`]: a kernel thread running a Rust closure, started as
//! `kthread_run()` starts one (`kthread_create_on_node()`, then
//! `wake_up_process()`) with a task reference held
//! (`get_task_struct()`, through the kernel crate's helper), and stopped
//! with `kthread_stop_put()`.

use core::ptr::NonNull;
use kernel::bindings;
use kernel::error::from_err_ptr;
use kernel::ffi::{c_int, c_void};
use kernel::prelude::*;

/// A running kernel thread; dropping it waits for the thread to return
/// (the owner makes it return first, e.g. by stopping what it serves).
///
/// # Invariants
///
/// `task` is a kthread started by [`Thread::spawn`], on which this value
/// holds a task reference; `data` is the boxed closure it was given,
/// which the thread takes over if it runs.
pub(crate) struct Thread {
    task: NonNull<bindings::task_struct>,
    data: *mut c_void,
    drop_data: unsafe fn(*mut c_void),
}

// SAFETY: the task reference and the closure pointer may be handled from any
// thread; the closure is `Send`.
unsafe impl Send for Thread {}
// SAFETY: no method works through `&Thread`.
unsafe impl Sync for Thread {}

/// The thread function: runs the closure.
///
/// # Safety
///
/// `data` is the pointer `Thread::spawn` leaked for a `KBox<F>`, passed
/// once.
unsafe extern "C" fn thread_main<F: FnOnce() + Send + 'static>(data: *mut c_void) -> c_int {
    // SAFETY: `data` is the `KBox<F>` leaked by `Thread::spawn`; only this
    // function (which runs at most once) or `Thread::join` (when this never
    // ran) takes it back.
    let f = unsafe { KBox::from_raw(data.cast::<F>()) };
    KBox::into_inner(f)();
    0
}

/// Frees the closure of a thread that never ran.
///
/// # Safety
///
/// `data` is the pointer `Thread::spawn` leaked for a `KBox<F>`, not
/// taken back by `thread_main`.
unsafe fn drop_box<F>(data: *mut c_void) {
    // SAFETY: the caller passes the pointer leaked by `Thread::spawn` for
    // an `F`, not taken back by `thread_main`.
    drop(unsafe { KBox::from_raw(data.cast::<F>()) });
}

impl Thread {
    /// Starts a kernel thread named `name` running `f`.
    pub(crate) fn spawn<F: FnOnce() + Send + 'static>(name: &CStr, f: F) -> Result<Thread> {
        let data = KBox::into_raw(KBox::new(f, GFP_KERNEL)?).cast::<c_void>();
        // SAFETY: `thread_main::<F>` matches `data`; the name is formatted
        // by `"%s"` from `name`, a C string (`kthread_create()`).
        let task = unsafe {
            bindings::kthread_create_on_node(
                Some(thread_main::<F>),
                data,
                bindings::NUMA_NO_NODE,
                c"%s".as_char_ptr(),
                name.as_char_ptr(),
            )
        };
        match from_err_ptr(task).ok().and_then(NonNull::new) {
            Some(task) => {
                // SAFETY: `task` was just created and has not run yet (it
                // is woken below), so it is alive; the reference taken
                // lets `Drop` stop it whether or not it has returned.
                unsafe { bindings::get_task_struct(task.as_ptr()) };
                // SAFETY: as above; this starts the thread.
                unsafe { bindings::wake_up_process(task.as_ptr()) };
                // INVARIANT: started, with a task reference.
                Ok(Thread {
                    task,
                    data,
                    drop_data: drop_box::<F>,
                })
            }
            None => {
                // SAFETY: the thread was not created; the box is still ours.
                unsafe { drop_box::<F>(data) };
                Err(ENOMEM)
            }
        }
    }
}

impl Drop for Thread {
    fn drop(&mut self) {
        // SAFETY: by the type invariant we hold a task reference, which
        // `kthread_stop_put` consumes (`drop` runs once); it waits for the
        // thread to return and gives its value, or `-EINTR` if it was
        // stopped before the closure ran.
        let r = unsafe { bindings::kthread_stop_put(self.task.as_ptr()) };
        if r == -(bindings::EINTR as c_int) {
            // The thread was stopped before it ran: the closure is ours.
            // SAFETY: `thread_main` never ran, so `data` was not taken.
            unsafe { (self.drop_data)(self.data) };
        }
    }
}
