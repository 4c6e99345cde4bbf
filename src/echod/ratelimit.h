/*
 * ratelimit.h: how many UDP replies one source may get, as a token bucket
 * per source (DNS servers' response rate limiting, in small).
 */
#ifndef ECHOD_RATELIMIT_H
#define ECHOD_RATELIMIT_H

#include "net.h"

/* rate replies per second, bursts of up to burst; rate 0 turns it off. */
void ratelimit_init(unsigned rate, unsigned burst);

/*
 * 1 if src may get a reply now (and takes its token), 0 if it must wait.
 * *first is set when this is the first reply held back since src was last
 * under its limit: one log line per burst, not one per datagram.
 */
int ratelimit_allow(const union net_addr *src, int *first);

#endif
