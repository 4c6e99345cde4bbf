/*
 * flow.c: UDP at a set rate (-R): datagrams paced from one clock, each
 * opening with a token, its sequence number and its send time as hex
 * text (a classic reply repeats printable bytes as they are, so the same
 * run works against echod's classic mode and any RFC 862 service).
 * Replies are counted as they come: received, duplicated (a sequence
 * number seen before), reordered (RFC 4737: below the next expected one),
 * late (after -W, when it was already counted lost); a datagram is lost
 * once -W passed since it was sent. Jitter is RFC 3550's interarrival
 * jitter of the round trip, J += (|D| - J) / 16, kept in 1/16 us.
 */
#include <errno.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "fmt.h"
#include "mono.h"
#include "probe.h"

#define FLOW_BURST 64	/* datagrams sent before replies are read again */

struct flow_count {
	unsigned long sent, recv, lost, dup, reord, late;
	unsigned long long min, max, sum;
};

struct flow {
	unsigned long long t0, line_t0, next_line, jit16, last_rtt, last_send;
	unsigned long long due;		/* when datagram `sent` is: t0 + sent s / rate */
	unsigned long due_frac, step, step_frac;	/* due's fraction of a us in 1/rate; 1 s / rate */
	unsigned long sent, judged, nextexp, tok, invalid, nseen;
	unsigned *sent_at;	/* us after t0 */
	unsigned char *seen;	/* a bit per sequence number */
	struct flow_count tot, iv;
	struct stats rtt;
};

static void
hex_put(unsigned char *d, unsigned long long v, int n)
{
	while (n-- > 0) {
		d[n] = fmt_hexdigit[v & 15];
		v >>= 4;
	}
}

static int
hex_get(const unsigned char *s, int n, unsigned long long *v)
{
	int i, c;

	for (*v = 0, i = 0; i < n; i++) {
		c = s[i];
		c = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
		if (c < 0)
			return -1;
		*v = *v << 4 | (unsigned)c;
	}
	return 0;
}

void
flow_head_put(unsigned char *d, unsigned long tok, unsigned long seq, unsigned long long ts)
{
	hex_put(d, tok, 8);
	hex_put(d + 8, seq, 8);
	hex_put(d + 16, ts, 16);
}

int
flow_head_get(const struct probe *p, const unsigned char *d, size_t n, size_t want,
    unsigned long tok, unsigned long *seq, unsigned long long *ts)
{
	unsigned long long t, s;

	if (p->o.classic) {
		if (n < 8 + FLOW_HEAD || memcmp(d, "Echo=>b'", 8) != 0)
			return -1;
		d += 8;
	} else if (n != want)
		return -1;
	if (hex_get(d, 8, &t) < 0 || t != tok || hex_get(d + 8, 8, &s) < 0 ||
	    hex_get(d + 16, 16, ts) < 0)
		return -1;
	*seq = (unsigned long)s;
	return 0;
}

static int
bit(const unsigned char *b, unsigned long i)
{
	return b[i >> 3] >> (i & 7) & 1;
}

/* ---- output -------------------------------------------------------------- */

static void
put_counts(const struct probe *p, const struct flow_count *c)
{
	char a[32], b[32], d[32];

	if (p->o.json) {
		out_put("\"sent\":%lu,\"received\":%lu,\"lost\":%lu,\"duplicated\":%lu,"
		    "\"reordered\":%lu,\"late\":%lu,", c->sent, c->recv, c->lost, c->dup,
		    c->reord, c->late);
		return;
	}
	out_put("%lu sent, %lu received, %lu lost", c->sent, c->recv, c->lost);
	if (c->sent)
		out_put(" (%s%%)", out_fix(out_div(c->lost * 10000ULL, c->sent), 2, 2, a));
	out_put(", %lu duplicated, %lu reordered, %lu late", c->dup, c->reord, c->late);
	if (c->recv)
		out_put(", rtt %s/%s/%s ms", out_ms(c->min, a), out_ms(out_div(c->sum, c->recv), b),
		    out_ms(c->max, d));
}

