// SPDX-License-Identifier: GPL-2.0
/*
 * tb_profile: a QEMU TCG plugin that counts the guest kernel's executed
 * instructions by translation block, for tools/bench/profile/profile.sh.
 *
 * Every translated block whose start address is in the kernel's half of
 * the address space gets an execution callback that counts its runs; a
 * block's instructions are its runs times its length.  Counting is exact
 * and does not depend on the host's load, unlike any time measured under
 * TCG.  Snapshots on request: when the file given as trigger=PATH
 * appears, its first line names an output file, which gets one line per
 * block ("start-address instructions-per-run runs", hexadecimal address),
 * and the trigger file is removed.  The difference of two snapshots is
 * what ran between them.
 *
 * Built by profile.sh with the host's gcc.  QEMU installs no plugin
 * header, so the few functions of its plugin API used here (API version
 * 1 to 4, unchanged since) are declared below.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_info;
typedef void (*tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb, vcpu_udata_cb_t cb,
					  int flags, void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);

#define EXPORT __attribute__((visibility("default")))
EXPORT int qemu_plugin_version = 4;

/* One entry per (start address, length): blocks are retranslated alike. */
#define NENT (1u << 21)
struct block {
	uint64_t vaddr;
	uint64_t insns;
	uint64_t runs;
};
static struct block *blocks;
static pthread_mutex_t blocks_lock = PTHREAD_MUTEX_INITIALIZER;
static const char *trigger;

/* The entry of a block (created if new); called under blocks_lock. */
static struct block *block_of(uint64_t vaddr, uint64_t insns)
{
	uint64_t h = (vaddr * 0x9E3779B97F4A7C15ull) >> 43;

	for (uint32_t probes = 0; probes < NENT; probes++, h++) {
		struct block *b = &blocks[h & (NENT - 1)];

		if (b->vaddr == vaddr && b->insns == insns)
			return b;
		if (!b->vaddr) {
			b->insns = insns;
			b->vaddr = vaddr;
			return b;
		}
	}
	return NULL;
}

static void on_run(unsigned int vcpu_index, void *userdata)
{
	(void)vcpu_index;
	/* Not atomic: two vCPUs running one block at once may lose a count. */
	((struct block *)userdata)->runs++;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	uint64_t vaddr = qemu_plugin_tb_vaddr(tb);
	struct block *b;

	(void)id;
	if (!(vaddr >> 63))	/* user space */
		return;
	pthread_mutex_lock(&blocks_lock);
	b = block_of(vaddr, qemu_plugin_tb_n_insns(tb));
	pthread_mutex_unlock(&blocks_lock);
	if (b)
		qemu_plugin_register_vcpu_tb_exec_cb(tb, on_run, 0, b);
}

static void snapshot(const char *path)
{
	FILE *o = fopen(path, "w");

	if (!o)
		return;
	for (uint32_t i = 0; i < NENT; i++)
		if (blocks[i].vaddr && blocks[i].runs)
			fprintf(o, "%llx %llu %llu\n", (unsigned long long)blocks[i].vaddr,
				(unsigned long long)blocks[i].insns,
				(unsigned long long)blocks[i].runs);
	fclose(o);
}

static void *watch_trigger(void *arg)
{
	char path[4096];

	(void)arg;
	for (;;) {
		FILE *t = fopen(trigger, "r");

		if (t) {
			if (fgets(path, sizeof(path), t)) {
				path[strcspn(path, "\n")] = 0;
				snapshot(path);
			}
			fclose(t);
			unlink(trigger);
		}
		usleep(100000);
	}
	return NULL;
}

EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const struct qemu_info *info,
			       int argc, char **argv)
{
	pthread_t watcher;

	(void)info;
	for (int i = 0; i < argc; i++)
		if (!strncmp(argv[i], "trigger=", 8))
			trigger = argv[i] + 8;
	if (!trigger) {
		fprintf(stderr, "tb_profile: trigger=PATH is required\n");
		return -1;
	}
	blocks = calloc(NENT, sizeof(*blocks));
	if (!blocks || pthread_create(&watcher, NULL, watch_trigger, NULL))
		return -1;
	pthread_detach(watcher);
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
	return 0;
}
