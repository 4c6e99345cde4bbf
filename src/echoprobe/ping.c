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
sleep_until(struct probe *p, unsigned long long t)
{
	struct pollfd none[1];

	(void)sess_poll(p, none, 0, t);
}

static void
put_probe(struct probe *p, unsigned long seq, unsigned long long rtt, const char *note)
{
	char b[32];

	if (!p->o.quiet && !p->o.json)
		out_put("%lu bytes from %s port %u: seq=%lu time=%s ms%s\n", p->o.size, p->hoststr,
		    p->o.port, seq, out_ms(rtt, b), note);
	if (!p->o.json)
		out_flush();
}

static void
put_ping_summary(struct probe *p, struct stats *st, unsigned long sent, unsigned long late,
    unsigned long long conn_us, unsigned long long took, int code)
{
	char a[32], b[32], c[32], d[32];
	unsigned long lost = sent - st->n;

	if (p->o.json) {
		out_json_head(p, "ping");
		out_put("\"sent\":%lu,\"received\":%lu,\"lost\":%lu,\"late\":%lu,\"connect_us\":%llu,",
		    sent, st->n, lost, late, conn_us);
		out_json_stats("rtt_us", st);
		if (p->o.udp)
			out_dscp(p);
		out_put("\"time_us\":%llu,", took);
		out_json_tail(p, code);
		out_flush();
		return;
	}
	out_put("--- %s port %u echoprobe statistics ---\n", p->o.host, p->o.port);
	out_put("%lu probes sent, %lu received, %lu%% loss", sent, st->n,
	    sent ? (unsigned long)(lost * 100 / sent) : 0UL);
	if (late)
		out_put(", %lu late", late);
	out_put(", time %s ms\n", out_msi(took, a));
	if (st->n > 0) {
		stats_sort(st);
		out_put("rtt min/avg/max/mdev = %s/%s/%s/%s ms", out_ms(st->min, a),
		    out_ms(out_div(st->sum, st->n), b), out_ms(st->max, c), out_ms(stats_mdev(st), d));
		out_put(", p50 %s p99 %s ms\n", out_ms(stats_pct(st, 50), a), out_ms(stats_pct(st, 99), b));
	}
	if (p->o.udp)
		out_dscp(p);
	out_flush();
}

static void
put_ping_head(struct probe *p, unsigned long long conn_us)
{
	char b[32];

	if (p->o.json)
		return;
	out_put("ECHOPROBE %s (%s) port %u %s %s: %lu bytes", p->o.host, p->hoststr, p->o.port,
	    p->o.udp ? "udp" : "tcp", p->o.reply, p->o.size);
	if (!p->o.udp)
		out_put(", connected in %s ms", out_ms(conn_us, b));
	out_put("\n");
	out_flush();
}

int
ping_tcp(struct probe *p)
{
	struct sess s = { .p = p, .state = S_CONNECTING };
	struct stats st;
	unsigned long long t0 = mono_us(), deadline = p->o.deadline_us ? t0 + p->o.deadline_us : 0;
	unsigned long long next, conn_us;
	unsigned long seq = 0;

	stats_init(&st, p->o.count);
	if ((s.fd = sess_connect(p, SOCK_STREAM, &p->err)) >= 0) {
		s.last = t0;
		sess_run(&s, deadline);
	}
	conn_us = mono_us() - t0;
	if (s.fd >= 0 && s.state == S_DONE) {
		put_ping_head(p, conn_us);
		for (next = mono_us(); seq < p->o.count && !p->stop; next += p->o.interval_us) {
			sleep_until(p, next);
			if (p->stop || (deadline != 0 && mono_us() >= deadline))
				break;
			sess_begin(&s, (unsigned long long)seq * p->o.size, p->o.size);
			seq++;
			sess_run(&s, deadline);
			if (s.state != S_DONE)
				break;
			stats_add(&st, mono_us() - s.t0);
			put_probe(p, seq, mono_us() - s.t0, "");
		}
	}
	/* ^C during a probe is no failure: that one was never answered. */
	if (s.state == S_FAILED && !(p->stop && s.err.code == EX_SOMEFAILED))
		out_fail(&p->err, s.err.code, "%s", s.err.msg);
	if (st.n < seq)
		out_fail(&p->err, EX_SOMEFAILED, "%lu probes unanswered", (unsigned long)(seq - st.n));
	if (s.fd >= 0)
		close(s.fd);
	put_ping_summary(p, &st, seq, 0, conn_us, mono_us() - t0, p->err.code);
	return p->err.code;
}