/* One line per -i: what was sent, answered or judged in that interval. */
static void
put_interval(struct probe *p, struct flow *f, unsigned long long now)
{
	char a[32], b[32];

	if (p->o.quiet)
		goto reset;
	if (p->o.json) {
		out_put("%s{\"start_us\":%llu,\"end_us\":%llu,", f->line_t0 == f->t0 ? "" : ",",
		    f->line_t0 - f->t0, now - f->t0);
		put_counts(p, &f->iv);
		out_put("\"jitter_us\":%llu}", f->jit16 >> 4);
	} else {
		out_put("[%s-%s s] ", out_secs(f->line_t0 - f->t0, a), out_secs(now - f->t0, b));
		put_counts(p, &f->iv);
		out_put(", jitter %s ms\n", out_ms(f->jit16 >> 4, a));
		out_flush();
	}
reset:
	memset(&f->iv, 0, sizeof f->iv);
	f->iv.min = ~0ULL;
	f->line_t0 = now;
}

static void
put_summary(struct probe *p, struct flow *f, int code)
{
	unsigned long long took = f->last_send > f->t0 ? f->last_send - f->t0 : 0;
	/* n datagrams span n - 1 gaps */
	char a[32], b[32], c[32], r[32];
	const char *pps = out_fix(took ? out_div((unsigned long long)(f->tot.sent - 1) * 10000000, took) : 0,
	    1, 1, r);

	stats_sort(&f->rtt);
	if (p->o.json) {
		out_put("],\"rate_pps\":%lu,", p->o.rate);
		put_counts(p, &f->tot);
		out_put("\"invalid\":%lu,\"send_pps\":%s,\"jitter_us\":%llu,", f->invalid,
		    pps, f->jit16 >> 4);
		out_json_stats("rtt_us", &f->rtt);
		out_dscp(p);
		out_put("\"time_us\":%llu,", mono_us() - f->t0);
		out_json_tail(p, code);
		out_flush();
		return;
	}
	out_put("--- %s port %u udp %s at %lu/s, %lu bytes: sent at %s/s for %s s ---\n",
	    p->o.host, p->o.port, p->o.reply, p->o.rate, p->o.size,
	    pps, out_secs(took, a));
	put_counts(p, &f->tot);
	if (f->invalid)
		out_put(", %lu not ours or malformed", f->invalid);
	out_put("\n");
	if (f->rtt.n)
		out_put("rtt p50 %s p99 %s ms, jitter %s ms\n", out_ms(stats_pct(&f->rtt, 50), a),
		    out_ms(stats_pct(&f->rtt, 99), b), out_ms(f->jit16 >> 4, c));
	out_dscp(p);
	out_flush();
}

/* ---- the run ------------------------------------------------------------- */

static void
flow_count_reply(struct flow_count *c, unsigned long long rtt, int reord)
{
	c->recv++;
	c->reord += reord;
	c->sum += rtt;
	if (rtt < c->min)
		c->min = rtt;
	if (rtt > c->max)
		c->max = rtt;
}

static void
flow_reply(struct probe *p, struct flow *f, ssize_t n, unsigned long long now)
{
	unsigned long seq;
	unsigned long long ts, rtt, d;
	int reord;

	if (flow_head_get(p, p->rbuf, (size_t)n, p->o.size, f->tok, &seq, &ts) < 0 || seq >= f->sent ||
	    ts > now) {
		f->invalid++;
		return;
	}
	if (bit(f->seen, seq)) {
		f->tot.dup++;
		f->iv.dup++;
		return;
	}
	f->seen[seq >> 3] |= 1 << (seq & 7);
	f->nseen++;
	if (seq < f->judged) {	/* already counted lost */
		f->tot.late++;
		f->iv.late++;
		return;
	}
	rtt = now - ts;
	reord = seq < f->nextexp;
	if (!reord)
		f->nextexp = seq + 1;
	flow_count_reply(&f->tot, rtt, reord);
	flow_count_reply(&f->iv, rtt, reord);
	stats_add(&f->rtt, rtt);
	if (f->rtt.n > 1) {
		d = rtt > f->last_rtt ? rtt - f->last_rtt : f->last_rtt - rtt;
		f->jit16 = flow_jitter(f->jit16, d);
	}
	f->last_rtt = rtt;
}

/* Every datagram sent more than -W ago is answered or lost by now. */
static void
flow_judge(struct probe *p, struct flow *f, unsigned long long now)
{
	while (f->judged < f->sent && f->t0 + f->sent_at[f->judged] + p->o.timeout_us <= now) {
		if (!bit(f->seen, f->judged)) {
			f->tot.lost++;
			f->iv.lost++;
		}
		f->judged++;
	}
}

/* Reads what is there; -1 with p->err set if the socket reports an error. */
static int
flow_read(struct probe *p, struct flow *f, int fd)
{
	ssize_t n;
	int i;

	for (i = 0; i < 4 * FLOW_BURST; i++) {
		if ((n = sess_recv(p, fd)) < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return 0;
			return sess_oserr(p, &p->err, "");
		}
		flow_reply(p, f, n, mono_us());
	}
	return 0;
}

