/*
 * probe.c: echoprobe, echod's diagnostic client and load generator. Ping
 * mode (one probe a second, RTT and loss, TCP or UDP), connection-rate mode
 * (K workers: connect, send, verify, close) and stream mode (one connection,
 * full duplex, N MiB). Every byte that comes back is verified
 * (probe_verify.c); the exit code says what went wrong.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "fmt.h"
#include "log.h"
#include "net.h"
#include "probe_verify.h"

#define EX_SOMEFAILED 1
#define MAX_WORKERS 1024
#define MAX_COUNT 10000000UL
#define IOBUF 65536
#define UDP_MAX 65507

static const char usage_text[] =
    "usage: echoprobe [-jqu] [-b MiB | -r workers] [-c count] [-i interval]\n"
    "                 [-m classic|raw] [-s size] [-t tolerance] [-W timeout]\n"
    "                 [-w deadline] host [port]\n";

static const char help_text[] =
    "Checks an echo service (RFC 862, or echod's classic replies) and measures it.\n"
    "Every reply is verified: raw must be byte-identical, classic must be exactly\n"
    "Echo=>b'...' at <ctime> for what was sent, the ctime within -t of our clock.\n"
    "  (default)  ping: one probe per interval on one connection (or UDP datagrams),\n"
    "             a line per probe, then sent/received/loss and RTT min/avg/max/mdev\n"
    "  -r K   connection rate: K workers, each connect, send, verify, close, again,\n"
    "         until -c connections (1000) or -w seconds (10)\n"
    "  -b N   stream: one connection, N MiB sent and verified full duplex, MB/s\n"
    "  -c     probes (5) or connections (1000)     -i  seconds between probes (1)\n"
    "  -j     one JSON object per run on stdout    -q  summary only\n"
    "  -m     classic (default, echod's default) or raw\n"
    "  -s     bytes per probe or connection (64)   -u  UDP (ping mode only)\n"
    "  -t     seconds a classic ctime may be off our clock (10); TZ must match the server's\n"
    "  -W     seconds to wait for progress on a reply (5)\n"
    "  -w     seconds the whole run may take (ping, stream: none; rate: 10)\n"
    "  -h, --help   this help    -V  version\n"
    "  port defaults to 50007; host is an address or a name.\n"
    "exit: 0 all verified; 1 some probes lost (UDP) or connections failed;\n"
    "      64 usage; 68 unknown host; 69 connection refused or unreachable;\n"
    "      71 system error; 75 timeout (no reply); 76 reply mismatch or short reply\n";

enum { MODE_PING, MODE_RATE, MODE_STREAM };

static struct {
	int udp, json, quiet, classic, mode;
	unsigned long count;
	unsigned long long interval_us, timeout_us, deadline_us;
	unsigned long size;
	unsigned workers;
	unsigned long long stream_bytes;
	long tol;
	const char *host;
	unsigned port;
} o = {
	.classic = 1, .interval_us = 1000000, .timeout_us = 5000000,
	.size = 64, .tol = 10, .port = ECHOD_PORT,
};

static union net_addr addr;
static socklen_t addrlen;
static char hoststr[64];
static volatile sig_atomic_t want_stop;

/* What went wrong first, for the message and the exit code. */
static int fail_code;
static char fail_msg[PV_WHY + 64];

static unsigned char sbuf[IOBUF], rbuf[IOBUF];

static unsigned long long
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
on_stop(int sig)
{
	(void)sig;
	want_stop = 1;
}

static void
fail(int code, const char *f, ...)
{
	va_list ap;

	if (fail_code != 0)
		return;
	fail_code = code;
	va_start(ap, f);
	fmt_v(fail_msg, sizeof fail_msg, f, ap);
	va_end(ap);
}

/* ---- output ------------------------------------------------------------ */

static char out[4096];
static size_t nout;

static void
put(const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	nout += fmt_v(out + nout, sizeof out - nout, f, ap);
	va_end(ap);
	if (nout > sizeof out - 512) {
		(void)net_write_all(STDOUT_FILENO, out, nout);
		nout = 0;
	}
}

static void
flush(void)
{
	(void)net_write_all(STDOUT_FILENO, out, nout);
	nout = 0;
}

