/*
 * out.c: everything echoprobe prints on stdout, through one buffer
 * so a run costs a few write(2)s: the human lines, the -j JSON object, the
 * statistics behind both (min/avg/max/mdev and nearest-rank percentiles,
 * no libm), and the first failure, which decides the message and exit code.
 */
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "fmt.h"
#include "log.h"
#include "net.h"
#include "probe.h"

int fail_code;
char fail_msg[PV_WHY + 64];

void
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

void
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

void
flush(void)
{
	(void)net_write_all(STDOUT_FILENO, out, nout);
	nout = 0;
}

/* Microseconds as milliseconds with 3 decimals. */
const char *
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
			put("\\u00%c%c", fmt_hexdigit[*s >> 4],
			    fmt_hexdigit[*s & 15]);
		else {
			c[0] = *s;
			put("%s", c);
		}
	}
	put("\"");
}

void
put_json_head(const char *mode)
{
	put("{\"mode\":\"%s\",\"proto\":\"%s\",\"reply\":\"%s\",\"host\":", mode,
	    o.udp ? "udp" : "tcp", o.classic ? "classic" : "raw");
	put_json_str(o.host);
	put(",\"address\":\"%s\",\"port\":%u,\"size\":%lu,", hoststr, o.port, o.size);
}

void
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

void
stats_init(struct stats *s, unsigned long long cap)
{
	memset(s, 0, sizeof *s);
	s->cap = cap;
	s->v = malloc((cap > 0 ? cap : 1) * sizeof *s->v);
	if (s->v == NULL)
		log_die(EX_OSERR, "out of memory for %llu samples", cap);
	s->min = ~0ULL;
}

void
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
unsigned long long
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

unsigned long long
stats_mdev(const struct stats *s)
{
	double avg, var;

	if (s->n == 0)
		return 0;
	avg = (double)s->sum / s->n;
	var = s->sq / s->n - avg * avg;
	return var > 0 ? isqrt((unsigned long long)var) : 0;
}

void
stats_sort(struct stats *s)
{
	qsort(s->v, s->n < s->cap ? s->n : s->cap, sizeof *s->v, cmp_ull);
}

void
put_json_stats(const char *name, struct stats *s)
{
	stats_sort(s);
	put("\"%s\":{\"min\":%llu,\"avg\":%llu,\"max\":%llu,\"mdev\":%llu,\"p50\":%llu,"
	    "\"p99\":%llu},", name, s->n ? s->min : 0, s->n ? s->sum / s->n : 0, s->max,
	    stats_mdev(s), stats_pct(s, 50), stats_pct(s, 99));
}
