/*
 * load.c: echoprobe's two load generators. Rate mode: K sessions in
 * one poll set, each connect, send, verify, close and again, until -c
 * connections or -w seconds; failures are counted by kind. Stream mode: one
 * connection, N MiB sent and verified full duplex, in MB/s.
 */
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "mono.h"
#include "probe.h"

/* ---- connection rate ----------------------------------------------------- */

struct rate {
	unsigned long started, ok, refused, timeouts, mismatches, other;
	int first_code;
};

static void
rate_start(struct probe *p, struct sess *s, struct rate *r)
{
	unsigned long long t0 = mono_us();

	s->p = p;
	s->err.code = 0;
	s->fd = sess_connect(p, SOCK_STREAM, &s->err);
	r->started++;
	if (s->fd < 0) {
		s->state = S_FAILED;
		return;
	}
	sess_begin(s, 0, p->o.size);
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
		stats_add(lat, mono_us() - s->t0);
	}
	s->state = S_FREE;
}

/* A failed session counts under its kind; the run keeps the first one's message. */
static void
rate_count(struct probe *p, struct rate *r, const struct sess *s)
{
	int code = s->err.code;

	out_fail(&p->err, code, "%s", s->err.msg);
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
put_rate(struct probe *p, struct rate *r, struct stats *lat, unsigned long long took, int code)
{
	char a[32], b[32], c[32];
	const char *cps = out_fix(took ? out_div(r->ok * 10000000ULL, took) : 0, 1, 1, c);

	if (p->o.json) {
		out_json_head(p, "rate");
		out_put("\"workers\":%lu,\"connections\":%lu,\"ok\":%lu,\"refused\":%lu,"
		    "\"timeouts\":%lu,\"mismatches\":%lu,\"failed\":%lu,\"time_us\":%llu,"
		    "\"conn_per_s\":%s,", p->o.workers, r->started, r->ok, r->refused,
		    r->timeouts, r->mismatches, r->started - r->ok, took, cps);
		out_json_stats("conn_us", lat);
		out_json_tail(p, code);
	} else {
		stats_sort(lat);
		out_put("%s port %u %s, %lu workers: %lu connections, %lu verified, %lu failed "
		    "in %s ms: %s conn/s\n", p->o.host, p->o.port, p->o.reply,
		    p->o.workers, r->started, r->ok, r->started - r->ok, out_msi(took, a), cps);
		if (lat->n)
			out_put("connection time p50 %s p99 %s max %s ms\n", out_ms(stats_pct(lat, 50), a),
			    out_ms(stats_pct(lat, 99), b), out_ms(lat->max, c));
	}
	out_flush();
}

int
load_rate(struct probe *p)
{
	/*
	 * The sessions (about 5 MB for MAX_WORKERS) come from mmap, not the
	 * bss: on arm64 every ADRP that ld rewrites as an ADR for Cortex-A53
	 * erratum 843419 (board/toolchain.mk) must reach its target within
	 * 1 MiB, and a bss this big put other variables out of that range.
	 */
	struct sess *ss = out_alloc(p->o.workers * sizeof *ss, p->o.workers, "workers");
	static struct pollfd pfd[MAX_WORKERS + 1];	/* + 1: sess_poll's */
	struct rate r;
	struct stats lat;
	unsigned long long t0 = mono_us(), deadline = t0 + p->o.deadline_us, now, until;
	unsigned i, busy;
	int code;

	memset(&r, 0, sizeof r);
	stats_init(&lat, p->o.count);
	for (i = 0; i < p->o.workers; i++)
		ss[i].state = S_FREE;
	for (;;) {
		now = mono_us();
		busy = 0;
		until = 0;
		for (i = 0; i < p->o.workers; i++) {
			struct sess *s = &ss[i];

			while (s->state == S_FREE && r.started < p->o.count && now < deadline &&
			    !p->stop && !(r.refused > 0 && r.ok == 0)) {
				rate_start(p, s, &r);
				if (s->state == S_FAILED) {
					rate_count(p, &r, s);
					s->state = S_FREE;
				}
			}
			pfd[i].fd = -1;
			pfd[i].revents = 0;
			if (s->state != S_CONNECTING && s->state != S_XFER)
				continue;
			pfd[i].fd = s->fd;
			pfd[i].events = sess_events(s);
			if (until == 0 || s->last + p->o.timeout_us < until)
				until = s->last + p->o.timeout_us;
			busy++;
		}
		if (busy == 0)
			break;
		if (sess_poll(p, pfd, p->o.workers, until) < 0)
			break;
		now = mono_us();
		for (i = 0; i < p->o.workers; i++) {
			struct sess *s = &ss[i];

			if (pfd[i].fd < 0)
				continue;
			if (pfd[i].revents != 0)
				sess_io(s, pfd[i].revents);
			else if (now >= s->last + p->o.timeout_us)
				sess_timeout(s);
			if (s->state == S_FAILED)
				rate_count(p, &r, s);
			if (s->state == S_DONE || s->state == S_FAILED)
				rate_end(s, &r, &lat);
		}
	}
	for (i = 0; i < p->o.workers; i++)
		if (ss[i].state == S_CONNECTING || ss[i].state == S_XFER) {
			close(ss[i].fd);	/* interrupted */
			r.other++;
		}
	code = p->err.code;
	if (r.mismatches > 0)
		code = EX_PROTOCOL;
	else if (code != 0 && r.ok > 0)
		code = EX_SOMEFAILED;
	else if (code == 0 && r.ok < r.started)
		code = EX_SOMEFAILED;
	put_rate(p, &r, &lat, mono_us() - t0, code);
	return code;
}

/* ---- stream -------------------------------------------------------------- */

int
load_stream(struct probe *p)
{
	struct sess s = { .p = p, .state = S_CONNECTING };
	unsigned long long t0 = mono_us(), deadline = p->o.deadline_us ? t0 + p->o.deadline_us : 0;
	unsigned long long took = 0, mbs = 0;
	char t[32], m[32];
	const char *ms;

	if ((s.fd = sess_connect(p, SOCK_STREAM, &p->err)) >= 0) {
		s.last = t0;
		sess_run(&s, deadline);
		if (s.state == S_DONE) {
			sess_begin(&s, 0, p->o.stream_bytes);
			sess_run(&s, deadline);
			took = mono_us() - s.t0;
			if (s.state == S_DONE && took > 0)
				mbs = out_div(p->o.stream_bytes * 100, took);	/* bytes/us = MB/s */
		}
		close(s.fd);
		if (s.state == S_FAILED)
			out_fail(&p->err, s.err.code, "%s", s.err.msg);
	}
	ms = out_fix(mbs, 2, 2, m);
	if (p->o.json) {
		out_json_head(p, "stream");
		out_put("\"bytes\":%llu,\"sent\":%llu,\"verified\":%llu,\"time_us\":%llu,"
		    "\"mb_per_s\":%s,", p->o.stream_bytes, s.sent, s.v.done, took, ms);
		out_json_tail(p, p->err.code);
	} else if (s.state == S_DONE)
		out_put("%s port %u %s: %llu bytes sent and verified in %s ms: %s MB/s\n",
		    p->o.host, p->o.port, p->o.reply, p->o.stream_bytes,
		    out_msi(took, t), ms);
	out_flush();
	return p->err.code;
}
