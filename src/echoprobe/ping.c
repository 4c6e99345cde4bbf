/*
 * ping.c: echoprobe's ping mode: one probe per interval, a line per
 * reply, then sent/received/loss and the RTT statistics. TCP keeps one
 * connection for every probe; UDP sends datagrams, tells a late reply to an
 * earlier probe from a wrong one, and counts a probe lost after -W.
 */
#include <errno.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "fmt.h"
#include "mono.h"
#include "probe.h"

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

int
ping_tcp(void)
{
	struct sess s = { .state = S_CONNECTING };
	struct stats st;
	unsigned long long t0 = mono_us(), deadline = o.deadline_us ? t0 + o.deadline_us : 0;
	unsigned long long next, conn_us;
	unsigned long seq = 0;

	stats_init(&st, o.count);
	if ((s.fd = start_connect(SOCK_STREAM)) >= 0) {
		s.last = t0;
		sess_run(&s, deadline);
	}
	conn_us = mono_us() - t0;
	if (s.fd >= 0 && s.state == S_DONE) {
		put_ping_head(conn_us);
		for (next = mono_us(); seq < o.count && !want_stop; next += o.interval_us) {
			sleep_until(next);
			if (want_stop || (deadline != 0 && mono_us() >= deadline))
				break;
			sess_begin(&s, (unsigned long long)seq * o.size, o.size);
			seq++;
			sess_run(&s, deadline);
			if (s.state != S_DONE)
				break;
			stats_add(&st, mono_us() - s.t0);
			put_probe(seq, mono_us() - s.t0, "");
		}
	}
	if (s.state == S_FAILED && want_stop && fail_code == EX_SOMEFAILED)
		fail_code = 0;	/* ^C during a probe: that one was never answered */
	if (fail_code == 0 && st.n < seq)
		fail(EX_SOMEFAILED, "%lu probes unanswered", (unsigned long)(seq - st.n));
	if (s.fd >= 0)
		close(s.fd);
	put_ping_summary(&st, seq, 0, conn_us, mono_us() - t0, fail_code);
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

int
ping_udp(void)
{
	struct stats st;
	unsigned long long t0 = mono_us(), deadline = o.deadline_us ? t0 + o.deadline_us : 0;
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
		if (want_stop || (deadline != 0 && mono_us() >= deadline))
			break;
		pv_pattern((unsigned long long)seq * o.size, sbuf, o.size);
		ts = mono_us();
		if (send(fd, sbuf, o.size, MSG_NOSIGNAL) < 0 && errno != EINTR) {
			fail(is_unreachable(errno) ? EX_UNAVAILABLE : EX_OSERR,
			    "send to %s port %u: %m", hoststr, o.port);
			break;
		}
		if ((r = udp_wait(fd, seq++, ts, &late)) < 0)
			break;
		if (r == 1) {
			stats_add(&st, mono_us() - ts);
			put_probe(seq, mono_us() - ts, "");
		} else if (!o.quiet && !o.json && !want_stop) {
			put("no reply to seq=%lu within %llu ms\n", seq, o.timeout_us / 1000);
			flush();
		}
	}
	close(fd);
	if (fail_code == 0 && st.n < seq)
		fail(st.n == 0 ? EX_TEMPFAIL : EX_SOMEFAILED, "%lu of %lu probes lost",
		    (unsigned long)(seq - st.n), seq);
	put_ping_summary(&st, seq, late, 0, mono_us() - t0, fail_code);
	return fail_code;
}
