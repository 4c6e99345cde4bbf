/*
 * net.h: sockets and whole-buffer I/O. These return -1 with errno set and
 * never print or exit; the caller decides what a failure means.
 */
#ifndef ECHOD_NET_H
#define ECHOD_NET_H

#include <netinet/in.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

/* The largest UDP payload: 65535 less the 8-byte UDP header (IPv6; over
 * IPv4 the 20-byte IP header leaves 65507 and the kernel says EMSGSIZE). */
#define NET_UDP_MAX 65527

union net_addr {
	struct sockaddr sa;
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
};

/* read(2) that retries EINTR. */
ssize_t net_read(int fd, void *buf, size_t len);
/* Writes all len bytes, through EINTR and short writes; 0 or -1. */
int net_write_all(int fd, const void *buf, size_t len);

/*
 * An IPv4 or IPv6 literal and a port into a. NULL means every address:
 * IPv6 dual-stack where the kernel has IPv6, else IPv4. Returns the
 * address length, or 0 if s is no literal.
 */
socklen_t net_addr(union net_addr *a, const char *s, unsigned port);

/*
 * The idle timeout as SO_RCVTIMEO, so an echo loop needs no poll(2) per
 * read, and SO_SNDTIMEO, which bounds a client that sends but never reads.
 * 0 or -1 (in is no socket: inetd mode on a pipe).
 */
int net_set_timeouts(int in, int out, unsigned seconds);

/*
 * socket, bind, and for SOCK_STREAM the idle timeouts (when idle > 0) and
 * listen: set before listen(), Linux copies them into every accepted
 * socket, from the first. Returns the fd or -1.
 */
int net_listen(const union net_addr *a, socklen_t len, int type, int backlog,
    unsigned idle);

/* Port of a bound socket, or -1. */
int net_local_port(int fd);
unsigned net_port(const union net_addr *a);
/* Sets the port of an AF_INET or AF_INET6 address. */
void net_set_port(union net_addr *a, unsigned port);

/*
 * The 16-byte IPv6 form of a's address (IPv4 as ::ffff:a.b.c.d), an IPv6
 * address cut to its first v6bits bits: what counts as one source.
 */
void net_host_key(const union net_addr *a, unsigned char out[16], unsigned v6bits);

/* The same source, whatever the port (IPv4-mapped == IPv4; IPv6 by its first v6bits). */
int net_same_host(const union net_addr *a, const union net_addr *b, unsigned v6bits);

#endif
