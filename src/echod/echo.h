/*
 * echo.h: the child's side: one connection served from start to end.
 */
#ifndef ECHOD_ECHO_H
#define ECHOD_ECHO_H

#include "net.h"

struct echo_conf {
	int mode;		/* MODE_CLASSIC or MODE_RAW */
	unsigned idle;		/* seconds of silence before we hang up, 0 = never */
	unsigned delay;		/* seconds to wait before serving (the book's sleep) */
	int timeouts_set;	/* the socket has them already (inherited from the listener) */
};

/* Byte counts a connection publishes while it runs, read by the parent. */
struct echo_count {
	unsigned long long in, out;
};

/*
 * RFC 862 (raw) or the book's reply (classic) from in to out until the
 * client closes. Returns 0 at end of input, or -1 with errno set
 * (ETIMEDOUT: idle timeout; others from read/write).
 */
int echo_stream(int in, int out, const struct echo_conf *c, struct echo_count *count);

/*
 * A whole connection as the book's handleClient: the greeting log line,
 * the delay, the echo, the closing log line with byte counts and duration.
 * peer may be NULL (not a socket). Returns an exit status for the child.
 */
int echo_session(int in, int out, const union net_addr *peer,
    const struct echo_conf *c, struct echo_count *count);

#endif
