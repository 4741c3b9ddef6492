// SPDX-License-Identifier: GPL-2.0
/*
 * zcvfs_net: the two-guest side of `make bench` (zcvfs_net.sh): a server
 * guest and a client guest joined by an emulated NIC.  The client drives;
 * the server answers.
 *
 *   zcvfs_net agent PORT SCRIPT     (server) serve requests, one per TCP
 *                                   connection: a line of words, run as
 *                                   `sh SCRIPT WORDS...`, its output sent
 *                                   back, then "ZCVFS-RC <status>"; the
 *                                   line "quit" ends the agent
 *   zcvfs_net rpc HOST PORT WORDS...  (client) one request; prints the
 *                                   output, exits with the remote status
 *   zcvfs_net delta BEFORE AFTER    two snapshots of the server (files of
 *                                   its /proc/stat "cpu" line and "name
 *                                   value" counters) -> a JSON object:
 *                                   busy_ticks, total_ticks and counters
 *   zcvfs_net netrecv [TAGS] PORT MIB HOST APORT WORDS...
 *                                   (client) listen on PORT, ask the agent
 *                                   at HOST:APORT to run WORDS (which
 *                                   connect and send), drain MIB MiB; one
 *                                   timed JSON line with the server's CPU
 *   zcvfs_net sendto HOST PORT PATH (server) sendfile(2) of PATH to HOST
 *   zcvfs_net rpcd PMAP_PORT MOUNT_PORT CLIENT
 *                                   (server) the two RPC services knfsd
 *                                   needs from user space, minimal: an
 *                                   rpcbind (v2-4) on 127.0.0.1 that
 *                                   accepts every SET/UNSET, and a MOUNT v3
 *                                   server whose MNT answers with the root
 *                                   file handle /proc/fs/nfsd/filehandle
 *                                   gives for domain CLIENT
 *
 * TAGS: -b BENCH -v VARIANT -r REP label the output line.
 * Busy = user + nice + system + irq + softirq + steal, in USER_HZ ticks.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "bench_util.h"

#define MIB		(1024 * 1024)
#define MAX_LINE	4096
#define MAX_REPLY	(1024 * 1024)
#define MAX_COUNTERS	128



static int listen_on(uint32_t addr, int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(addr);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 16))
		die("listen");
	return fd;
}

static int connect_to(const char *host, int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd;

	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		fail("not an IPv4 address");
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* ---- agent / rpc ---------------------------------------------------- */

static int cmd_agent(int port, const char *script)
{
	int lfd = listen_on(INADDR_ANY, port);

	for (;;) {
		char line[MAX_LINE], cmd[MAX_LINE + 256], rc[32];
		size_t len = 0;
		int fd, status;
		pid_t pid;

		fd = accept(lfd, NULL, NULL);
		if (fd < 0) {
			if (errno == EINTR)
				continue;
			die("accept");
		}
		/* One line: the words of the request (no quoting). */
		while (len < sizeof(line) - 1) {
			ssize_t n = read(fd, line + len, 1);

			if (n <= 0 || line[len] == '\n')
				break;
			len++;
		}
		line[len] = 0;
		if (!strcmp(line, "quit")) {
			write_all(fd, "ZCVFS-RC 0\n", 11);
			close(fd);
			return 0;
		}
		if (strspn(line, "abcdefghijklmnopqrstuvwxyz0123456789-_./=: ") != len) {
			write_all(fd, "bad request\nZCVFS-RC 2\n", 23);
			close(fd);
			continue;
		}
		snprintf(cmd, sizeof(cmd), "exec sh %s %s", script, line);
		pid = fork();
		if (pid < 0)
			die("fork");
		if (!pid) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
			close(lfd);
			execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
			_exit(127);
		}
		while (waitpid(pid, &status, 0) < 0)
			if (errno != EINTR)
				die("waitpid");
		snprintf(rc, sizeof(rc), "ZCVFS-RC %d\n",
			 WIFEXITED(status) ? WEXITSTATUS(status) : 128);
		write_all(fd, rc, strlen(rc));
		close(fd);
	}
}