/* Sends what is due, at most a burst; -1 with p->err set on an error. */
static int
flow_send(struct probe *p, struct flow *f, int fd, unsigned long long now, unsigned long count)
{
	int i;

	for (i = 0; i < FLOW_BURST && f->sent < count && f->due <= now; i++) {
		now = mono_us();
		flow_head_put(p->sbuf, f->tok, f->sent, now);
		if (send(fd, p->sbuf, p->o.size, MSG_DONTWAIT) < 0) {
			if (errno == EAGAIN || errno == ENOBUFS || errno == EINTR)
				return 0;	/* a full queue: again after the next read */
			return sess_oserr(p, &p->err, "send to ");
		}
		f->sent_at[f->sent] = (unsigned)(now - f->t0);
		f->sent++;
		f->due += f->step;
		if ((f->due_frac += f->step_frac) >= p->o.rate) {
			f->due_frac -= p->o.rate;
			f->due++;
		}
		f->tot.sent++;
		f->iv.sent++;
		f->last_send = now;
	}
	return 0;
}

static void
flow_buffers(int fd)
{
	int big = 4 << 20;

	/* Root may pass rmem_max; anyone else gets what it allows. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
}

int
flow_run(struct probe *p)
{
	static struct flow f;
	struct pollfd pfd[2];
	unsigned long count = p->o.count;
	unsigned long long now, until;
	int code;

	stats_init(&f.rtt, count);
	f.sent_at = out_alloc(count * sizeof *f.sent_at, count, "datagrams");
	f.seen = out_alloc(count / 8 + 1, count, "datagrams");
	memset(p->sbuf, '.', p->o.size);
	if (p->o.json) {
		out_json_head(p, "udp-stream");
		out_put("\"intervals\":[");
	}
	if ((pfd[0].fd = sess_connect(p, SOCK_DGRAM, &p->err)) < 0)
		goto done;
	flow_buffers(pfd[0].fd);
	pfd[0].events = POLLIN;
	f.t0 = f.line_t0 = f.due = mono_us();
	f.step = 1000000 / p->o.rate;
	f.step_frac = 1000000 % p->o.rate;
	f.tok = (unsigned long)(f.t0 ^ (unsigned long long)getpid() << 16) & 0xffffffffUL;
	f.next_line = f.t0 + (p->o.interval_us ? p->o.interval_us : 1000000);
	f.tot.min = f.iv.min = ~0ULL;
	for (;;) {
		now = mono_us();
		if (p->o.deadline_us && now >= f.t0 + p->o.deadline_us)
			count = f.sent;	/* no more sending; wait for what is out */
		if (flow_read(p, &f, pfd[0].fd) < 0 || flow_send(p, &f, pfd[0].fd, now, count) < 0)
			break;
		now = mono_us();
		if (f.sent == count && f.nseen == f.sent)
			now = ~0ULL >> 1;	/* all answered: nothing left to wait for */
		flow_judge(p, &f, now);
		now = mono_us();
		if (now >= f.next_line) {
			put_interval(p, &f, now);
			f.next_line += p->o.interval_us ? p->o.interval_us : 1000000;
		}
		if (f.judged >= count)
			break;
		until = f.next_line;
		if (f.sent < count && f.due < until)
			until = f.due;
		if (f.judged < f.sent && f.t0 + f.sent_at[f.judged] + p->o.timeout_us < until)
			until = f.t0 + f.sent_at[f.judged] + p->o.timeout_us;
		pfd[0].revents = 0;
		if (sess_poll(p, pfd, 1, until) < 0)
			break;	/* ^C: what is still out is neither answered nor lost */
	}
	close(pfd[0].fd);
	if (f.iv.sent || f.iv.recv || f.iv.lost || f.iv.dup || f.iv.late)
		put_interval(p, &f, mono_us());
done:
	if (f.invalid)
		out_fail(&p->err, EX_PROTOCOL, "%s port %u: %lu replies not ours or malformed",
		    p->hoststr, p->o.port, f.invalid);
	if (f.tot.sent && f.rtt.n == 0)
		out_fail(&p->err, EX_TEMPFAIL, "no reply to %lu datagrams", f.tot.sent);
	if (f.tot.lost)
		out_fail(&p->err, EX_SOMEFAILED, "%lu of %lu datagrams lost", f.tot.lost, f.tot.sent);
	code = p->err.code;
	put_summary(p, &f, code);
	return code;
}
