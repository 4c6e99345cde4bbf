/*
 * resolve.h: a host as the user typed it into an address: a literal
 * (IPv6 with %scope), /etc/hosts, then DNS through /etc/resolv.conf.
 */
#ifndef ECHOD_PROBE_RESOLVE_H
#define ECHOD_PROBE_RESOLVE_H

#include "net.h"
#include "probe.h"

/*
 * p->o.host and p->o.port into a (a ^C stops a DNS wait). Returns the
 * address length, or 0 with *why in the words of musl's gai_strerror
 * ("Name does not resolve", "Try again").
 */
socklen_t resolve_host(struct probe *p, union net_addr *a, const char **why);

#endif
