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
rate_start(struct sess *s, struct rate *r)
{
	unsigned long long t0 = mono_us();
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
		stats_add(lat, mono_us() - s->t0);
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

int
run_rate(void)
{
	static struct sess ss[MAX_WORKERS];
	static struct pollfd p[MAX_WORKERS];
	struct rate r;
	struct stats lat;
	unsigned long long t0 = mono_us(), deadline = t0 + o.deadline_us, now, until;
	unsigned i, busy;
	int code;

	memset(&r, 0, sizeof r);
	stats_init(&lat, o.count);
	for (i = 0; i < o.workers; i++)
		ss[i].state = S_FREE;
	for (;;) {
		now = mono_us();
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
		now = mono_us();
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
	put_rate(&r, &lat, mono_us() - t0, code);
	return code;
}

/* ---- stream -------------------------------------------------------------- */

int
run_stream(void)
{
	struct sess s = { .state = S_CONNECTING };
	unsigned long long t0 = mono_us(), deadline = o.deadline_us ? t0 + o.deadline_us : 0;
	unsigned long long took = 0, mbs = 0;

	if ((s.fd = start_connect(SOCK_STREAM)) >= 0) {
		s.last = t0;
		sess_run(&s, deadline);
		if (s.state == S_DONE) {
			sess_begin(&s, 0, o.stream_bytes);
			sess_run(&s, deadline);
			took = mono_us() - s.t0;
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