/* Microseconds as milliseconds with 3 decimals. */
static const char *
ms(unsigned long long us, char *buf)
{
	fmt(buf, 32, "%llu.%c%c%c", us / 1000, (int)('0' + us / 100 % 10),
	    (int)('0' + us / 10 % 10), (int)('0' + us % 10));
	return buf;
}

/* A JSON string; the messages are ours, but may quote a server's bytes. */
static void
put_json_str(const char *s)
{
	char c[2] = { 0, 0 };

	put("\"");
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			put("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			put("\\u00%c%c", "0123456789abcdef"[*s >> 4],
			    "0123456789abcdef"[*s & 15]);
		else {
			c[0] = *s;
			put("%s", c);
		}
	}
	put("\"");
}

static void
put_json_head(const char *mode)
{
	put("{\"mode\":\"%s\",\"proto\":\"%s\",\"reply\":\"%s\",\"host\":", mode,
	    o.udp ? "udp" : "tcp", o.classic ? "classic" : "raw");
	put_json_str(o.host);
	put(",\"address\":\"%s\",\"port\":%u,\"size\":%lu,", hoststr, o.port, o.size);
}

static void
put_json_tail(int code)
{
	put("\"status\":%d,\"error\":", code);
	if (fail_code != 0)
		put_json_str(fail_msg);
	else
		put("null");
	put("}\n");
}

/* ---- statistics -------------------------------------------------------- */

struct stats {
	unsigned long long *v, n, cap, sum, min, max;
	double sq;	/* only for mdev; no libm needed */
};

static void
stats_init(struct stats *s, unsigned long long cap)
{
	memset(s, 0, sizeof *s);
	s->cap = cap;
	s->v = malloc((cap > 0 ? cap : 1) * sizeof *s->v);
	if (s->v == NULL)
		die(EX_OSERR, "out of memory for %llu samples", cap);
	s->min = ~0ULL;
}

static void
stats_add(struct stats *s, unsigned long long us)
{
	if (s->n < s->cap)
		s->v[s->n] = us;
	s->n++;
	s->sum += us;
	s->sq += (double)us * us;
	if (us < s->min)
		s->min = us;
	if (us > s->max)
		s->max = us;
}

static int
cmp_ull(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile. */
static unsigned long long
stats_pct(struct stats *s, unsigned p)
{
	unsigned long long n = s->n < s->cap ? s->n : s->cap, k;

	if (n == 0)
		return 0;
	k = (n * p + 99) / 100;
	return s->v[k > 0 ? k - 1 : 0];
}

static unsigned long long
isqrt(unsigned long long x)
{
	unsigned long long r = 0, bit = 1ULL << 62;

	while (bit > x)
		bit >>= 2;
	for (; bit != 0; bit >>= 2) {
		if (x >= r + bit) {
			x -= r + bit;
			r = (r >> 1) + bit;
		} else
			r >>= 1;
	}
	return r;
}

static unsigned long long
stats_mdev(const struct stats *s)
{
	double avg, var;

	if (s->n == 0)
		return 0;
	avg = (double)s->sum / s->n;
	var = s->sq / s->n - avg * avg;
	return var > 0 ? isqrt((unsigned long long)var) : 0;
}

static void
stats_sort(struct stats *s)
{
	qsort(s->v, s->n < s->cap ? s->n : s->cap, sizeof *s->v, cmp_ull);
}

static void
put_json_stats(const char *name, struct stats *s)
{
	stats_sort(s);
	put("\"%s\":{\"min\":%llu,\"avg\":%llu,\"max\":%llu,\"mdev\":%llu,\"p50\":%llu,"
	    "\"p99\":%llu},", name, s->n ? s->min : 0, s->n ? s->sum / s->n : 0, s->max,
	    stats_mdev(s), stats_pct(s, 50), stats_pct(s, 99));
}

/* ---- sockets ----------------------------------------------------------- */

static void
resolve(void)
{
	struct addrinfo hints, *res;
	int r;

	addrlen = net_addr(&addr, o.host, o.port);
	if (addrlen == 0) {
		memset(&hints, 0, sizeof hints);
		hints.ai_socktype = o.udp ? SOCK_DGRAM : SOCK_STREAM;
		if ((r = getaddrinfo(o.host, NULL, &hints, &res)) != 0)
			die(EX_NOHOST, "%s: %s", o.host, gai_strerror(r));
		memcpy(&addr, res->ai_addr, res->ai_addrlen);
		addrlen = res->ai_addrlen;
		freeaddrinfo(res);
		if (addr.sa.sa_family == AF_INET)
			addr.sin.sin_port = htons(o.port);
		else
			addr.sin6.sin6_port = htons(o.port);
	}
	fmt_addr(hoststr, &addr.sa)[hoststr] = '\0';
}

static int
is_unreachable(int e)
{
	return e == ECONNREFUSED || e == ENETUNREACH || e == EHOSTUNREACH ||
	    e == EHOSTDOWN || e == ENETDOWN || e == EADDRNOTAVAIL;
}

/* A non-blocking socket with connect(2) started; -1 with fail() set. */
static int
start_connect(int type)
{
	static const int one = 1;
	int fd = socket(addr.sa.sa_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		fail(EX_OSERR, "socket: %m");
		return -1;
	}
	if (type == SOCK_STREAM)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(fd, &addr.sa, addrlen) < 0 && errno != EINPROGRESS) {
		fail(is_unreachable(errno) ? EX_UNAVAILABLE : EX_OSERR,
		    "connect to %s port %u: %m", hoststr, o.port);
		close(fd);
		return -1;
	}
	return fd;
}

