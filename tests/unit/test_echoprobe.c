/*
 * test_echoprobe.c: echoprobe beyond its verifier: the options (args.c:
 * defaults, values, ranges, and a bad one exits 64 with one line), the
 * statistics (nearest-rank percentiles, mdev), JSON string escaping, the
 * millisecond format, and that a failure record keeps the first failure.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "dscp.h"
#include "probe.h"

/* ---- running code whose output goes to a file descriptor -------------- */

static char got[4096];

/* Runs f(arg) in a child with fd 1 and 2 into a pipe; its exit code, got = output. */
static int
capture(void (*f)(void *), void *arg)
{
	int pfd[2], st = -1;
	size_t n = 0;
	ssize_t r;
	pid_t pid;

	fflush(stdout);
	if (pipe(pfd) < 0 || (pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		f(arg);
		out_flush();
		_exit(0);
	}
	close(pfd[1]);
	while (n < sizeof got - 1 && (r = read(pfd[0], got + n, sizeof got - 1 - n)) > 0)
		n += r;
	got[n] = '\0';
	close(pfd[0]);
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* ---- options ------------------------------------------------------------ */

static struct probe_opts o;

static void
parse(const char *line)
{
	static char buf[256];
	char *argv[16], *t;
	int argc = 0;

	strcpy(buf, line);
	for (t = strtok(buf, " "); t != NULL && argc < 15; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	args_parse(&o, argc, argv);
}

static void
parse_cb(void *line)
{
	parse(line);
}

static void
bad(const char *line, const char *msg)
{
	int rc = capture(parse_cb, (void *)line);

	CHECK(rc == 64 && strstr(got, msg) != NULL && strstr(got, "usage: echoprobe") != NULL,
	    "echoprobe args: '%s' exits 64 saying '%s'", line, msg);
	if (rc != 64 || strstr(got, msg) == NULL)
		printf("  rc %d, said [%s]\n", rc, got);
}

static void
test_args(void)
{
	parse("echoprobe h");
	CHECK(o.mode == PROBE_PING && !o.udp && !o.json && !o.quiet && o.classic &&
	    o.count == 5 && o.interval_us == 1000000 && o.timeout_us == 5000000 &&
	    o.deadline_us == 0 && o.size == 64 && o.tol == 10 && o.port == ECHOD_PORT &&
	    strcmp(o.host, "h") == 0, "echoprobe args: ping defaults");
	parse("echoprobe -r 8 h 7");
	CHECK(o.mode == PROBE_RATE && o.workers == 8 && o.count == 1000 &&
	    o.deadline_us == 10000000 && o.port == 7, "echoprobe args: rate mode defaults, port");
	parse("echoprobe -jqu -c3 -i 0.25 -W 1.5 -w 2 -mraw -s 0 -- -h");
	CHECK(o.json && o.quiet && o.udp && o.count == 3 && o.interval_us == 250000 &&
	    o.timeout_us == 1500000 && o.deadline_us == 2000000 && !o.classic && o.size == 0 &&
	    strcmp(o.host, "-h") == 0, "echoprobe args: clustered flags, attached values, --");
	parse("echoprobe -i .000001 -b 2 h");
	CHECK(o.interval_us == 1 && o.mode == PROBE_STREAM && o.stream_bytes == 2 << 20,
	    "echoprobe args: -i .000001 is 1 us, -b in MiB");
	parse("echoprobe -i 1.1234567 h");
	CHECK(o.interval_us == 1123456, "echoprobe args: decimals past microseconds are dropped");
	bad("echoprobe", "no host given");
	bad("echoprobe -x h", "unknown option -x");
	bad("echoprobe -c", "option -c needs an argument");
	bad("echoprobe -c 0 h", "option -c: '0' is not a number in 1..10000000");
	bad("echoprobe -i 1.2.3 h", "option -i: not a number of seconds");
	bad("echoprobe -i . h", "option -i: not a number of seconds");
	bad("echoprobe -w 99999999999 h", "option -w: number too large");
	bad("echoprobe -m cooked h", "option -m: 'cooked' is not classic or raw");
	bad("echoprobe -u -r 2 h", "-u goes only with ping, -R or -M");
	bad("echoprobe -u -s 65528 h", "at most 65527 bytes");
	bad("echoprobe h 0", "'0' is not a number in 1..65535");
	bad("echoprobe h 1 2", "too many arguments: '2'");
	CHECK(capture(parse_cb, "echoprobe -h") == 0 && strstr(got, "exit: 0 all verified") != NULL,
	    "echoprobe args: -h prints the help, exits 0");
	CHECK(capture(parse_cb, "echoprobe -V") == 0 && strncmp(got, "echoprobe ", 10) == 0,
	    "echoprobe args: -V prints the version, exits 0");
}

/* ---- statistics --------------------------------------------------------- */

static void
test_stats(void)
{
	struct stats s;
	unsigned long long i;

	stats_init(&s, 100);
	for (i = 100; i >= 1; i--)
		stats_add(&s, i * 10);
	stats_sort(&s);
	CHECK(s.n == 100 && s.min == 10 && s.max == 1000 && s.sum / s.n == 505,
	    "echoprobe stats: n, min, max, avg of 10..1000");
	CHECK(stats_pct(&s, 50) == 500 && stats_pct(&s, 99) == 990 && stats_pct(&s, 100) == 1000 &&
	    stats_pct(&s, 1) == 10 && stats_pct(&s, 0) == 10,
	    "echoprobe stats: nearest-rank p0 p1 p50 p99 p100");
	/* population standard deviation of 10, 20, ..., 1000: 288.66 */
	CHECK(stats_mdev(&s) == 288, "echoprobe stats: mdev of 10..1000 is 288 (%llu)", stats_mdev(&s));
	stats_free(&s);

	stats_init(&s, 2);
	stats_add(&s, 7);
	stats_add(&s, 7);
	stats_add(&s, 7);
	stats_sort(&s);
	CHECK(s.n == 3 && stats_mdev(&s) == 0 && stats_pct(&s, 99) == 7 && s.sum == 21,
	    "echoprobe stats: more samples than room: counts go on, percentiles from what was kept");
	stats_free(&s);

	stats_init(&s, 0);
	CHECK(stats_pct(&s, 50) == 0 && stats_mdev(&s) == 0, "echoprobe stats: empty is all zero");
	stats_free(&s);
}

/* ---- output ------------------------------------------------------------- */

static void
json_cb(void *s)
{
	out_json_str(s);
}

static void
json_stats_cb(void *unused)
{
	struct stats s;

	(void)unused;
	stats_init(&s, 4);
	stats_add(&s, 300);
	stats_add(&s, 100);
	stats_add(&s, 200);
	out_json_stats("rtt_us", &s);
}

static void
test_output(void)
{
	char b[32];

	capture(json_cb, "plain \"q\" back\\slash \x01\x1f\n\t\x7f \xc3\xa9");
	CHECK(strcmp(got, "\"plain \\\"q\\\" back\\\\slash \\u0001\\u001f\\u000a\\u0009\x7f \xc3\xa9\"") == 0,
	    "echoprobe json: quotes, backslashes and control bytes escaped, the rest kept [%s]", got);
	capture(json_cb, "");
	CHECK(strcmp(got, "\"\"") == 0, "echoprobe json: empty string");
	capture(json_stats_cb, NULL);
	CHECK(strcmp(got, "\"rtt_us\":{\"min\":100,\"avg\":200,\"max\":300,\"mdev\":81,"
	    "\"p50\":200,\"p99\":300},") == 0, "echoprobe json: stats object [%s]", got);
	CHECK(strcmp(out_ms(0, b), "0.000") == 0 && strcmp(out_ms(1, b), "0.001") == 0 &&
	    strcmp(out_ms(1234567, b), "1234.567") == 0 && strcmp(out_ms(999, b), "0.999") == 0 &&
	    strcmp(out_ms(18446744073709551615ULL, b), "18446744073709551.615") == 0,
	    "echoprobe out_ms: microseconds as ms with 3 decimals");
}

static void
test_fail(void)
{
	struct probe_err e = { 0 };

	out_fail(&e, 75, "timeout after %d ms", 5);
	out_fail(&e, 76, "mismatch");
	CHECK(e.code == 75 && strcmp(e.msg, "timeout after 5 ms") == 0,
	    "echoprobe out_fail: the first failure is kept");
}

static void
test_dscp(void)
{
	static const struct { const char *name; int v; } t[] = {
		{ "cs0", 0 }, { "cs1", 8 }, { "cs7", 56 }, { "af11", 10 }, { "af13", 14 },
		{ "af41", 34 }, { "af43", 38 }, { "ef", 46 }, { "va", 44 }, { "le", 1 },
	};
	char b[8];
	unsigned i;
	int ok = 1, d;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		ok &= dscp_parse(t[i].name) == t[i].v && strcmp(dscp_name(t[i].v, b), t[i].name) == 0;
		if (!ok)
			printf("  %s: %d, named %s\n", t[i].name, dscp_parse(t[i].name), b);
	}
	CHECK(ok, "dscp: every name to its code point and back");
	CHECK(dscp_parse("0") == 0 && dscp_parse("63") == 63 && dscp_parse("64") == -1 &&
	    dscp_parse("af44") == -1 && dscp_parse("af51") == -1 && dscp_parse("cs8") == -1 &&
	    dscp_parse("EF") == -1 && dscp_parse("") == -1 && dscp_parse("4x") == -1,
	    "dscp: numbers 0..63, and nothing else");
	for (ok = 1, d = 0; d < 64; d++)
		ok &= dscp_parse(dscp_name(d, b)) == d;
	CHECK(ok, "dscp: the name of each of 0..63 parses back to it (e.g. 2 is '%s')", dscp_name(2, b));
}

static void
test_flow_head(void)
{
	static struct probe p;
	unsigned char d[64];
	char classic[128];
	unsigned long seq;
	unsigned long long ts;

	memset(d, '.', sizeof d);
	flow_head_put(d, 0xdeadbeef, 123456, 0x0123456789abcdefULL);
	CHECK(memcmp(d, "deadbeef0001e2400123456789abcdef.", 33) == 0, "flow: head as hex text");
	p.o.classic = 0;
	CHECK(flow_head_get(&p, d, 64, 64, 0xdeadbeef, &seq, &ts) == 0 && seq == 123456 &&
	    ts == 0x0123456789abcdefULL, "flow: raw head read back");
	CHECK(flow_head_get(&p, d, 63, 64, 0xdeadbeef, &seq, &ts) < 0 &&
	    flow_head_get(&p, d, 64, 64, 0xdeadbeee, &seq, &ts) < 0,
	    "flow: a short datagram or another run's token is not ours");
	p.o.classic = 1;
	memcpy(classic, "Echo=>b'", 8);
	memcpy(classic + 8, d, 64);
	memcpy(classic + 72, "' at Fri Nov 27 10:00:00 2026", 29);
	CHECK(flow_head_get(&p, (unsigned char *)classic, 101, 64, 0xdeadbeef, &seq, &ts) == 0 &&
	    seq == 123456, "flow: head read back from a classic reply");
	classic[12] = 'X';
	CHECK(flow_head_get(&p, (unsigned char *)classic, 101, 64, 0xdeadbeef, &seq, &ts) < 0,
	    "flow: a damaged head is not ours");
}

static void
test_jitter(void)
{
	unsigned long long j = 0;
	int i;

	j = flow_jitter(j, 16000);
	CHECK(j >> 4 == 1000, "jitter: the first |D| of 16 ms gives J = 1 ms, |D|/16 (%llu us)", j >> 4);
	for (j = 0, i = 0; i < 200; i++)
		j = flow_jitter(j, 10000);
	CHECK((j >> 4) >= 9990 && (j >> 4) <= 10000,
	    "jitter: a steady |D| of 10 ms converges to J = 10 ms (%llu us)", j >> 4);
	for (i = 0; i < 200; i++)
		j = flow_jitter(j, 0);
	CHECK(j >> 4 == 0, "jitter: no variation decays to 0 (%llu us)", j >> 4);
}

int
main(void)
{
	test_args();
	test_jitter();
	test_dscp();
	test_flow_head();
	test_stats();
	test_output();
	test_fail();
	return check_failed;
}