/* Run WORDS on the agent; the output in *out (malloc'ed), the status returned. */
static int rpc(const char *host, int port, int nwords, char **words, char **out)
{
	char line[MAX_LINE] = "", *buf, *tail;
	size_t len = 0;
	int fd, rc;

	for (int i = 0; i < nwords; i++) {
		if (strlen(line) + strlen(words[i]) + 2 >= sizeof(line))
			fail("rpc: request too long");
		strcat(line, words[i]);
		strcat(line, i + 1 < nwords ? " " : "\n");
	}
	fd = connect_to(host, port);
	if (fd < 0)
		return -1;
	write_all(fd, line, strlen(line));
	buf = malloc(MAX_REPLY + 1);
	if (!buf)
		fail("out of memory");
	for (;;) {
		ssize_t n = read(fd, buf + len, MAX_REPLY - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
		if (len == MAX_REPLY)
			fail("rpc: reply too long");
	}
	close(fd);
	buf[len] = 0;
	tail = strstr(buf, "ZCVFS-RC ");
	while (tail && strstr(tail + 1, "ZCVFS-RC "))
		tail = strstr(tail + 1, "ZCVFS-RC ");
	if (!tail)
		fail("rpc: no status in the reply (agent gone?)");
	rc = atoi(tail + 9);
	*tail = 0;
	*out = buf;
	return rc;
}

static int cmd_rpc(const char *host, int port, int nwords, char **words)
{
	char *out;
	int rc = rpc(host, port, nwords, words, &out);

	if (rc < 0)
		die("rpc: connect");
	fputs(out, stdout);
	free(out);
	return rc;
}

/* ---- snapshots of the server ---------------------------------------- */

struct snap {
	unsigned long long busy, total;
	int n;
	char name[MAX_COUNTERS][64];
	unsigned long long val[MAX_COUNTERS];
};

static void snap_parse(const char *text, struct snap *s)
{
	const char *p = text;

	memset(s, 0, sizeof(*s));
	s->busy = s->total = ~0ULL;
	while (*p) {
		struct cpu c;
		char name[64];
		const char *nl = strchr(p, '\n');

		if (cpu_parse(p, &c)) {
			s->busy = c.busy;
			s->total = c.total;
		} else if (s->n < MAX_COUNTERS &&
			   sscanf(p, "%63s %llu", name, &s->val[s->n]) == 2) {
			strcpy(s->name[s->n], name);
			s->n++;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	if (s->busy == ~0ULL)
		fail("snapshot without a cpu line");
}

static void print_delta(const struct snap *b, const struct snap *a)
{
	printf("{\"busy_ticks\":%llu,\"total_ticks\":%llu,\"hz\":%ld,\"counters\":{",
	       a->busy - b->busy, a->total - b->total, sysconf(_SC_CLK_TCK));
	for (int i = 0, first = 1; i < a->n; i++) {
		unsigned long long d = 0;

		for (int k = 0; k < b->n; k++)
			if (!strcmp(b->name[k], a->name[i]) && b->val[k] <= a->val[i])
				d = a->val[i] - b->val[k];
		printf("%s\"%s\":%llu", first ? "" : ",", a->name[i], d);
		first = 0;
	}
	printf("}}");
}

static char *slurp(const char *path)
{
	static char buf[2][MAX_REPLY + 1];
	static int which;
	char *b = buf[which++ & 1];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		die(path);
	n = read(fd, b, MAX_REPLY);
	if (n < 0)
		die(path);
	b[n] = 0;
	close(fd);
	return b;
}

static int cmd_delta(const char *before, const char *after)
{
	static struct snap b, a;

	snap_parse(slurp(before), &b);
	snap_parse(slurp(after), &a);
	print_delta(&b, &a);
	printf("\n");
	return 0;
}

/* ---- sendfile over the NIC ------------------------------------------ */

static int cmd_sendto(const char *host, int port, const char *path)
{
	struct stat st;
	off_t off = 0;
	int fd = open(path, O_RDONLY), sfd;

	if (fd < 0 || fstat(fd, &st))
		die(path);
	sfd = connect_to(host, port);
	if (sfd < 0)
		die("sendto: connect");
	while (off < st.st_size) {
		ssize_t n = sendfile(sfd, fd, &off, st.st_size - off);

		if (n < 0 && errno != EINTR)
			die("sendfile");
		if (n == 0)
			fail("sendfile: unexpected end of file");
	}
	close(sfd);
	close(fd);
	return 0;
}

struct remote {
	const char *host;
	int port, nwords, rc;
	char **words;
	volatile int done;
};

static void *remote_thread(void *arg)
{
	struct remote *r = arg;
	char *out;

	r->rc = rpc(r->host, r->port, r->nwords, r->words, &out);
	if (r->rc > 0)
		fprintf(stderr, "zcvfs_net: remote: %s", out);
	if (r->rc >= 0)
		free(out);
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static int cmd_netrecv(int port, long mib, const char *host, int aport, int nwords, char **words)
{
	static struct snap b, a;
	struct remote r = { host, aport, nwords, 0, words, 0 };
	struct pollfd pl = { .events = POLLIN };
	unsigned long long bytes = 0, ns, cb = 0, ct = 0;
	char *snap_b, *snap_a, *snapw[] = { "snap" };
	unsigned long long v[10] = { 0 };
	int lfd = listen_on(INADDR_ANY, port), fd;
	size_t bufsz = MIB;
	char *buf = malloc(bufsz);
	pthread_t th;
	FILE *f;

	if (!buf)
		fail("out of memory");
	if (rpc(host, aport, 1, snapw, &snap_b))
		fail("netrecv: snapshot failed");
	f = fopen("/proc/stat", "r");
	if (!f || fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
			 &v[3], &v[4], &v[5], &v[6], &v[7]) != 8)
		fail("/proc/stat");
	fclose(f);
	cb = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
	ct = cb + v[3] + v[4];
	ns = now_ns();
	if (pthread_create(&th, NULL, remote_thread, &r))
		fail("pthread_create");
	/* The sender connects, unless its command failed first. */
	pl.fd = lfd;
	while (poll(&pl, 1, 1000) == 0 || !(pl.revents & POLLIN))
		if (__atomic_load_n(&r.done, __ATOMIC_ACQUIRE) && poll(&pl, 1, 1000) == 0) {
			fprintf(stderr, "zcvfs_net: netrecv: the sender never connected\n");
			exit(1);
		}
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		die("accept");
	for (;;) {
		ssize_t n = recv(fd, buf, bufsz, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		bytes += n;
	}
	ns = now_ns() - ns;
	pthread_join(th, NULL);
	f = fopen("/proc/stat", "r");
	if (!f || fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
			 &v[3], &v[4], &v[5], &v[6], &v[7]) != 8)
		fail("/proc/stat");
	fclose(f);
	cb = v[0] + v[1] + v[2] + v[5] + v[6] + v[7] - cb;
	ct = v[0] + v[1] + v[2] + v[5] + v[6] + v[7] + v[3] + v[4] - ct;
	if (rpc(host, aport, 1, snapw, &snap_a))
		fail("netrecv: snapshot failed");
	close(fd);
	close(lfd);
	free(buf);
	if (r.rc)
		fail("netrecv: the sender failed");
	if (bytes != (unsigned long long)mib * MIB)
		fail("netrecv: short transfer");
	snap_parse(snap_b, &b);
	snap_parse(snap_a, &a);
	print_head();
	printf(",\"bytes\":%llu,\"ns\":%llu,\"busy_ticks\":%llu,\"total_ticks\":%llu,\"hz\":%ld",
	       bytes, ns, cb, ct, sysconf(_SC_CLK_TCK));
	printf(",\"srv\":");
	print_delta(&b, &a);
	printf("}\n");
	free(snap_b);
	free(snap_a);
	return 0;
}

/* ---- rpcbind and MOUNT for knfsd -------------------------------------- */

#define RPCB_PROG	100000
#define MOUNT_PROG	100005

static const char *mount_client;

struct xdr {
	uint32_t *p, *end;
};

static int xdr_u32(struct xdr *x, uint32_t *v)
{
	if (x->p >= x->end)
		return -1;
	*v = ntohl(*x->p++);
	return 0;
}

static int xdr_skip_opaque(struct xdr *x, char *copy, size_t max)
{
	uint32_t len;

	if (xdr_u32(x, &len) || len > 4096 || x->p + (len + 3) / 4 > x->end)
		return -1;
	if (copy) {
		if (len >= max)
			return -1;
		memcpy(copy, x->p, len);
		copy[len] = 0;
	}
	x->p += (len + 3) / 4;
	return 0;
}

/* The root file handle of PATH for the domain, from knfsd itself. */
static int root_fh(const char *path, unsigned char *fh, size_t *fhlen)
{
	char req[MAX_LINE], resp[512], *h;
	int fd = open("/proc/fs/nfsd/filehandle", O_RDWR);
	ssize_t n;

	if (fd < 0)
		return -1;
	snprintf(req, sizeof(req), "%s %s 64\n", mount_client, path);
	if (write(fd, req, strlen(req)) < 0) {
		close(fd);
		return -1;
	}
	n = read(fd, resp, sizeof(resp) - 1);
	close(fd);
	if (n < 3)
		return -1;
	resp[n] = 0;
	h = resp;
	if (strncmp(h, "\\x", 2))
		return -1;
	h += 2;
	*fhlen = 0;
	while (h[0] && h[1] && h[0] != '\n' && *fhlen < 64) {
		unsigned int byte;

		if (sscanf(h, "%2x", &byte) != 1)
			return -1;
		fh[(*fhlen)++] = byte;
		h += 2;
	}
	return *fhlen ? 0 : -1;
}

/* Answer one call in `in` (n words) into `out`; returns the reply's words. */
static int rpc_answer(uint32_t *in, size_t n, uint32_t *out)
{
	struct xdr x = { in, in + n };
	uint32_t xid, type, rpcvers, prog, vers, proc, flavor, *o = out;
	char path[1024];

	if (xdr_u32(&x, &xid) || xdr_u32(&x, &type) || type != 0 || xdr_u32(&x, &rpcvers) ||
	    xdr_u32(&x, &prog) || xdr_u32(&x, &vers) || xdr_u32(&x, &proc) ||
	    xdr_u32(&x, &flavor) || xdr_skip_opaque(&x, NULL, 0) || xdr_u32(&x, &flavor) ||
	    xdr_skip_opaque(&x, NULL, 0))
		return -1;
	*o++ = htonl(xid);
	*o++ = htonl(1);	/* REPLY */
	*o++ = htonl(0);	/* MSG_ACCEPTED */
	*o++ = htonl(0);	/* verifier: AUTH_NONE, empty */
	*o++ = htonl(0);
	if (prog == RPCB_PROG && vers >= 2 && vers <= 4) {
		*o++ = htonl(0);	/* SUCCESS */
		switch (proc) {
		case 0:			/* NULL */
			break;
		case 1:			/* SET: yes */
		case 2:			/* UNSET: yes */
			*o++ = htonl(1);
			break;
		case 3:			/* GETPORT (v2) / GETADDR: unknown */
			*o++ = htonl(0);
			break;
		default:
			o[-1] = htonl(3);	/* PROC_UNAVAIL */
		}
	} else if (prog == MOUNT_PROG && vers == 3) {
		unsigned char fh[64];
		size_t fhlen;

		*o++ = htonl(0);	/* SUCCESS */
		switch (proc) {
		case 0:			/* NULL */
		case 3:			/* UMNT */
		case 4:			/* UMNTALL */
			break;
		case 1:			/* MNT */
			if (xdr_skip_opaque(&x, path, sizeof(path))) {
				o[-1] = htonl(4);	/* GARBAGE_ARGS */
				break;
			}
			if (root_fh(path, fh, &fhlen)) {
				fprintf(stderr, "zcvfs_net: rpcd: no file handle for %s\n", path);
				*o++ = htonl(13);	/* MNT3ERR_ACCES */
				break;
			}
			*o++ = htonl(0);		/* MNT3_OK */
			*o++ = htonl(fhlen);
			memset(o, 0, (fhlen + 3) & ~3UL);
			memcpy(o, fh, fhlen);
			o += (fhlen + 3) / 4;
			*o++ = htonl(1);		/* one flavour: */
			*o++ = htonl(1);		/* AUTH_UNIX */
			break;
		case 5:			/* EXPORT: an empty list */
			*o++ = htonl(0);
			break;
		default:
			o[-1] = htonl(3);	/* PROC_UNAVAIL */
		}
	} else if (prog == MOUNT_PROG) {
		*o++ = htonl(2);	/* PROG_MISMATCH */
		*o++ = htonl(3);
		*o++ = htonl(3);
	} else {
		*o++ = htonl(1);	/* PROG_UNAVAIL */
	}
	return o - out;
}

static int read_full(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

/* One TCP connection: record-marked calls, one fragment each. */
static void rpc_serve(int fd)
{
	static uint32_t in[16384], out[256];

	for (;;) {
		uint32_t mark, len;
		int n;

		if (read_full(fd, &mark, 4))
			break;
		len = ntohl(mark) & 0x7fffffff;
		if (!(ntohl(mark) & 0x80000000) || len > sizeof(in) || len % 4 ||
		    read_full(fd, in, len))
			break;
		n = rpc_answer(in, len / 4, out + 1);
		if (n < 0)
			break;
		out[0] = htonl(0x80000000 | (n * 4));
		write_all(fd, out, (n + 1) * 4);
	}
	close(fd);
}

static int cmd_rpcd(int pmap_port, int mount_port, const char *client)
{
	struct pollfd p[2];

	mount_client = client;
	signal(SIGCHLD, SIG_IGN);
	p[0].fd = listen_on(INADDR_LOOPBACK, pmap_port);
	p[1].fd = listen_on(INADDR_ANY, mount_port);
	p[0].events = p[1].events = POLLIN;
	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		for (int i = 0; i < 2; i++) {
			int fd;
			pid_t pid;

			if (!(p[i].revents & POLLIN))
				continue;
			fd = accept(p[i].fd, NULL, NULL);
			if (fd < 0)
				continue;
			pid = fork();
			if (!pid) {
				close(p[0].fd);
				close(p[1].fd);
				rpc_serve(fd);
				_exit(0);
			}
			close(fd);
		}
	}
}

int main(int argc, char **argv)
{
	const char *cmd = command_line(&argc, &argv, "+b:v:r:", NULL);

	signal(SIGPIPE, SIG_IGN);

	if (!strcmp(cmd, "agent") && argc == 2)
		return cmd_agent(atoi(argv[0]), argv[1]);
	if (!strcmp(cmd, "rpc") && argc >= 3)
		return cmd_rpc(argv[0], atoi(argv[1]), argc - 2, argv + 2);
	if (!strcmp(cmd, "delta") && argc == 2)
		return cmd_delta(argv[0], argv[1]);
	if (!strcmp(cmd, "sendto") && argc == 3)
		return cmd_sendto(argv[0], atoi(argv[1]), argv[2]);
	if (!strcmp(cmd, "netrecv") && argc >= 5)
		return cmd_netrecv(atoi(argv[0]), atol(argv[1]), argv[2], atoi(argv[3]),
				   argc - 4, argv + 4);
	if (!strcmp(cmd, "rpcd") && argc == 3)
		return cmd_rpcd(atoi(argv[0]), atoi(argv[1]), argv[2]);
	usage();
	return 1;
}