/* poll(2) through EINTR, unless we were asked to stop. */
static int
xpoll(struct pollfd *p, nfds_t n, unsigned long long until)
{
	unsigned long long now;
	int r;

	for (;;) {
		now = now_us();
		if (want_stop)
			return -1;
		r = poll(p, n, until == 0 ? -1 : until <= now ? 0 :
		    (int)((until - now + 999) / 1000));
		if (r >= 0)
			return r;
		if (errno != EINTR && errno != EAGAIN)
			die(EX_OSERR, "poll: %m");
	}
}

/* ---- one TCP exchange: send len pattern bytes, verify the echo ---------- */

enum { S_FREE, S_CONNECTING, S_XFER, S_DONE, S_FAILED };

struct sess {
	int fd, state;
	unsigned long long sent, t0, last;	/* last: progress, for -W */
	struct pv_stream v;
};

static void
sess_begin(struct sess *s, unsigned long long base, unsigned long long len)
{
	pv_stream_init(&s->v, o.classic, o.tol, base, len);
	s->sent = 0;
	s->t0 = s->last = now_us();
	s->state = len > 0 ? S_XFER : S_DONE;
}

static void
sess_fail(struct sess *s, int code, const char *what)
{
	fail(code, "%s port %u: %s", hoststr, o.port, what);
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
		sess_fail(s, is_unreachable(err) ? EX_UNAVAILABLE : EX_OSERR, msg);
		return;
	}
	s->state = s->v.len > 0 ? S_XFER : S_DONE;	/* len 0: connecting was all */
	s->last = now_us();
}

