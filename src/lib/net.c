/*
 * net.c: sockets and whole-buffer I/O, with EINTR and short writes handled
 * once, here.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include "fmt.h"
#include "net.h"

ssize_t
net_read(int fd, void *buf, size_t len)
{
	ssize_t n;

	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n;
}

int
net_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= n;
	}
	return 0;
}

static int
have_ipv6(void)
{
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

/*
 * Address literals as inet_pton(3) reads them, which is 0.8 KiB in musl.
 * IPv4: four decimal parts 0-255, no leading zeros.
 */
static int
pton4(const char *s, unsigned char *a)
{
	int i, j, v;

	for (i = 0; i < 4; i++) {
		for (v = j = 0; j < 3 && s[j] >= '0' && s[j] <= '9'; j++)
			v = v * 10 + (s[j] - '0');
		if (j == 0 || (j > 1 && s[0] == '0') || v > 255)
			return 0;
		a[i] = v;
		s += j;
		if (*s++ != (i < 3 ? '.' : '\0'))
			return 0;
	}
	return 1;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 32;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/*
 * IPv6 (RFC 4291 2.2): groups of 1-4 hex digits, at most one "::" for one
 * or more zero groups, and the last 32 bits may be dotted IPv4.
 */
static int
pton6(const char *s, unsigned char *a)
{
	unsigned char g[16];
	int n = 0, gap = -1, k, v, h;

	if (s[0] == ':' && s[1] == ':') {
		gap = 0;
		s += 2;
	}
	while (*s != '\0') {
		if (n <= 12 && pton4(s, g + n)) {
			n += 4;
			break;
		}
		for (v = k = 0; k < 4 && (h = hexval(s[k])) >= 0; k++)
			v = v << 4 | h;
		if (k == 0 || n > 14)
			return 0;
		g[n++] = v >> 8;
		g[n++] = v;
		s += k;
		if (*s == '\0')
			break;
		if (*s++ != ':' || *s == '\0')
			return 0;
		if (*s == ':') {
			if (gap >= 0)
				return 0;
			gap = n;
			s++;
		}
	}
	if (gap < 0 ? n != 16 : n > 14)
		return 0;
	memset(a, 0, 16);
	memcpy(a, g, gap < 0 ? 16 : gap);
	if (gap >= 0)
		memcpy(a + 16 - (n - gap), g + gap, n - gap);
	return 1;
}

socklen_t
net_addr(union net_addr *a, const char *s, unsigned port)
{
	memset(a, 0, sizeof *a);
	net_set_port(a, port);	/* at the same place in both families */
	if (s == NULL ? !have_ipv6() : pton4(s, (unsigned char *)&a->sin.sin_addr)) {
		a->sin.sin_family = AF_INET;
		return sizeof a->sin;
	}
	if (s == NULL || pton6(s, a->sin6.sin6_addr.s6_addr)) {
		a->sin6.sin6_family = AF_INET6;
		return sizeof a->sin6;
	}
	return 0;
}

int
net_set_timeouts(int in, int out, unsigned seconds)
{
	struct timeval tv = { .tv_sec = seconds };

	if (setsockopt(in, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0 ||
	    setsockopt(out, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) < 0)
		return -1;
	return 0;
}

int
net_listen(const union net_addr *a, socklen_t len, int type, int backlog,
    unsigned idle)
{
	int fd, on = 1, off = 0, saved;

	fd = socket(a->sa.sa_family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	/*
	 * A restarted server must not wait out TIME_WAIT of its old connections.
	 * Never on UDP, which has no TIME_WAIT: there it would let any local
	 * user bind the same port and receive datagrams meant for us.
	 */
	if (type == SOCK_STREAM && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0)
		goto fail;
	/* Dual-stack whatever /proc/sys/net/ipv6/bindv6only says; fails harmlessly without IPv6. */
	if (a->sa.sa_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
	/* bind and listen as system calls: libc's are wrappers (50 bytes on armhf). */
	if (syscall(SYS_bind, fd, &a->sa, len) < 0)
		goto fail;
	if (type == SOCK_STREAM && ((idle > 0 && net_set_timeouts(fd, fd, idle) < 0) ||
	    syscall(SYS_listen, fd, backlog) < 0))
		goto fail;
	return fd;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

/*
 * The port is at the same place in both families, in network order, read
 * and written a byte at a time: musl's htons and ntohs are calls.
 */
_Static_assert(offsetof(struct sockaddr_in, sin_port) == offsetof(struct sockaddr_in6, sin6_port),
    "the port's place");

void
net_set_port(union net_addr *a, unsigned port)
{
	unsigned char *p = (unsigned char *)&a->sin.sin_port;

	p[0] = (unsigned char)(port >> 8);
	p[1] = (unsigned char)port;
}

unsigned
net_port(const union net_addr *a)
{
	const unsigned char *p = (const unsigned char *)&a->sin.sin_port;

	return (unsigned)p[0] << 8 | p[1];
}

int
net_local_port(int fd)
{
	union net_addr a;
	socklen_t len = sizeof a;

	if (syscall(SYS_getsockname, fd, &a.sa, &len) < 0)	/* libc's is a wrapper */
		return -1;
	return net_port(&a);
}

void
net_host_key(const union net_addr *a, unsigned char out[16], unsigned v6bits)
{
	unsigned i;

	if (a->sa.sa_family == AF_INET) {
		memcpy(out, fmt_v4mapped_prefix, 12);
		memcpy(out + 12, &a->sin.sin_addr, 4);
		return;
	}
	memcpy(out, &a->sin6.sin6_addr, 16);
	if (fmt_is_v4mapped(&a->sin6.sin6_addr))
		return;
	for (i = 0; i < 16; i++, v6bits = v6bits > 8 ? v6bits - 8 : 0)
		if (v6bits < 8)
			out[i] &= (unsigned char)(0xff00 >> v6bits);
}

int
net_same_host(const union net_addr *a, const union net_addr *b, unsigned v6bits)
{
	unsigned char x[16], y[16];

	net_host_key(a, x, v6bits);
	net_host_key(b, y, v6bits);
	return memcmp(x, y, 16) == 0;
}