/*
 * UDP: probe seq carries pattern bytes from seq * size on, so a late reply
 * to an earlier probe is recognised and not taken for a mismatch.
 */
static int
udp_check(struct probe *p, const unsigned char *got, size_t n, unsigned long seq, char *why)
{
	size_t want = p->o.classic && p->o.size > REPLY_CHUNK ? REPLY_CHUNK : p->o.size;
	size_t used, chunk;
	int r;

	pv_pattern((unsigned long long)seq * p->o.size, p->sbuf, want);
	if (!p->o.classic)
		r = pv_raw(got, n, p->sbuf, want, why);
	else {
		r = pv_classic((const char *)got, n, p->sbuf, want, time(NULL), p->o.tol,
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
udp_late(struct probe *p, const unsigned char *got, size_t n, unsigned long seq)
{
	char why[PV_WHY];
	unsigned long s;

	for (s = seq; s > 0 && seq - s < 64; s--)
		if (udp_check(p, got, n, s - 1, why) == PV_OK)
			return 1;
	return 0;
}

/* Waits for the reply to seq; 1 answered, 0 lost, -1 fatal (p->err set). */
static int
udp_wait(struct probe *p, int fd, unsigned long seq, unsigned long long t0, unsigned long *late)
{
	struct pollfd pfd[2] = { { .fd = fd, .events = POLLIN } };
	char why[PV_WHY];
	ssize_t n;

	for (;;) {
		pfd[0].revents = 0;
		if (sess_poll(p, pfd, 1, t0 + p->o.timeout_us) < 0)
			return 0;
		if (pfd[0].revents == 0)
			return 0;
		n = sess_recv(p, fd);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return sess_oserr(p, &p->err, "");
		}
		why[0] = '\0';
		if (udp_check(p, p->rbuf, n, seq, why) == PV_OK)
			return 1;
		if (udp_late(p, p->rbuf, n, seq)) {
			++*late;
			continue;
		}
		out_fail(&p->err, EX_PROTOCOL, "%s port %u: reply mismatch to seq %lu: %s", p->hoststr,
		    p->o.port, seq + 1, why);
		return -1;
	}
}

int
ping_udp(struct probe *p)
{
	struct stats st;
	unsigned long long t0 = mono_us(), deadline = p->o.deadline_us ? t0 + p->o.deadline_us : 0;
	unsigned long long next, ts;
	unsigned long seq, late = 0;
	int fd, r = 0;
	char b[32];

	stats_init(&st, p->o.count);
	if ((fd = sess_connect(p, SOCK_DGRAM, &p->err)) < 0) {
		put_ping_summary(p, &st, 0, 0, 0, 0, p->err.code);
		return p->err.code;
	}
	put_ping_head(p, 0);
	for (seq = 0, next = t0; seq < p->o.count && !p->stop; next += p->o.interval_us) {
		sleep_until(p, next);
		if (p->stop || (deadline != 0 && mono_us() >= deadline))
			break;
		pv_pattern((unsigned long long)seq * p->o.size, p->sbuf, p->o.size);
		ts = mono_us();
		if (send(fd, p->sbuf, p->o.size, MSG_NOSIGNAL) < 0 && errno != EINTR) {
			sess_oserr(p, &p->err, "send to ");
			break;
		}
		if ((r = udp_wait(p, fd, seq++, ts, &late)) < 0)
			break;
		if (r == 1) {
			stats_add(&st, mono_us() - ts);
			put_probe(p, seq, mono_us() - ts, "");
		} else if (!p->o.quiet && !p->o.json && !p->stop) {
			out_put("no reply to seq=%lu within %s ms\n", seq, out_msi(p->o.timeout_us, b));
			out_flush();
		}
	}
	close(fd);
	if (st.n < seq)
		out_fail(&p->err, st.n == 0 ? EX_TEMPFAIL : EX_SOMEFAILED, "%lu of %lu probes lost",
		    (unsigned long)(seq - st.n), seq);
	put_ping_summary(p, &st, seq, late, 0, mono_us() - t0, p->err.code);
	return p->err.code;
}
