/*
 * dscp.c: DiffServ code points by name and number, marking a socket, and
 * the mark a datagram came with. The name table is arithmetic, not a list:
 * csN is N*8, afXY is X*8 + Y*2, which keeps it a few dozen bytes.
 */
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "dscp.h"
#include "fmt.h"

static const struct {
	char name[3];
	unsigned char dscp;
} dscp_named[] = { { "ef", 46 }, { "va", 44 }, { "le", 1 } };

int
dscp_parse(const char *s)
{
	unsigned long v;
	unsigned i;
	const char *p = s;

	for (i = 0; i < sizeof dscp_named / sizeof dscp_named[0]; i++)
		if (strcmp(s, dscp_named[i].name) == 0)
			return dscp_named[i].dscp;
	if (s[0] == 'c' && s[1] == 's' && s[2] >= '0' && s[2] <= '7' && s[3] == '\0')
		return (s[2] - '0') * 8;
	if (s[0] == 'a' && s[1] == 'f' && s[2] >= '1' && s[2] <= '4' && s[3] >= '1' &&
	    s[3] <= '3' && s[4] == '\0')
		return (s[2] - '0') * 8 + (s[3] - '0') * 2;
	return fmt_parse_ulong(&p, 63, &v) == 0 && *p == '\0' ? (int)v : -1;
}

const char *
dscp_name(int dscp, char *out)
{
	unsigned i;

	for (i = 0; i < sizeof dscp_named / sizeof dscp_named[0]; i++)
		if (dscp == dscp_named[i].dscp) {
			memcpy(out, dscp_named[i].name, 3);
			return out;
		}
	if ((dscp & 7) == 0)
		fmt(out, 8, "cs%d", dscp >> 3);
	else if (dscp >> 3 >= 1 && dscp >> 3 <= 4 && (dscp & 1) == 0 && (dscp & 7) <= 6)
		fmt(out, 8, "af%d%d", dscp >> 3, (dscp & 7) >> 1);
	else
		fmt(out, 8, "%d", dscp);
	return out;
}

/* An IPv4 option, and on an IPv6 socket the IPv6 one too (IPv4 still
 * applies to its IPv4-mapped peers). */
static int
dscp_opt(int fd, int family, int v4, int v6, int value)
{
	int r = setsockopt(fd, IPPROTO_IP, v4, &value, sizeof value);

	if (family == AF_INET6)
		r = setsockopt(fd, IPPROTO_IPV6, v6, &value, sizeof value);
	return r;
}

int
dscp_set(int fd, int family, int dscp)
{
	return dscp_opt(fd, family, IP_TOS, IPV6_TCLASS, dscp << 2);
}

int
dscp_recv_on(int fd, int family)
{
	return dscp_opt(fd, family, IP_RECVTOS, IPV6_RECVTCLASS, 1);
}

ssize_t
dscp_recvfrom(int fd, void *buf, size_t cap, union net_addr *from, socklen_t *fromlen,
    int *dscp)
{
	union {
		struct cmsghdr align;
		char b[2 * CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = cap };
	struct msghdr m = {
		.msg_name = from, .msg_namelen = fromlen ? *fromlen : 0,
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.b, .msg_controllen = sizeof ctl.b,
	};
	struct cmsghdr *c;
	/* The system call itself: libc's recvmsg converts SO_TIMESTAMP for 32-bit
	 * time64 (300 bytes on armhf), which no caller here asks for. */
	ssize_t n = syscall(SYS_recvmsg, fd, &m, MSG_DONTWAIT);

	*dscp = -1;
	if (n < 0)
		return n;
	if (fromlen)
		*fromlen = m.msg_namelen;
	/* The one message asked for: IP_TOS (a byte) for an IPv4 datagram, also
	 * on an IPv6 socket, or IPV6_TCLASS (an int) for an IPv6 one. */
	c = CMSG_FIRSTHDR(&m);
	if (c != NULL)
		*dscp = (c->cmsg_level == IPPROTO_IP ? *(unsigned char *)CMSG_DATA(c) :
		    *(int *)(void *)CMSG_DATA(c)) >> 2 & 63;
	return n;
}