static void
sess_write(struct sess *s)
{
	unsigned long long left = s->v.len - s->sent;
	size_t n = left < IOBUF ? left : IOBUF;
	ssize_t w;
	char msg[128];

	pv_pattern(s->v.base + s->sent, sbuf, n);
	w = send(s->fd, sbuf, n, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (w < 0) {
		if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
			return;
		fmt(msg, sizeof msg, "send after %llu bytes: %m", s->sent);
		sess_fail(s, EX_PROTOCOL, msg);
		return;
	}
	s->sent += w;
	s->last = now_us();
}

static void
sess_read(struct sess *s)
{
	static const int one = 1;
	ssize_t n;
	char msg[PV_WHY + 64];

	n = recv(s->fd, rbuf, sizeof rbuf, MSG_DONTWAIT);
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
	s->last = now_us();
	/* ACK at once: a delayed ACK would stall the server's Nagle, not measure it. */
	(void)setsockopt(s->fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
	switch (pv_stream_feed(&s->v, rbuf, n, time(NULL))) {
	case PV_OK:
		s->state = S_DONE;
		break;
	case PV_BAD:
		fmt(msg, sizeof msg, "reply mismatch: %s", s->v.why);
		sess_fail(s, EX_PROTOCOL, msg);
		break;
	}
}

static short
sess_events(const struct sess *s)
{
	if (s->state == S_CONNECTING)
		return POLLOUT;
	return POLLIN | (s->sent < s->v.len ? POLLOUT : 0);
}

/* Reads and writes until the socket would block (a few rounds at most). */
static void
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

static void
sess_timeout(struct sess *s)
{
	char msg[128];

	if (s->state == S_CONNECTING)
		fmt(msg, sizeof msg, "timeout: no connection after %llu ms", o.timeout_us / 1000);
	else
		fmt(msg, sizeof msg, "timeout: %llu of %llu bytes echoed, nothing more for %llu ms",
		    s->v.done, s->v.len, o.timeout_us / 1000);
	sess_fail(s, EX_TEMPFAIL, msg);
}

/* Drives one session until it is done or failed; the run deadline too. */
static void
sess_run(struct sess *s, unsigned long long deadline)
{
	struct pollfd p;

	while (s->state == S_CONNECTING || s->state == S_XFER) {
		unsigned long long until = s->last + o.timeout_us;

		if (deadline != 0 && deadline < until)
			until = deadline;
		p.fd = s->fd;
		p.events = sess_events(s);
		p.revents = 0;
		if (xpoll(&p, 1, until) < 0) {
			sess_fail(s, EX_SOMEFAILED, "interrupted");
			return;
		}
		if (p.revents != 0)
			sess_io(s, p.revents);
		else if (now_us() >= until)
			sess_timeout(s);
	}
}

/* ---- ping mode ----------------------------------------------------------- */

static void
sleep_until(unsigned long long t)
{
	(void)xpoll(NULL, 0, t);
}

static void
put_probe(unsigned long seq, unsigned long long rtt, const char *note)
{
	char b[32];

	if (!o.quiet && !o.json)
		put("%lu bytes from %s port %u: seq=%lu time=%s ms%s\n", o.size, hoststr,
		    o.port, seq, ms(rtt, b), note);
	if (!o.json)
		flush();
}

static void
put_ping_summary(struct stats *st, unsigned long sent, unsigned long late,
    unsigned long long conn_us, unsigned long long took, int code)
{
	char a[32], b[32], c[32], d[32];
	unsigned long lost = sent - st->n;

	if (o.json) {
		put_json_head("ping");
		put("\"sent\":%lu,\"received\":%llu,\"lost\":%lu,\"late\":%lu,\"connect_us\":%llu,",
		    sent, st->n, lost, late, conn_us);
		put_json_stats("rtt_us", st);
		put("\"time_us\":%llu,", took);
		put_json_tail(code);
		flush();
		return;
	}
	put("--- %s port %u echoprobe statistics ---\n", o.host, o.port);
	put("%lu probes sent, %llu received, %lu%% loss", sent, st->n,
	    sent ? (unsigned long)(lost * 100 / sent) : 0UL);
	if (late)
		put(", %lu late", late);
	put(", time %llu ms\n", took / 1000);
	if (st->n > 0) {
		stats_sort(st);
		put("rtt min/avg/max/mdev = %s/%s/%s/%s ms", ms(st->min, a),
		    ms(st->sum / st->n, b), ms(st->max, c), ms(stats_mdev(st), d));
		put(", p50 %s p99 %s ms\n", ms(stats_pct(st, 50), a), ms(stats_pct(st, 99), b));
	}
	flush();
}

static void
put_ping_head(unsigned long long conn_us)
{
	char b[32];

	if (o.json)
		return;
	put("ECHOPROBE %s (%s) port %u %s %s: %lu bytes", o.host, hoststr, o.port,
	    o.udp ? "udp" : "tcp", o.classic ? "classic" : "raw", o.size);
	if (!o.udp)
		put(", connected in %s ms", ms(conn_us, b));
	put("\n");
	flush();
}

static int
ping_tcp(void)
{
	struct sess s = { .state = S_CONNECTING };
	struct stats st;
	unsigned long long t0 = now_us(), deadline = o.deadline_us ? t0 + o.deadline_us : 0;
	unsigned long long next, conn_us;
	unsigned long seq = 0;

	stats_init(&st, o.count);
	if ((s.fd = start_connect(SOCK_STREAM)) >= 0) {
		s.last = t0;
		sess_run(&s, deadline);
	}
	conn_us = now_us() - t0;
	if (s.fd >= 0 && s.state == S_DONE) {
		put_ping_head(conn_us);
		for (next = now_us(); seq < o.count && !want_stop; next += o.interval_us) {
			sleep_until(next);
			if (want_stop || (deadline != 0 && now_us() >= deadline))
				break;
			sess_begin(&s, (unsigned long long)seq * o.size, o.size);
			seq++;
			sess_run(&s, deadline);
			if (s.state != S_DONE)
				break;
			stats_add(&st, now_us() - s.t0);
			put_probe(seq, now_us() - s.t0, "");
		}
	}
	if (s.state == S_FAILED && want_stop && fail_code == EX_SOMEFAILED)
		fail_code = 0;	/* ^C during a probe: that one was never answered */
	if (fail_code == 0 && st.n < seq)
		fail(EX_SOMEFAILED, "%lu probes unanswered", (unsigned long)(seq - st.n));
	if (s.fd >= 0)
		close(s.fd);
	put_ping_summary(&st, seq, 0, conn_us, now_us() - t0, fail_code);
	return fail_code;
}

/*
 * UDP: probe seq carries pattern bytes from seq * size on, so a late reply
 * to an earlier probe is recognised and not taken for a mismatch.
 */
static int
udp_check(const unsigned char *got, size_t n, unsigned long seq, char *why)
{
	size_t want = o.classic && o.size > REPLY_CHUNK ? REPLY_CHUNK : o.size;
	size_t used, chunk;
	int r;

	pv_pattern((unsigned long long)seq * o.size, sbuf, want);
	if (!o.classic)
		r = pv_raw(got, n, sbuf, want, why);
	else {
		r = pv_classic((const char *)got, n, sbuf, want, time(NULL), o.tol,
		    &used, &chunk, why);
		if (r == PV_OK && (used != n || chunk != want)) {
			fmt(why, PV_WHY, "datagram has %lu bytes after the reply, or echoes %lu of %lu",
			    (unsigned long)(n - used), (unsigned long)chunk, (unsigned long)want);
			r = PV_BAD;
		}
	}
	if (r == PV_MORE)
		fmt(why + strlen(why), PV_WHY - strlen(why), "short reply: %lu bytes", (unsigned long)n);
	return r;
}

/* A reply to one of the 64 probes before seq? */
static int
udp_late(const unsigned char *got, size_t n, unsigned long seq)
{
	char why[PV_WHY];
	unsigned long s;

	for (s = seq; s > 0 && seq - s < 64; s--)
		if (udp_check(got, n, s - 1, why) == PV_OK)
			return 1;
	return 0;
}

/* Waits for the reply to seq; 1 answered, 0 lost, -1 fatal (fail set). */
static int
udp_wait(int fd, unsigned long seq, unsigned long long t0, unsigned long *late)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char why[PV_WHY];
	ssize_t n;

	for (;;) {
		p.revents = 0;
		if (xpoll(&p, 1, t0 + o.timeout_us) < 0)
			return 0;
		if (p.revents == 0)
			return 0;
		n = recv(fd, rbuf, sizeof rbuf, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			fail(is_unreachable(errno) ? EX_UNAVAILABLE : EX_OSERR,
			    "%s port %u: %m", hoststr, o.port);
			return -1;
		}
		why[0] = '\0';
		if (udp_check(rbuf, n, seq, why) == PV_OK)
			return 1;
		if (udp_late(rbuf, n, seq)) {
			++*late;
			continue;
		}
		fail(EX_PROTOCOL, "%s port %u: reply mismatch to seq %lu: %s", hoststr,
		    o.port, seq + 1, why);
		return -1;
	}
}

static int
ping_udp(void)
{
	struct stats st;
	unsigned long long t0 = now_us(), deadline = o.deadline_us ? t0 + o.deadline_us : 0;
	unsigned long long next, ts;
	unsigned long seq, late = 0;
	int fd, r = 0;

	stats_init(&st, o.count);
	if ((fd = start_connect(SOCK_DGRAM)) < 0) {
		put_ping_summary(&st, 0, 0, 0, 0, fail_code);
		return fail_code;
	}
	put_ping_head(0);
	for (seq = 0, next = t0; seq < o.count && !want_stop; next += o.interval_us) {
		sleep_until(next);
		if (want_stop || (deadline != 0 && now_us() >= deadline))
			break;
		pv_pattern((unsigned long long)seq * o.size, sbuf, o.size);
		ts = now_us();
		if (send(fd, sbuf, o.size, MSG_NOSIGNAL) < 0 && errno != EINTR) {
			fail(is_unreachable(errno) ? EX_UNAVAILABLE : EX_OSERR,
			    "send to %s port %u: %m", hoststr, o.port);
			break;
		}
		if ((r = udp_wait(fd, seq++, ts, &late)) < 0)
			break;
		if (r == 1) {
			stats_add(&st, now_us() - ts);
			put_probe(seq, now_us() - ts, "");
		} else if (!o.quiet && !o.json && !want_stop) {
			put("no reply to seq=%lu within %llu ms\n", seq, o.timeout_us / 1000);
			flush();
		}
	}
	close(fd);
	if (fail_code == 0 && st.n < seq)
		fail(st.n == 0 ? EX_TEMPFAIL : EX_SOMEFAILED, "%lu of %lu probes lost",
		    (unsigned long)(seq - st.n), seq);
	put_ping_summary(&st, seq, late, 0, now_us() - t0, fail_code);
	return fail_code;
}

/* ---- connection rate ----------------------------------------------------- */

struct rate {
	unsigned long started, ok, refused, timeouts, mismatches, other;
	int first_code;
};

static void
rate_start(struct sess *s, struct rate *r)
{
	unsigned long long t0 = now_us();
	int saved = fail_code;

	fail_code = 0;
	s->fd = start_connect(SOCK_STREAM);
	r->started++;
	if (s->fd < 0) {
		s->state = S_FAILED;
		if (saved != 0)
			fail_code = saved;
		return;
	}
	fail_code = saved;
	sess_begin(s, 0, o.size);
	s->t0 = t0;	/* connection time includes the handshake */
	s->state = S_CONNECTING;	/* sess_connected goes on to S_XFER */
}

static void
rate_end(struct sess *s, struct rate *r, struct stats *lat)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	if (s->state == S_DONE) {
		r->ok++;
		stats_add(lat, now_us() - s->t0);
	}
	s->state = S_FREE;
}

