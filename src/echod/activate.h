/*
 * activate.h: listening sockets handed over by a service manager (systemd
 * socket activation, sd_listen_fds(3)), without libsystemd.
 */
#ifndef ECHOD_ACTIVATE_H
#define ECHOD_ACTIVATE_H

#include "server.h"

/*
 * Takes the sockets LISTEN_PID and LISTEN_FDS pass to this process into l
 * (a listening stream socket serves TCP, a datagram socket UDP), logs each
 * with its LISTEN_FDNAMES name, and removes the three variables from the
 * environment. Returns how many were passed to us: 0 when LISTEN_PID is
 * unset or names another process. A wrong environment (a count that is no
 * number or above SERVER_LISTEN_MAX, an fd that is not a listening TCP or a
 * UDP socket) exits with EX_USAGE and a one-line reason.
 */
unsigned activate_listeners(struct server_listeners *l);

#endif
