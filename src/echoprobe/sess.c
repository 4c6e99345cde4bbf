/*
 * sess.c: echoprobe's sockets: the address, a non-blocking connect,
 * poll(2) that stops on ^C, and one TCP session as a small state machine
 * (connecting, transfer, done or failed) that sends pattern bytes and
 * verifies the echo as it comes. Ping, rate and stream mode all drive it:
 * one session at a time, or K of them in one poll set.
 */
#include <errno.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "dscp.h"
#include "fmt.h"
#include "net.h"
#include "mono.h"
#include "probe.h"
#include "resolve.h"

/* ---- sockets ----------------------------------------------------------- */

void
sess_resolve(struct probe *p)
{
	const char *why;

	p->addrlen = resolve_host(p, &p->addr, &why);
	if (p->addrlen == 0)
		out_die(EX_NOHOST, "%S: %s", p->o.host, why);
	fmt_addr(p->hoststr, &p->addr.sa)[p->hoststr] = '\0';
}

static int
sess_unreachable(int e)
{
	return e == ECONNREFUSED || e == ENETUNREACH || e == EHOSTUNREACH ||
	    e == EHOSTDOWN || e == ENETDOWN || e == EADDRNOTAVAIL;
}

int
sess_oserr(struct probe *p, struct probe_err *e, const char *what)
{
	out_fail(e, sess_unreachable(errno) ? EX_UNAVAILABLE : EX_OSERR, "%s%s port %u: %m", what,
	    p->hoststr, p->o.port);
	return -1;
}

/* -I, -S and -Q on a new socket; -1 with e set. */
static int
sess_place(struct probe *p, int fd, struct probe_err *e)
{
	const struct probe_opts *o = &p->o;

	if (o->iface != NULL && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, o->iface,
	    strlen(o->iface) + 1) < 0) {
		if (errno == ENODEV)
			out_fail(e, EX_USAGE, "-I %s: no such interface", o->iface);
		else
			out_fail(e, EX_OSERR, "-I %s: %m", o->iface);
		return -1;
	}
	if (o->has_src && bind(fd, &o->src.sa, o->src.sa.sa_family == AF_INET ?
	    sizeof o->src.sin : sizeof o->src.sin6) < 0) {
		out_fail(e, errno == EADDRNOTAVAIL || errno == EAFNOSUPPORT ? EX_USAGE : EX_OSERR,
		    "-S %A: %m", &o->src.sa);
		return -1;
	}
	if (o->dscp >= 0 && dscp_set(fd, p->addr.sa.sa_family, o->dscp) < 0) {
		out_fail(e, EX_OSERR, "-Q: %m");
		return -1;
	}
	return 0;
}

ssize_t
sess_recv(struct probe *p, int fd)
{
	int d;
	ssize_t n = dscp_recvfrom(fd, p->rbuf, IOBUF, NULL, NULL, &d);

	if (n >= 0 && d >= 0) {
		if (p->dscp_back < 0)
			p->dscp_back = d;
		else if (d != p->dscp_back)
			p->dscp_other++;
	}
	return n;
}

/* A non-blocking socket with connect(2) started; -1 with e set. */
int
sess_connect(struct probe *p, int type, struct probe_err *e)
{
	static const int one = 1;
	int fd = socket(p->addr.sa.sa_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		out_fail(e, EX_OSERR, "socket: %m");
		return -1;
	}
	if (type == SOCK_STREAM)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	else
		(void)dscp_recv_on(fd, p->addr.sa.sa_family);
	if (sess_place(p, fd, e) < 0) {
		close(fd);
		return -1;
	}
	if (connect(fd, &p->addr.sa, p->addrlen) < 0 && errno != EINPROGRESS) {
		sess_oserr(p, e, "connect to ");
		close(fd);
		return -1;
	}
	return fd;
}

/* poll(2) through EINTR, with the signal fd in p[n], unless we were asked to stop. */
int
sess_poll(struct probe *pr, struct pollfd *p, nfds_t n, unsigned long long until)
{
	unsigned long long now;
	int r;

	p[n].fd = pr->sigfd;
	p[n].events = POLLIN;
	for (;;) {
		now = mono_us();
		if (pr->stop)
			return -1;
		r = poll(p, n + 1, until == 0 ? -1 : until <= now ? 0 :
		    (int)out_div(until - now + 999, 1000));
		if (r > 0 && p[n].revents != 0)
			pr->stop = 1;	/* left unread: the fd stays readable */
		else if (r >= 0)
			return r;
		else if (errno != EINTR && errno != EAGAIN)
			out_die(EX_OSERR, "poll: %m");
	}
}

/* ---- one TCP exchange: send len pattern bytes, verify the echo ---------- */

void
sess_begin(struct sess *s, unsigned long long base, unsigned long long len)
{
	pv_stream_init(&s->v, s->p->o.classic, s->p->o.tol, base, len);
	s->sent = 0;
	s->t0 = s->last = mono_us();
	s->state = len > 0 ? S_XFER : S_DONE;
}

