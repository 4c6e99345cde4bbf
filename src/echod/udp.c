/*
 * udp.c: RFC 862 echo over UDP, in the parent (a datagram service must never
 * block, and forking per datagram would be a gift to a flooder). Sources that
 * could start a loop with another echo-like service, or reflect to many, are
 * dropped as OpenBSD inetd's dg_badinput does: port 0 and reserved ports,
 * the NFS port, limited broadcast, multicast and 0.0.0.0/8 sources. A source
 * port equal to our own is dropped too (FreeBSD inetd's check_loop): that is
 * our own socket (one spoofed datagram would otherwise echo itself forever)
 * or another echod on the same port. Beyond that, each source gets at most
 * -r replies a second (ratelimit.c), so a loop through any other echo
 * service dies out too.
 * (Directed broadcasts would need the interface list; they are not checked.)
 */
#include <errno.h>

#include "dscp.h"
#include "fmt.h"
#include "log.h"
#include "mono.h"
#include "net.h"
#include "opts.h"
#include "ratelimit.h"
#include "reply.h"
#include "udp.h"

#define UDP_BURST 64

/*
 * The state of UDP echo, in one object: one base address for every field.
 * The descriptors start at 0, never a UDP socket's (fds 0-2 are taken at
 * start), so both caches start empty.
 */
static struct {
	int port_fd;		/* the socket whose port is port */
	unsigned port;
	int dscp_fd, dscp;	/* the DSCP last set, and on which socket */
	struct log_limit loop_lines, held_lines;	/* a sender can repeat these at will */
	char reply[REPLY_MAX];
	unsigned char buf[NET_UDP_MAX];
} u;

static int
bad_v4(const unsigned char *a)
{
	/* this-net, multicast, class E and the limited broadcast */
	return a[0] == 0 || a[0] >= 224;
}

/* Our port, for the loop check: looked up again only when another socket is served. */
static unsigned
local_port(int fd)
{
	if (fd != u.port_fd) {
		u.port_fd = fd;
		u.port = (unsigned)net_local_port(fd);
	}
	return u.port;
}

static int
bad_source(const union net_addr *a, unsigned ours)
{
	const unsigned char *v6 = a->sin6.sin6_addr.s6_addr;
	unsigned port = net_port(a);

	if (port < 1024 || port == 2049 || port == ours)	/* NFS, as inetd */
		return 1;
	if (a->sa.sa_family == AF_INET)
		return bad_v4((const unsigned char *)&a->sin.sin_addr);
	if (fmt_is_v4mapped(&a->sin6.sin6_addr))
		return bad_v4(v6 + 12);
	return v6[0] == 0xff || IN6_IS_ADDR_UNSPECIFIED(&a->sin6.sin6_addr);
}

/*
 * The reply carries the DSCP its datagram came with, so a client sees
 * whether the path re-marked it; set again only when it changes.
 */
static void
reflect_dscp(int fd, int family, int dscp)
{
	if (dscp < 0 || (fd == u.dscp_fd && dscp == u.dscp))
		return;
	if (dscp_set(fd, family, dscp) == 0) {
		u.dscp_fd = fd;
		u.dscp = dscp;
	}
}

void
udp_serve(int fd, int mode, struct udp_count *count)
{
	union net_addr from;
	socklen_t fromlen;
	const void *out;
	ssize_t n;
	size_t len;
	int i, first, dscp;

	for (i = 0; i < UDP_BURST; i++) {
		fromlen = sizeof from;
		n = dscp_recvfrom(fd, u.buf, sizeof u.buf, &from, &fromlen, &dscp);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				log_warn("udp recvfrom: %m");
			return;
		}
		count->in += n;
		if (bad_source(&from, local_port(fd))) {
			if (log_conn_enabled() && log_limit(&u.loop_lines,
			    "UDP datagrams dropped as a loop risk"))
				log_conn("Dropped UDP from %P: source could start a loop", &from.sa);
			goto drop;
		}
		if (!ratelimit_allow(&from, &first)) {
			if (first && log_limit(&u.held_lines, "sources held back by -r"))
				log_warn("UDP replies to %A held back: over the -r limit", &from.sa);
			goto drop;
		}
		out = u.buf;
		len = n;
		if (mode == MODE_CLASSIC) {
			/* As recv(1024) on a datagram socket: the rest of a longer datagram is gone. */
			len = reply_classic(u.reply, u.buf,
			    len > REPLY_CHUNK ? REPLY_CHUNK : len, mono_wall());
			out = u.reply;
		}
		reflect_dscp(fd, from.sa.sa_family, dscp);
		if (sendto(fd, out, len, MSG_DONTWAIT, &from.sa, fromlen) >= 0) {
			count->out += len;
			continue;
		}
drop:
		count->dropped++;
	}
}
