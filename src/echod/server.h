/*
 * server.h: the parent: listeners, accept, fork, reap, limits, signals.
 */
#ifndef ECHOD_SERVER_H
#define ECHOD_SERVER_H

#include "opts.h"

/*
 * Serves tcp (and udp, or -1) until SIGTERM/SIGINT, then gives children a
 * grace period and returns the exit status (0).
 */
int server_run(int tcp, int udp, const struct opts *o);

#endif