static void
sess_fail(struct sess *s, int code, const char *what)
{
	out_fail(&s->err, code, "%s port %u: %s", s->p->hoststr, s->p->o.port, what);
	s->state = S_FAILED;
}

static void
sess_connected(struct sess *s)
{
	int err = 0;
	socklen_t len = sizeof err;
	char msg[128];

	if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err != 0) {
		errno = err;
		fmt(msg, sizeof msg, "connect: %m");
		sess_fail(s, sess_unreachable(err) ? EX_UNAVAILABLE : EX_OSERR, msg);
		return;
	}
	s->state = s->v.len > 0 ? S_XFER : S_DONE;	/* len 0: connecting was all */
	s->last = mono_us();
}

static void
sess_write(struct sess *s)
{
	unsigned long long left = s->v.len - s->sent;
	size_t n = left < IOBUF ? left : IOBUF;
	ssize_t w;
	char msg[128];

	pv_pattern(s->v.base + s->sent, s->p->sbuf, n);
	w = send(s->fd, s->p->sbuf, n, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (w < 0) {
		if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
			return;
		fmt(msg, sizeof msg, "send after %llu bytes: %m", s->sent);
		sess_fail(s, EX_PROTOCOL, msg);
		return;
	}
	s->sent += w;
	s->last = mono_us();
}

static void
sess_read(struct sess *s)
{
	static const int one = 1;
	ssize_t n;
	char msg[PV_WHY + 64];

	n = recv(s->fd, s->p->rbuf, IOBUF, MSG_DONTWAIT);
	if (n < 0) {
		if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
			return;
		fmt(msg, sizeof msg, "short reply: %m after %llu of %llu bytes echoed",
		    s->v.done, s->v.len);
		sess_fail(s, EX_PROTOCOL, msg);
		return;
	}
	if (n == 0) {
		fmt(msg, sizeof msg, "short reply: connection closed after %llu of %llu bytes echoed",
		    s->v.done, s->v.len);
		sess_fail(s, EX_PROTOCOL, msg);
		return;
	}
	s->last = mono_us();
	/* ACK at once: a delayed ACK would stall the server's Nagle, not measure it. */
	(void)setsockopt(s->fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
	switch (pv_stream_feed(&s->v, s->p->rbuf, n, time(NULL))) {
	case PV_OK:
		s->state = S_DONE;
		break;
	case PV_BAD:
		fmt(msg, sizeof msg, "reply mismatch: %s", s->v.why);
		sess_fail(s, EX_PROTOCOL, msg);
		break;
	}
}

short
sess_events(const struct sess *s)
{
	if (s->state == S_CONNECTING)
		return POLLOUT;
	return POLLIN | (s->sent < s->v.len ? POLLOUT : 0);
}

/* Reads and writes until the socket would block (a few rounds at most). */
void
sess_io(struct sess *s, short revents)
{
	unsigned long long before;
	int i;

	if (s->state == S_CONNECTING) {
		if (revents != 0)
			sess_connected(s);
		return;
	}
	for (i = 0; i < 8 && s->state == S_XFER; i++) {
		before = s->v.done + s->sent;
		if (revents & (POLLIN | POLLHUP | POLLERR))
			sess_read(s);
		if (s->state == S_XFER && (revents & POLLOUT) && s->sent < s->v.len)
			sess_write(s);
		if (s->v.done + s->sent == before)
			break;
		revents |= POLLIN;	/* an echo may be waiting now */
	}
}

void
sess_timeout(struct sess *s)
{
	char msg[128], buf[32];
	const char *ms = out_msi(s->p->o.timeout_us, buf);

	if (s->state == S_CONNECTING)
		fmt(msg, sizeof msg, "timeout: no connection after %s ms", ms);
	else
		fmt(msg, sizeof msg, "timeout: %llu of %llu bytes echoed, nothing more for %s ms",
		    s->v.done, s->v.len, ms);
	sess_fail(s, EX_TEMPFAIL, msg);
}

/* Drives one session until it is done or failed; the run deadline too. */
void
sess_run(struct sess *s, unsigned long long deadline)
{
	struct pollfd p[2];

	while (s->state == S_CONNECTING || s->state == S_XFER) {
		unsigned long long until = s->last + s->p->o.timeout_us;

		if (deadline != 0 && deadline < until)
			until = deadline;
		p[0].fd = s->fd;
		p[0].events = sess_events(s);
		p[0].revents = 0;
		if (sess_poll(s->p, p, 1, until) < 0) {
			sess_fail(s, EX_SOMEFAILED, "interrupted");
			return;
		}
		if (p[0].revents != 0)
			sess_io(s, p[0].revents);
		else if (mono_us() >= until)
			sess_timeout(s);
	}
}
