/*
 * probe.h: what echoprobe's files share, and nothing else. One struct
 * probe holds a run: the options (args.c), the address, the first failure
 * and the I/O buffers; every mode gets it by pointer. Output, statistics
 * and failures are out.c; one TCP session driven through poll(2) is
 * sess.c, which the ping (ping.c), rate and stream (load.c) modes use.
 */
#ifndef ECHOD_PROBE_H
#define ECHOD_PROBE_H

#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdnoreturn.h>

#include "net.h"
#include "verify.h"

#define EX_SOMEFAILED 1
#define MAX_WORKERS 1024
#define IOBUF 65536
#define FLOW_HEAD 32	/* hex token, sequence number and send time opening a datagram */

/* ---- options (args.c) --------------------------------------------------- */

/* FLOW and PMTU last: both are UDP. */
enum { PROBE_PING, PROBE_RATE, PROBE_STREAM, PROBE_FLOW, PROBE_PMTU };

struct probe_opts {
	int udp, json, quiet, classic, mode;
	const char *reply;		/* "classic" or "raw", as the output names it */
	int dscp;			/* -Q, -1: none */
	unsigned long rate;		/* -R, datagrams a second */
	const char *iface;		/* -I */
	int has_src;			/* -S */
	union net_addr src;
	unsigned long count;
	unsigned long long interval_us, timeout_us, deadline_us;
	unsigned long size;
	unsigned long workers;
	unsigned long stream_mib;	/* -b */
	unsigned long long stream_bytes;
	unsigned long tol;
	const char *host;
	unsigned port;
};

/* The defaults, then argv; a bad option exits EX_USAGE, -h and -V exit 0. */
void args_parse(struct probe_opts *o, int argc, char **argv);

/* ---- failures and output (out.c) ---------------------------------------- */

/* What went wrong first, for the message and the exit code. */
struct probe_err {
	int code;
	char msg[PV_WHY + 64];
};

/* "echoprobe: message" on stderr; out_die exits with code after it. */
void out_vwarn(const char *f, va_list *ap);
noreturn void out_die(int code, const char *f, ...);

/* Records code and message in e, unless e already holds a failure. */
void out_fail(struct probe_err *e, int code, const char *f, ...);

/* One run: its options, its peer, its first failure, its buffers. */
struct probe {
	struct probe_opts o;
	int stop;			/* SIGINT or SIGTERM came */
	int sigfd;			/* a signalfd(2) for both */
	union net_addr addr;
	socklen_t addrlen;
	char hoststr[64];		/* the numeric address sess_resolve found */
	struct probe_err err;
	int dscp_back;			/* DSCP of the first reply, -1: none seen */
	unsigned long dscp_other;	/* replies that came back with another */
	unsigned char sbuf[IOBUF], rbuf[IOBUF];
};

/* size zeroed bytes for the rest of the run; exits EX_OSERR naming n what if none. */
void *out_alloc(size_t size, unsigned long n, const char *what);
/* stdout through one buffer; out_flush() writes it out. */
void out_put(const char *f, ...);
void out_flush(void);
/*
 * v as decimal digits with a point before the last `point` of them, only
 * `keep` of those kept (0: no point): 1234567, 3, 3 is "1234.567", 6, 2
 * "1.23". No division. buf has 32 bytes; the text is not at its start.
 */
const char *out_fix(unsigned long long v, unsigned point, unsigned keep, char *buf);
/* Microseconds as milliseconds with 3 decimals, as seconds with 2, as whole ms. */
#define out_ms(us, buf) out_fix(us, 3, 3, buf)
#define out_secs(us, buf) out_fix(us, 6, 2, buf)
#define out_msi(us, buf) out_fix(us, 3, 0, buf)
/* a / b (b below 2^63) without libgcc's 64-bit division on 32-bit targets. */
unsigned long long out_div(unsigned long long a, unsigned long long b);
/* A JSON string, quoted and escaped. */
void out_json_str(const char *s);
/* The start and the end of a -j object; the end carries code and p's error. */
void out_json_head(const struct probe *p, const char *mode);
void out_json_tail(const struct probe *p, int code);

struct stats {
	unsigned long long *v;
	unsigned long n, cap;
	unsigned long long sum, min, max;
};

void stats_init(struct stats *s, unsigned long cap);
void stats_free(struct stats *s);
void stats_add(struct stats *s, unsigned long long us);
/* stats_pct wants stats_sort first. */
void stats_sort(struct stats *s);
unsigned long long stats_pct(struct stats *s, unsigned p);
unsigned long long stats_mdev(const struct stats *s);
void out_json_stats(const char *name, struct stats *s);
/* The DSCP sent and came back: a line, or JSON members; nothing if neither. */
void out_dscp(const struct probe *p);

/* ---- sockets and one TCP session (sess.c) -------------------------- */

/* o.host and o.port into the address; exits EX_NOHOST if unknown. */
void sess_resolve(struct probe *p);
/*
 * A system call on the peer's socket failed: e records "<what>host port N:
 * <errno's words>", exit 69 if the peer is unreachable, else 71. Returns -1.
 */
int sess_oserr(struct probe *p, struct probe_err *e, const char *what);
/* A non-blocking socket with connect(2) started; -1 with e set. */
int sess_connect(struct probe *p, int type, struct probe_err *e);
/*
 * poll(2) through EINTR until `until` (0: no limit); -1 once SIGINT or
 * SIGTERM came (p->stop). fds has room for n + 1: the last is p->sigfd's.
 */
int sess_poll(struct probe *p, struct pollfd *fds, nfds_t n, unsigned long long until);
/* One datagram into p->rbuf, noting the DSCP it came with; recv(2)'s result. */
ssize_t sess_recv(struct probe *p, int fd);

enum { S_FREE, S_CONNECTING, S_XFER, S_DONE, S_FAILED };

/* One TCP exchange: send len pattern bytes, verify the echo. */
struct sess {
	struct probe *p;
	int fd, state;
	unsigned long long sent, t0, last;	/* last: progress, for -W */
	struct probe_err err;			/* why it failed */
	struct pv_stream v;
};

void sess_begin(struct sess *s, unsigned long long base, unsigned long long len);
short sess_events(const struct sess *s);
void sess_io(struct sess *s, short revents);
void sess_timeout(struct sess *s);
void sess_run(struct sess *s, unsigned long long deadline);

/* ---- the modes; each records its failure in p->err, returns its exit code */

int ping_tcp(struct probe *p);	/* ping.c */
int ping_udp(struct probe *p);
int load_rate(struct probe *p);	/* load.c */
int load_stream(struct probe *p);
int flow_run(struct probe *p);	/* flow.c: UDP at a set rate */
int pmtu_run(struct probe *p);	/* pmtu.c: path MTU */

/*
 * RFC 3550's J += (|D| - J) / 16 in integers: j16 is J in 1/16 us, d is
 * |D| in us (the RFC's own fixed-point form, section A.8).
 */
static inline unsigned long long
flow_jitter(unsigned long long j16, unsigned long long d)
{
	return j16 + d - ((j16 + 8) >> 4);
}

/* flow.c: a datagram's first FLOW_HEAD bytes, as printable hex (a classic
 * reply repeats them as they are). */
void flow_head_put(unsigned char *d, unsigned long tok, unsigned long seq,
    unsigned long long ts);
/* The head of a reply (raw, or classic's Echo=>b'...), from us: 0, else -1. */
int flow_head_get(const struct probe *p, const unsigned char *d, size_t n, size_t want,
    unsigned long tok, unsigned long *seq, unsigned long long *ts);

#endif