/* The failure just recorded by sess_fail counts under its kind. */
static void
rate_count(struct rate *r, int code)
{
	if (code == EX_UNAVAILABLE)
		r->refused++;
	else if (code == EX_TEMPFAIL)
		r->timeouts++;
	else if (code == EX_PROTOCOL)
		r->mismatches++;
	else
		r->other++;
}

static void
put_rate(struct rate *r, struct stats *lat, unsigned long long took, int code)
{
	unsigned long long cps = took ? r->ok * 1000000ULL * 10 / took : 0;
	char a[32], b[32];

	if (o.json) {
		put_json_head("rate");
		put("\"workers\":%u,\"connections\":%lu,\"ok\":%lu,\"refused\":%lu,"
		    "\"timeouts\":%lu,\"mismatches\":%lu,\"failed\":%lu,\"time_us\":%llu,"
		    "\"conn_per_s\":%llu.%llu,", o.workers, r->started, r->ok, r->refused,
		    r->timeouts, r->mismatches, r->started - r->ok, took, cps / 10, cps % 10);
		put_json_stats("conn_us", lat);
		put_json_tail(code);
	} else {
		stats_sort(lat);
		put("%s port %u %s, %u workers: %lu connections, %lu verified, %lu failed "
		    "in %llu ms: %llu.%llu conn/s\n", o.host, o.port, o.classic ? "classic" : "raw",
		    o.workers, r->started, r->ok, r->started - r->ok, took / 1000, cps / 10, cps % 10);
		if (lat->n)
			put("connection time p50 %s p99 %s max %s ms\n", ms(stats_pct(lat, 50), a),
			    ms(stats_pct(lat, 99), b), ms(lat->max, b));
	}
	flush();
}

