// SPDX-License-Identifier: GPL-2.0
/*
 * ptyrun CMD [ARG]...: run CMD with its stdout and stderr on a
 * pseudo-terminal and copy what it writes there to our stdout as it comes.
 *
 * The kselftest runner prefixes a program's output with busybox sed, which
 * buffers its output until the program ends unless it writes to a
 * terminal.  Run under ptyrun, every KTAP line reaches the guest's console
 * (and the log) when it is printed, so a crash loses none.  The terminal is
 * raw (no "\n" -> "\r\n").  Without pseudo-terminals CMD runs as it is.
 * Exits with CMD's status; returns once CMD has ended and its output is
 * drained, even if a process it left behind still holds the terminal.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static int copy_out(int m)
{
	char buf[4096];
	ssize_t n = read(m, buf, sizeof(buf));

	if (n <= 0)
		return n == 0 || errno != EINTR ? -1 : 0;
	for (ssize_t off = 0; off < n;) {
		ssize_t w = write(STDOUT_FILENO, buf + off, n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		off += w;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct termios t;
	int m, s, status = 0;
	char *name;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: ptyrun CMD [ARG]...\n");
		return 2;
	}
	m = posix_openpt(O_RDWR | O_NOCTTY);
	name = m < 0 || grantpt(m) || unlockpt(m) ? NULL : ptsname(m);
	s = name ? open(name, O_RDWR | O_NOCTTY) : -1;
	if (s < 0) {
		perror("ptyrun: no pseudo-terminal, running without");
		execvp(argv[1], argv + 1);
		perror("ptyrun: exec");
		return 127;
	}
	if (tcgetattr(s, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(s, TCSANOW, &t);
	}
	pid = fork();
	if (pid < 0) {
		perror("ptyrun: fork");
		return 127;
	}
	if (pid == 0) {
		close(m);
		dup2(s, STDOUT_FILENO);
		dup2(s, STDERR_FILENO);
		close(s);
		execvp(argv[1], argv + 1);
		perror("ptyrun: exec");
		_exit(127);
	}
	close(s);
	for (;;) {
		struct pollfd p = { .fd = m, .events = POLLIN };

		if (poll(&p, 1, 200) > 0 && copy_out(m) < 0)
			break;	/* EIO: every holder of the terminal closed it */
		if (waitpid(pid, &status, WNOHANG) == pid) {
			/* Drain what is left, without waiting for leftovers. */
			fcntl(m, F_SETFL, O_NONBLOCK);
			while (copy_out(m) == 0)
				;
			pid = 0;
			break;
		}
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
