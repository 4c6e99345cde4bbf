/*
 * server.h: the parent: listeners, accept, fork, reap, limits, signals.
 */
#ifndef ECHOD_SERVER_H
#define ECHOD_SERVER_H

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
 * Serves every listener in l until SIGTERM/SIGINT, then gives children a
 * grace period and returns the exit status (0).
 */
int server_run(const struct server_listeners *l, const struct opts *o);

#endif