static int
run_rate(void)
{
	static struct sess ss[MAX_WORKERS];
	static struct pollfd p[MAX_WORKERS];
	struct rate r;
	struct stats lat;
	unsigned long long t0 = now_us(), deadline = t0 + o.deadline_us, now, until;
	unsigned i, busy;
	int code;

	memset(&r, 0, sizeof r);
	stats_init(&lat, o.count);
	for (i = 0; i < o.workers; i++)
		ss[i].state = S_FREE;
	for (;;) {
		now = now_us();
		busy = 0;
		until = 0;
		for (i = 0; i < o.workers; i++) {
			struct sess *s = &ss[i];

			while (s->state == S_FREE && r.started < o.count && now < deadline &&
			    !want_stop && !(r.refused > 0 && r.ok == 0)) {
				rate_start(s, &r);
				if (s->state == S_FAILED) {
					rate_count(&r, fail_code);
					s->state = S_FREE;
				}
			}
			p[i].fd = -1;
			p[i].revents = 0;
			if (s->state != S_CONNECTING && s->state != S_XFER)
				continue;
			p[i].fd = s->fd;
			p[i].events = sess_events(s);
			if (until == 0 || s->last + o.timeout_us < until)
				until = s->last + o.timeout_us;
			busy++;
		}
		if (busy == 0)
			break;
		if (xpoll(p, o.workers, until) < 0)
			break;
		now = now_us();
		for (i = 0; i < o.workers; i++) {
			struct sess *s = &ss[i];
			int before = fail_code;

			if (p[i].fd < 0)
				continue;
			fail_code = 0;
			if (p[i].revents != 0)
				sess_io(s, p[i].revents);
			else if (now >= s->last + o.timeout_us)
				sess_timeout(s);
			if (s->state == S_FAILED)
				rate_count(&r, fail_code);
			if (before != 0)
				fail_code = before;
			if (s->state == S_DONE || s->state == S_FAILED)
				rate_end(s, &r, &lat);
		}
	}
	for (i = 0; i < o.workers; i++)
		if (ss[i].state == S_CONNECTING || ss[i].state == S_XFER) {
			close(ss[i].fd);	/* interrupted */
			r.other++;
		}
	code = fail_code;
	if (r.mismatches > 0)
		code = EX_PROTOCOL;
	else if (code != 0 && r.ok > 0)
		code = EX_SOMEFAILED;
	else if (code == 0 && r.ok < r.started)
		code = EX_SOMEFAILED;
	put_rate(&r, &lat, now_us() - t0, code);
	return code;
}

