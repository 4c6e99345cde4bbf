/*
 * out.c: everything echoprobe prints on stdout, through one buffer
 * so a run costs a few write(2)s: the human lines, the -j JSON object, the
 * statistics behind both (min/avg/max/mdev and nearest-rank percentiles,
 * in integers), and the record of a first failure (a run's or a session's).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sysexits.h>
#include <unistd.h>

#include "dscp.h"
#include "fmt.h"
#include "net.h"
#include "probe.h"

void
out_fail(struct probe_err *e, int code, const char *f, ...)
{
	va_list ap;

	if (e->code != 0)
		return;
	e->code = code;
	va_start(ap, f);
	fmt_v(e->msg, sizeof e->msg, f, &ap);
	va_end(ap);
}

/*
 * "echoprobe: " and the message, one line on stderr. Not log.c's log_warn:
 * echoprobe never logs to syslog, and its syslog client and dropped-line
 * counts are 0.5 KiB (ARM) to 0.9 KiB (arm64) that a client does not need.
 */
void
out_vwarn(const char *f, va_list *ap)
{
	char line[512];
	size_t n = 11;

	memcpy(line, "echoprobe: ", n);
	n += fmt_v(line + n, sizeof line - n - 1, f, ap);
	line[n++] = '\n';
	(void)net_write_all(STDERR_FILENO, line, n);
}

void
out_die(int code, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	out_vwarn(f, &ap);
	va_end(ap);
	exit(code);
}

/* ---- output ------------------------------------------------------------ */

static char out[4096];
static size_t nout;

void
out_put(const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	nout += fmt_v(out + nout, sizeof out - nout, f, &ap);
	va_end(ap);
	if (nout > sizeof out - 512) {
		(void)net_write_all(STDOUT_FILENO, out, nout);
		nout = 0;
	}
}

void
out_flush(void)
{
	(void)net_write_all(STDOUT_FILENO, out, nout);
	nout = 0;
}

/*
 * a / b, b below 2^63. A 32-bit target has no 64-bit division: libgcc's
 * costs 0.3 KiB (ARM) to 2.2 KiB (MIPS), and nothing but echoprobe's
 * output and its few rates need it, so shift and subtract, 64 steps.
 * (r:a) / b with r < b is the same loop: stats_mdev's 96-bit sum.
 */
static unsigned long long
div_long(unsigned long long r, unsigned long long a, unsigned long long b)
{
	int i;

	for (i = 0; i < 64; i++) {
		r = r << 1 | a >> 63;
		a <<= 1;
		if (r >= b) {
			r -= b;
			a |= 1;
		}
	}
	return a;
}

unsigned long long
out_div(unsigned long long a, unsigned long long b)
{
#if ULONG_MAX > 0xffffffffUL
	return a / b;
#else
	return div_long(0, a, b);
#endif
}

/* The decimal digits of v with a point before the last `point`, `keep` of them kept. */
const char *
out_fix(unsigned long long v, unsigned point, unsigned keep, char *buf)
{
	char *s = buf + 8;
	size_t n = fmt_ulong(s, v);

	for (; n <= point; n++)
		*--s = '0';
	n -= point;
	memmove(s + n + 1, s + n, keep);
	s[n] = keep ? '.' : '\0';
	s[n + 1 + keep] = '\0';
	return s;
}

void
out_dscp(const struct probe *p)
{
	char a[8], b[8];

	if (p->o.json) {
		out_put("\"dscp_sent\":%d,\"dscp_returned\":%d,\"dscp_other\":%lu,",
		    p->o.dscp, p->dscp_back, p->dscp_other);
		return;
	}
	if (p->o.dscp < 0 && p->dscp_back <= 0)
		return;
	out_put("dscp sent %s, replies came back %s", p->o.dscp < 0 ? "none" :
	    dscp_name(p->o.dscp, a), p->dscp_back < 0 ? "unmarked (no mark seen)" :
	    dscp_name(p->dscp_back, b));
	if (p->dscp_other)
		out_put(", %lu of them with another mark", p->dscp_other);
	out_put("\n");
}

/* A JSON string; the messages are ours, but may quote a server's bytes. */
void
out_json_str(const char *s)
{
	char c[2] = { 0, 0 };

	out_put("\"");
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			out_put("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			out_put("\\u00%c%c", fmt_hexdigit[*s >> 4],
			    fmt_hexdigit[*s & 15]);
		else {
			c[0] = *s;
			out_put("%s", c);
		}
	}
	out_put("\"");
}

