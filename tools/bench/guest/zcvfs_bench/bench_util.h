/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What zcvfs_bench and zcvfs_net share: dying with a message, the
 * monotonic clock, writing a whole buffer, the command line, the labels
 * of the JSON lines and the CPU times of a /proc/stat "cpu" line.
 */
#ifndef ZCVFS_BENCH_UTIL_H
#define ZCVFS_BENCH_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Print "PROGRAM: WHAT: strerror(errno)" and exit 1. */
static inline void die(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, what, strerror(errno));
	exit(1);
}

/* Print "PROGRAM: MSG" and exit 1. */
static inline void fail(const char *msg)
{
	fprintf(stderr, "%s: %s\n", program_invocation_short_name, msg);
	exit(1);
}

static inline unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* All of buf to fd, or die. */
static inline void write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("write");
		p += n;
		len -= n;
	}
}

/*
 * The labels of a measurement's JSON line (-b BENCH -v VARIANT -r REP):
 * print_head() opens the object with them.
 */
static const char *tag_bench = "", *tag_variant = "";
static int tag_rep;

/* A -b, -v or -r option: sets its label; false for any other option. */
static inline bool tag_option(int opt, const char *arg)
{
	switch (opt) {
	case 'b':
		tag_bench = arg;
		return true;
	case 'v':
		tag_variant = arg;
		return true;
	case 'r':
		tag_rep = atoi(arg);
		return true;
	}
	return false;
}

/* "PROGRAM: usage: see the comment at the top of PROGRAM.c" and exit 1. */
static inline void usage(void)
{
	fprintf(stderr, "%s: usage: see the comment at the top of %s.c\n",
		program_invocation_short_name, program_invocation_short_name);
	exit(1);
}

/*
 * The command line PROGRAM CMD [OPTION]... ARG...: returns CMD and leaves
 * *argc and *argv at the ARGs.  The options are those of optstring
 * (getopt's, with a leading '+'): -b, -v and -r set the labels
 * (tag_option()), any other is given to more() if there is one; one that
 * neither takes is a usage error.
 */
static inline const char *command_line(int *argc, char ***argv, const char *optstring,
				       bool (*more)(int opt, char *arg))
{
	const char *cmd;
	int opt;

	if (*argc < 2)
		usage();
	cmd = (*argv)[1];
	optind = 2;
	while ((opt = getopt(*argc, *argv, optstring)) != -1) {
		if (!tag_option(opt, optarg) && !(more && more(opt, optarg)))
			usage();
	}
	*argv += optind;
	*argc -= optind;
	return cmd;
}

static inline void print_head(void)
{
	printf("{\"bench\":\"%s\",\"variant\":\"%s\",\"rep\":%d", tag_bench, tag_variant,
	       tag_rep);
}

/* The system-wide CPU times, in USER_HZ ticks. */
struct cpu {
	unsigned long long busy, total;
};

/*
 * Parse /proc/stat's first line ("cpu user nice system idle iowait irq
 * softirq steal ..."; guest times are in user).  Busy = user + nice +
 * system + irq + softirq + steal; total adds idle and iowait.
 */
static inline bool cpu_parse(const char *line, struct cpu *c)
{
	unsigned long long v[10] = { 0 };

	if (sscanf(line, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
		   &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]) < 8)
		return false;
	c->busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
	c->total = c->busy + v[3] + v[4];
	return true;
}

#endif /* ZCVFS_BENCH_UTIL_H */