/* ---- stream -------------------------------------------------------------- */

static int
run_stream(void)
{
	struct sess s = { .state = S_CONNECTING };
	unsigned long long t0 = now_us(), deadline = o.deadline_us ? t0 + o.deadline_us : 0;
	unsigned long long took = 0, mbs = 0;

	if ((s.fd = start_connect(SOCK_STREAM)) >= 0) {
		s.last = t0;
		sess_run(&s, deadline);
		if (s.state == S_DONE) {
			sess_begin(&s, 0, o.stream_bytes);
			sess_run(&s, deadline);
			took = now_us() - s.t0;
			if (s.state == S_DONE && took > 0)
				mbs = o.stream_bytes * 100 / took;	/* bytes/us = MB/s */
		}
		close(s.fd);
	}
	if (o.json) {
		put_json_head("stream");
		put("\"bytes\":%llu,\"sent\":%llu,\"verified\":%llu,\"time_us\":%llu,"
		    "\"mb_per_s\":%llu.%c%c,", o.stream_bytes, s.sent, s.v.done, took,
		    mbs / 100, (int)('0' + mbs / 10 % 10), (int)('0' + mbs % 10));
		put_json_tail(fail_code);
	} else if (s.state == S_DONE)
		put("%s port %u %s: %llu bytes sent and verified in %llu ms: %llu.%c%c MB/s\n",
		    o.host, o.port, o.classic ? "classic" : "raw", o.stream_bytes, took / 1000,
		    mbs / 100, (int)('0' + mbs / 10 % 10), (int)('0' + mbs % 10));
	flush();
	return fail_code;
}

/* ---- command line -------------------------------------------------------- */

static noreturn void
usage(const char *f, const char *arg)
{
	char line[160];

	fmt(line, sizeof line, f, arg);
	out_str(STDERR_FILENO, "echoprobe: ");
	out_str(STDERR_FILENO, line);
	out_str(STDERR_FILENO, "\n");
	out_str(STDERR_FILENO, usage_text);
	out_str(STDERR_FILENO, "Try 'echoprobe --help' for more information.\n");
	exit(EX_USAGE);
}

/* A decimal number of seconds with up to 6 decimals, into microseconds. */
static unsigned long long
parse_secs(const char *s, int letter, unsigned long long max_s)
{
	unsigned long long v = 0, scale = 1000000;
	const char *p = s;
	char opt[3] = { '-', (char)letter, 0 };

	for (; *p >= '0' && *p <= '9'; p++)
		if ((v = v * 10 + (*p - '0')) > max_s)
			usage("option %s: number too large", opt);
	v *= 1000000;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			if ((scale /= 10) > 0)
				v += (*p - '0') * scale;
	if (*p != '\0' || p == s)
		usage("option %s: not a number of seconds", opt);
	return v;
}

