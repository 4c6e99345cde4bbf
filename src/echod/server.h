/*
 * server.h: the parent: listeners, accept, fork, reap, limits, signals.
 */
#ifndef ECHOD_SERVER_H
#define ECHOD_SERVER_H

#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "opts.h"

/* Sockets one echod serves at once: a fixed table, so the parent never allocates. */
#define SERVER_LISTEN_MAX 16

struct server_listeners {
	int fd[SERVER_LISTEN_MAX];
	unsigned n;		/* entries of fd in use */
	unsigned udp;		/* bit i set: fd[i] is a UDP socket, else a TCP listener */
	unsigned inet6;		/* bit i set: fd[i] is an IPv6 socket (for -Q), else IPv4 */
	int timeouts_set;	/* accepted sockets inherit the idle timeouts (net_listen) */
};

/*
 * Signal sets as bit masks, SIGBIT(SIGCHLD) | SIGBIT(SIGTERM): Linux's
 * sigset_t is the kernel's, an array of unsigned longs with signal n at bit
 * n-1 of the first one for n up to 32. sigemptyset() and four sigaddset()
 * calls cost more code than the set itself. These sets go only to system
 * calls, which read their first _NSIG / 8 bytes (8, 16 on MIPS).
 */
#define SIGBIT(sig) (1UL << ((sig) - 1))

static inline void
server_sigset(sigset_t *set, unsigned long bits)
{
	memset(set, 0, _NSIG / 8);	/* all the kernel reads */
	memcpy(set, &bits, sizeof bits);
}

/* sigprocmask(2) as the kernel has it: libc's checks how and hides its own signals from old. */
static inline void
server_sigmask(int how, const sigset_t *set, sigset_t *old)
{
	syscall(SYS_rt_sigprocmask, how, set, old, _NSIG / 8);
}

/*
 * Serves every listener in l until SIGTERM/SIGINT, then gives children a
 * grace period and returns the exit status (0).
 */
int server_run(const struct server_listeners *l, const struct opts *o);

#endif
