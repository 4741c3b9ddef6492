// SPDX-License-Identifier: GPL-2.0
/*
 * zcnfsd: kernel threads for the Rust server (thread.rs).  kthread_run()
 * is a macro and get_task_struct() an inline, hence these two helpers.
 */

#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/sched/task.h>

#include "zcnfsd_vfs.h"

/*
 * Start a kernel thread running fn(data).  The caller holds a task
 * reference, so that zcnfsd_thread_stop() may be called whether or not
 * the thread has returned already.
 */
struct task_struct *zcnfsd_thread_start(zcnfsd_thread_fn fn, void *data,
					const char *name)
{
	struct task_struct *task = kthread_create(fn, data, "%s", name);

	if (IS_ERR(task))
		return task;
	get_task_struct(task);
	wake_up_process(task);
	return task;
}

/*
 * Wait for the thread to finish and drop the reference.  Returns fn's
 * value, or -EINTR if the thread was stopped before fn ever ran.
 */
int zcnfsd_thread_stop(struct task_struct *task)
{
	return kthread_stop_put(task);
}