static unsigned long
parse_num(const char *s, int letter, unsigned long min, unsigned long max)
{
	unsigned long v = 0;
	const char *p = s;
	char opt[3] = { '-', (char)letter, 0 };

	for (; *p >= '0' && *p <= '9'; p++)
		if ((v = v * 10 + (*p - '0')) > max)
			break;
	if (*p != '\0' || p == s || v < min || v > max) {
		char m[80];

		fmt(m, sizeof m, "option %%s: '%s' is not a number in %lu..%lu", s, min, max);
		usage(m, opt);
	}
	return v;
}

static void
set_opt(int c, const char *arg)
{
	switch (c) {
	case 'b': o.stream_bytes = (unsigned long long)parse_num(arg, c, 1, 1048576) << 20;
		o.mode = MODE_STREAM; break;
	case 'c': o.count = parse_num(arg, c, 1, MAX_COUNT); break;
	case 'i': o.interval_us = parse_secs(arg, c, 86400); break;
	case 'm':
		if (strcmp(arg, "classic") != 0 && strcmp(arg, "raw") != 0)
			usage("option -m: '%s' is not classic or raw", arg);
		o.classic = arg[0] == 'c';
		break;
	case 'r': o.workers = parse_num(arg, c, 1, MAX_WORKERS); o.mode = MODE_RATE; break;
	case 's': o.size = parse_num(arg, c, 0, 16 << 20); break;
	case 't': o.tol = parse_num(arg, c, 0, 1000000000); break;
	case 'W': o.timeout_us = parse_secs(arg, c, 86400); break;
	case 'w': o.deadline_us = parse_secs(arg, c, 86400 * 365); break;
	}
}

static void
parse_args(int argc, char **argv)
{
	const char *flags = "hjquV", *withargs = "bcimrstWw";
	int i, c;
	char *a, opt[3] = "-?";

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		a = argv[i] + 1;
		if (strcmp(a, "-") == 0) {
			i++;
			break;
		}
		if (strcmp(a, "-help") == 0)
			a = "h";
		for (; (c = *a) != '\0'; a++) {
			opt[1] = c;
			if (strchr(withargs, c) != NULL) {
				if (a[1] == '\0' && ++i >= argc)
					usage("option %s needs an argument", opt);
				set_opt(c, a[1] != '\0' ? a + 1 : argv[i]);
				break;
			}
			if (strchr(flags, c) == NULL)
				usage("unknown option %s", opt);
			if (c == 'h') {
				out_str(STDOUT_FILENO, usage_text);
				out_str(STDOUT_FILENO, help_text);
				exit(0);
			}
			if (c == 'V') {
				out_str(STDOUT_FILENO, "echoprobe " ECHOD_VERSION "\n");
				exit(0);
			}
			o.json |= c == 'j';
			o.quiet |= c == 'q';
			o.udp |= c == 'u';
		}
	}
	if (i >= argc)
		usage("no host given%s", "");
	o.host = argv[i++];
	if (i < argc)
		o.port = parse_num(argv[i++], 'p', 1, 65535);
	if (i < argc)
		usage("too many arguments: '%s'", argv[i]);
	if (o.udp && o.mode != MODE_PING)
		usage("-u goes only with ping mode%s", "");
	if (o.udp && o.size > UDP_MAX)
		usage("-s: a UDP probe has at most 65507 bytes%s", "");
	if (o.count == 0)
		o.count = o.mode == MODE_RATE ? 1000 : 5;
	if (o.mode == MODE_RATE && o.deadline_us == 0)
		o.deadline_us = 10000000;
}

int
main(int argc, char **argv)
{
	struct sigaction sa;

	log_open("echoprobe", LOG_TO_STDERR, 0);
	parse_args(argc, argv);
	tzset();
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	resolve();
	if (o.mode == MODE_RATE)
		run_rate();
	else if (o.mode == MODE_STREAM)
		run_stream();
	else if (o.udp)
		ping_udp();
	else
		ping_tcp();
	if (fail_code != 0 && fail_msg[0] != '\0')
		log_warn("%s", fail_msg);
	return fail_code;
}
