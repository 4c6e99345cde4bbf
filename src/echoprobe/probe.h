/*
 * probe.h: what echoprobe's files share, and nothing else: the options
 * (main.c), output, statistics and the first failure (out.c), and
 * one TCP session driven through poll(2) (sess.c), which the ping
 * (ping.c), rate and stream (load.c) modes all use.
 */
#ifndef ECHOD_PROBE_H
#define ECHOD_PROBE_H

#include <poll.h>
#include <signal.h>

#include "net.h"
#include "verify.h"

#define EX_SOMEFAILED 1
#define MAX_WORKERS 1024
#define IOBUF 65536

/* ---- options (main.c) --------------------------------------------------- */

enum { PROBE_PING, PROBE_RATE, PROBE_STREAM };

struct probe_opts {
	int udp, json, quiet, classic, mode;
	unsigned long count;
	unsigned long long interval_us, timeout_us, deadline_us;
	unsigned long size;
	unsigned workers;
	unsigned long long stream_bytes;
	long tol;
	const char *host;
	unsigned port;
};

extern struct probe_opts o;
extern volatile sig_atomic_t want_stop;	/* SIGINT or SIGTERM came */

/* ---- output and the first failure (out.c) -------------------------- */

/* What went wrong first, for the message and the exit code. */
extern int fail_code;
extern char fail_msg[PV_WHY + 64];

/* Records code and message, unless a failure is already recorded. */
void fail(int code, const char *f, ...);

/* stdout through one buffer; flush() writes it out. */
void put(const char *f, ...);
void flush(void);
/* Microseconds as milliseconds with 3 decimals; buf has 32 bytes. */
const char *ms(unsigned long long us, char *buf);
/* The start and the end of a -j object; the end carries code and fail_msg. */
void put_json_head(const char *mode);
void put_json_tail(int code);

struct stats {
	unsigned long long *v, n, cap, sum, min, max;
	double sq;	/* only for mdev; no libm needed */
};

void stats_init(struct stats *s, unsigned long long cap);
void stats_add(struct stats *s, unsigned long long us);
/* stats_pct wants stats_sort first. */
void stats_sort(struct stats *s);
unsigned long long stats_pct(struct stats *s, unsigned p);
unsigned long long stats_mdev(const struct stats *s);
void put_json_stats(const char *name, struct stats *s);

/* ---- sockets and one TCP session (sess.c) -------------------------- */

extern char hoststr[64];	/* the numeric address resolve() found */
extern unsigned char sbuf[IOBUF], rbuf[IOBUF];

/* o.host and o.port into the address; exits EX_NOHOST if unknown. */
void resolve(void);
int is_unreachable(int e);
int start_connect(int type);
int xpoll(struct pollfd *p, nfds_t n, unsigned long long until);

enum { S_FREE, S_CONNECTING, S_XFER, S_DONE, S_FAILED };

/* One TCP exchange: send len pattern bytes, verify the echo. */
struct sess {
	int fd, state;
	unsigned long long sent, t0, last;	/* last: progress, for -W */
	struct pv_stream v;
};

void sess_begin(struct sess *s, unsigned long long base, unsigned long long len);
short sess_events(const struct sess *s);
void sess_io(struct sess *s, short revents);
void sess_timeout(struct sess *s);
void sess_run(struct sess *s, unsigned long long deadline);

/* ---- the modes; each returns fail_code, or its own exit code ------------- */

int ping_tcp(void);	/* ping.c */
int ping_udp(void);
int run_rate(void);	/* load.c */
int run_stream(void);

#endif
