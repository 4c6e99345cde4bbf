/*
 * net.c: sockets and whole-buffer I/O, with EINTR and short writes handled
 * once, here.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

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

socklen_t
net_addr(union net_addr *a, const char *s, unsigned port)
{
	memset(a, 0, sizeof *a);
	if (s == NULL ? !have_ipv6() : inet_pton(AF_INET, s, &a->sin.sin_addr) == 1) {
		a->sin.sin_family = AF_INET;
		net_set_port(a, port);
		return sizeof a->sin;
	}
	if (s == NULL || inet_pton(AF_INET6, s, &a->sin6.sin6_addr) == 1) {
		a->sin6.sin6_family = AF_INET6;
		net_set_port(a, port);
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
	if (bind(fd, &a->sa, len) < 0)
		goto fail;
	if (type == SOCK_STREAM && ((idle > 0 && net_set_timeouts(fd, fd, idle) < 0) ||
	    listen(fd, backlog) < 0))
		goto fail;
	return fd;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

void
net_set_port(union net_addr *a, unsigned port)
{
	if (a->sa.sa_family == AF_INET)
		a->sin.sin_port = htons(port);
	else
		a->sin6.sin6_port = htons(port);
}

unsigned
net_port(const union net_addr *a)
{
	return ntohs(a->sa.sa_family == AF_INET ? a->sin.sin_port : a->sin6.sin6_port);
}

int
net_local_port(int fd)
{
	union net_addr a;
	socklen_t len = sizeof a;

	if (getsockname(fd, &a.sa, &len) < 0)
		return -1;
	return net_port(&a);
}

void
net_host_key(const union net_addr *a, unsigned char out[16], unsigned v6bits)
{
	unsigned i;

	if (a->sa.sa_family == AF_INET) {
		memset(out, 0, 10);
		out[10] = out[11] = 0xff;
		memcpy(out + 12, &a->sin.sin_addr, 4);
		return;
	}
	memcpy(out, &a->sin6.sin6_addr, 16);
	if (IN6_IS_ADDR_V4MAPPED(&a->sin6.sin6_addr))
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