void
out_json_head(const struct probe *p, const char *mode)
{
	out_put("{\"mode\":\"%s\",\"proto\":\"%s\",\"reply\":\"%s\",\"host\":", mode,
	    p->o.udp ? "udp" : "tcp", p->o.reply);
	out_json_str(p->o.host);
	out_put(",\"address\":\"%s\",\"port\":%u,\"size\":%lu,", p->hoststr, p->o.port,
	    p->o.size);
}

void
out_json_tail(const struct probe *p, int code)
{
	out_put("\"status\":%d,\"error\":", code);
	if (p->err.code != 0)
		out_json_str(p->err.msg);
	else
		out_put("null");
	out_put("}\n");
}

/*
 * Zeroed memory straight from mmap(2), for blocks that live until exit:
 * malloc and calloc would link musl's allocator (0.9 KiB on ARM, 1.9 KiB
 * on MIPS) for three of them. Exits EX_OSERR, naming n what, if none.
 */
void *
out_alloc(size_t size, unsigned long n, const char *what)
{
	void *m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED)
		out_die(EX_OSERR, "out of memory for %lu %s", n, what);
	return m;
}

/* ---- statistics -------------------------------------------------------- */

void
stats_init(struct stats *s, unsigned long cap)
{
	memset(s, 0, sizeof *s);
	s->cap = cap;
	s->v = out_alloc((cap > 0 ? cap : 1) * sizeof *s->v, cap, "samples");
	s->min = ~0ULL;
}

void
stats_free(struct stats *s)
{
	munmap(s->v, (s->cap > 0 ? s->cap : 1) * sizeof *s->v);
}

void
stats_add(struct stats *s, unsigned long long us)
{
	if (s->n < s->cap)
		s->v[s->n] = us;
	s->n++;
	s->sum += us;
	if (us < s->min)
		s->min = us;
	if (us > s->max)
		s->max = us;
}

/* Nearest-rank percentile. */
unsigned long long
stats_pct(struct stats *s, unsigned p)
{
	unsigned long n = s->n < s->cap ? s->n : s->cap, k;

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

/*
 * Population standard deviation of the kept samples, in integers (no
 * floating point: soft-float routines cost kilobytes on armel): the sum
 * of d*d in 64 bits and a carry count, divided by n once; exact while d
 * is below 71 minutes.
 */
unsigned long long
stats_mdev(const struct stats *s)
{
	unsigned long n = s->n < s->cap ? s->n : s->cap, i, hi = 0;
	unsigned long long avg, d, lo = 0;

	if (n == 0)
		return 0;
	avg = out_div(s->sum, s->n);
	for (i = 0; i < n; i++) {
		d = s->v[i] > avg ? s->v[i] - avg : avg - s->v[i];
		d *= d;
		lo += d;
		hi += lo < d;	/* at most once a sample: hi <= n */
	}
	return isqrt(div_long(hi < n ? hi : 0, lo, n));
}

/* Moves v[i] down the max-heap v[0..n) to where it belongs. */
static void
sift(unsigned long long *v, size_t i, size_t n)
{
	unsigned long long x = v[i];
	size_t c;

	while ((c = 2 * i + 1) < n) {
		c += c + 1 < n && v[c + 1] > v[c];
		if (v[c] <= x)
			break;
		v[i] = v[c];
		i = c;
	}
	v[i] = x;
}

/*
 * Heapsort: in place, n log n at worst, and no qsort, which is 0.9 KiB
 * (armhf) to 2 KiB (MIPS) of libc.
 */
void
stats_sort(struct stats *s)
{
	size_t n = s->n < s->cap ? s->n : s->cap, i;
	unsigned long long t;

	for (i = n / 2; i > 0;)
		sift(s->v, --i, n);
	while (n > 1) {
		t = s->v[--n];
		s->v[n] = s->v[0];
		s->v[0] = t;
		sift(s->v, 0, n);
	}
}

void
out_json_stats(const char *name, struct stats *s)
{
	stats_sort(s);
	out_put("\"%s\":{\"min\":%llu,\"avg\":%llu,\"max\":%llu,\"mdev\":%llu,\"p50\":%llu,"
	    "\"p99\":%llu},", name, s->n ? s->min : 0, s->n ? out_div(s->sum, s->n) : 0, s->max,
	    stats_mdev(s), stats_pct(s, 50), stats_pct(s, 99));
}
