/*
 * test_fmt.c: the printf subset and address formatting (Python's peer tuples).
 */
#include <arpa/inet.h>
#include <errno.h>

#include "check.h"
#include "errmsg.h"
#include "fmt.h"
#include "net.h"

static void
check_v6(const char *literal, const char *want)
{
	union net_addr a;
	char out[64];
	size_t n;

	net_addr(&a, literal, 7);
	n = fmt_addr(out, &a.sa);
	CHECK_STR(out, n, want, "fmt_addr: %s", literal);
}

static void
test_numbers(void)
{
	char buf[128];
	size_t n;

	n = fmt(buf, sizeof buf, "%d %u %ld %lu %lld %llu %x %c %s %%",
	    -42, 42u, -1234567L, 1234567UL, -9000000000LL, 18446744073709551615ULL,
	    0xbeefu, 'z', "str");
	CHECK_STR(buf, n, "-42 42 -1234567 1234567 -9000000000 18446744073709551615 beef z str %",
	    "fmt: integers, char, string, percent");
	n = fmt(buf, sizeof buf, "%d", -2147483647 - 1);
	CHECK_STR(buf, n, "-2147483648", "fmt: INT_MIN");
	n = fmt(buf, 8, "%s", "truncated text");
	CHECK(n == 7 && buf[7] == '\0' && memcmp(buf, "truncat", 7) == 0, "fmt: truncates at cap-1 with NUL");
	errno = ENOENT;
	n = fmt(buf, sizeof buf, "open x: %m");
	CHECK(n > 8 && strstr(buf, "No such file") != NULL && errno == ENOENT, "fmt: %%m is strerror(errno), errno kept");
	errno = 4095;
	n = fmt(buf, sizeof buf, "x: %m");
	CHECK_STR(buf, n, "x: error 4095", "fmt: %%m of an errno outside the table is its number");
	n = fmt(buf, sizeof buf, "tail %");
	CHECK_STR(buf, n, "tail %", "fmt: lone %% at the end");
	n = fmt(buf, sizeof buf, "a%qb%");
	CHECK_STR(buf, n, "a%b%", "fmt: an unknown conversion prints %% and takes its letter");
}

/* fmt_parse_ulong at the edges of max and of 32 bits, and far past them. */
static void
test_parse(void)
{
	static const struct {
		const char *in;
		unsigned long max, want;
		int r, used;
	} cases[] = {
		{ "4294967295", 4294967295UL, 4294967295UL, 0, 10 },
		{ "4294967296", 4294967295UL, 0, -2, 10 },
		{ "4294967300", 4294967295UL, 0, -2, 10 },
		{ "42949672950", 4294967295UL, 0, -2, 11 },
		{ "18446744073709551616", 4294967295UL, 0, -2, 20 },
		{ "999999999999999999999999999999x", 4294967295UL, 0, -2, 30 },
		{ "65535", 65535, 65535, 0, 5 },
		{ "65536", 65535, 0, -2, 5 },
		{ "0007:", 65535, 7, 0, 4 },
		{ "x1", 65535, 0, -1, 0 },
		{ "", 65535, 0, -1, 0 },
	};
	size_t i, bad = 0;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *p = cases[i].in;
		unsigned long v = 12345;
		int r = fmt_parse_ulong(&p, cases[i].max, &v);

		if (r != cases[i].r || p != cases[i].in + cases[i].used ||
		    v != (r == 0 ? cases[i].want : 12345UL)) {
			printf("  %s (max %lu): %d, %lu, %d used\n", cases[i].in,
			    cases[i].max, r, v, (int)(p - cases[i].in));
			bad++;
		}
	}
	CHECK(bad == 0, "fmt_parse_ulong: %zu inputs at the edges of max and 32 bits", i);
}

/*
 * %S: a string from outside, control bytes and DEL as '?', cut after
 * FMT_S_MAX bytes with "...", and like everything else cut at cap-1.
 */
static void
test_untrusted(void)
{
	char buf[160], s[FMT_S_MAX + 2], want[FMT_S_MAX + 8];
	size_t n;

	n = fmt(buf, sizeof buf, "<%S>", "a\tb\r\n\x7f\x1f\x80 ~");
	CHECK_STR(buf, n, "<a?b????\x80 ~>", "fmt: %%S shows control bytes and DEL as '?'");
	memset(s, 'x', FMT_S_MAX);
	s[FMT_S_MAX] = '\0';
	memcpy(want, "<", 1);
	memcpy(want + 1, s, FMT_S_MAX);
	memcpy(want + 1 + FMT_S_MAX, ">", 2);
	n = fmt(buf, sizeof buf, "<%S>", s);
	CHECK_STR(buf, n, want, "fmt: %%S of FMT_S_MAX bytes is whole");
	s[FMT_S_MAX] = 'y';
	s[FMT_S_MAX + 1] = '\0';
	memcpy(want + 1 + FMT_S_MAX, "...>", 5);
	n = fmt(buf, sizeof buf, "<%S>", s);
	CHECK_STR(buf, n, want, "fmt: %%S of one byte more is cut with ...");
	n = fmt(buf, FMT_S_MAX + 3, "<%S>", s);
	CHECK(n == FMT_S_MAX + 2 && memcmp(buf, want, n) == 0 && buf[n] == '\0',
	    "fmt: %%S cut at cap-1 inside its dots");
	n = fmt(buf, 4, "<%S>", "a\nbc");
	CHECK_STR(buf, n, "<a?", "fmt: %%S cut at cap-1 inside the string");
}

/* fmt_ulong against printf's %llu: near every power of 2 and of 10, and pseudo-random values. */
static void
test_ulong(void)
{
	unsigned long long v, p10 = 1, x = 88172645463325252ULL;
	char mine[32], want[32];
	int i, d, bad = 0, n = 0;

	for (i = 0; i < 64 * 3 + 20 * 3 + 100000; i++) {
		if (i < 64 * 3)
			v = (1ULL << i / 3) + (unsigned long long)(i % 3) - 1;
		else if (i < 64 * 3 + 20 * 3) {
			d = (i - 64 * 3) % 3;
			v = p10 + (unsigned long long)d - 1;
			if (d == 2)
				p10 *= 10;
		} else {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			v = x >> (i % 64);
		}
		mine[fmt_ulong(mine, v)] = '\0';
		snprintf(want, sizeof want, "%llu", v);
		n++;
		if (strcmp(mine, want) != 0 && bad++ < 5)
			printf("  %s: got %s\n", want, mine);
	}
	CHECK(bad == 0, "fmt_ulong: %d values as printf's %%llu", n);
}

/*
 * net_addr's literals against the C library's inet_pton, string by
 * string: valid ones, near misses, and every way to misplace "::".
 */
static void
test_literals(void)
{
	static const char *const in[] = {
		"0.0.0.0", "127.0.0.1", "255.255.255.255", "1.2.3.04", "1.2.3", "1.2.3.4.5",
		"256.1.1.1", "1.2.3.4 ", " 1.2.3.4", "1..2.3", "01.2.3.4", "1.2.3.", "", ".",
		"::", "::1", "1::", "1::2", "::ffff:1.2.3.4", "::1.2.3.4", "1:2:3:4:5:6:7:8",
		"1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "1::2:3:4:5:6:7:8", "1:2:3:4:5:6::7",
		"1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3",
		"1.2.3.4::", ":::", ":1", "1:", "1::2::3", "12345::", "fe80::1", "FE80::AbCd",
		"2001:db8::1:0:0:1", "::ffff:256.1.1.1", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8",
		"g::", "1:: ", "0:0:0:0:0:0:0:0", "::0:0:0:0:0:0:0", "1.2.3.4%eth0", "[::1]",
	};
	unsigned char want[16];
	union net_addr a;
	size_t i, bad = 0;
	int v4, v6, ok;

	for (i = 0; i < sizeof in / sizeof in[0]; i++) {
		memset(want, 0, sizeof want);
		v4 = inet_pton(AF_INET, in[i], want) == 1;
		v6 = !v4 && inet_pton(AF_INET6, in[i], want) == 1;
		if (!net_addr(&a, in[i], 7))
			ok = !v4 && !v6;
		else if (a.sa.sa_family == AF_INET)
			ok = v4 && memcmp(&a.sin.sin_addr, want, 4) == 0 && ntohs(a.sin.sin_port) == 7;
		else
			ok = v6 && memcmp(&a.sin6.sin6_addr, want, 16) == 0 && ntohs(a.sin6.sin6_port) == 7;
		if (!ok) {
			printf("  [%s]: inet_pton %s\n", in[i], v4 ? "IPv4" : v6 ? "IPv6" : "invalid");
			bad++;
		}
	}
	CHECK(bad == 0, "net_addr: %zu literals read as inet_pton reads them", i);
}

/*
 * errmsg: every errno the table knows reads as musl's strerror (the
 * reference where the C library is musl), and the ones echod and
 * echoprobe meet are in it.
 */
static void
test_errmsg(void)
{
	static const int needed[] = { EADDRINUSE, EADDRNOTAVAIL, EACCES, EPERM, EMFILE, ENFILE,
	    ENOBUFS, ENOMEM, EAGAIN, ECONNRESET, EPIPE, ETIMEDOUT, ECONNREFUSED, ENETUNREACH,
	    EHOSTUNREACH, ENOENT, EINVAL, EAFNOSUPPORT, ENODEV, EMSGSIZE };
	char b[ERRMSG_BUF];
	const char *m;
	int e, known = 0, wrong = 0, missing = 0;
	size_t i;

	for (e = 1; e < 2048; e++) {
		m = errmsg(e, b);
		if (strncmp(m, "error ", 6) == 0)
			continue;
		known++;
#ifndef __GLIBC__
		if (strcmp(m, strerror(e)) != 0) {
			printf("  errno %d: [%s], musl [%s]\n", e, m, strerror(e));
			wrong++;
		}
#endif
	}
	for (i = 0; i < sizeof needed / sizeof needed[0]; i++)
		missing += strncmp(errmsg(needed[i], b), "error ", 6) == 0;
	CHECK(known >= 30 && wrong == 0 && missing == 0,
	    "errmsg: %d errnos in musl's words, the socket and file errors among them", known);
	m = errmsg(-3, b);
	CHECK(strcmp(m, "error -3") == 0, "errmsg: an unknown errno is its number");
}

static void
test_peers(void)
{
	union net_addr a;
	char buf[96];
	size_t n;

	net_addr(&a, "127.0.0.1", 34708);
	n = fmt(buf, sizeof buf, "Server connected by %P at", &a.sa);
	CHECK_STR(buf, n, "Server connected by ('127.0.0.1', 34708) at", "fmt: IPv4 peer as Python prints it");
	net_addr(&a, "::1", 34708);
	n = fmt(buf, sizeof buf, "%P", &a.sa);
	CHECK_STR(buf, n, "('::1', 34708, 0, 0)", "fmt: IPv6 peer tuple with flowinfo and scope");
	net_addr(&a, "::ffff:10.0.2.2", 5);
	n = fmt(buf, sizeof buf, "%P", &a.sa);
	CHECK_STR(buf, n, "('10.0.2.2', 5)", "fmt: IPv4-mapped peer prints as IPv4");
	net_addr(&a, "0.0.0.0", 65535);
	n = fmt(buf, sizeof buf, "%A:%u", &a.sa, net_port(&a));
	CHECK_STR(buf, n, "0.0.0.0:65535", "fmt: %%A address only");
}

/*
 * fmt_is_v4mapped against the C library's IN6_IS_ADDR_V4MAPPED: the mapped
 * form, and it with each prefix byte changed (one bit, or all bits).
 */
static void
test_v4mapped(void)
{
	struct in6_addr a;
	size_t i, bad = 0;
	int bit;

	inet_pton(AF_INET6, "::ffff:192.0.2.1", &a);
	CHECK(fmt_is_v4mapped(&a) && IN6_IS_ADDR_V4MAPPED(&a), "fmt_is_v4mapped: ::ffff:192.0.2.1");
	for (i = 0; i < 16; i++)
		for (bit = 0; bit < 9; bit++) {
			inet_pton(AF_INET6, "::ffff:192.0.2.1", &a);
			a.s6_addr[i] ^= bit < 8 ? 1 << bit : 0xff;
			if (!fmt_is_v4mapped(&a) != !IN6_IS_ADDR_V4MAPPED(&a))
				bad++;
		}
	inet_pton(AF_INET6, "::192.0.2.1", &a);
	if (fmt_is_v4mapped(&a))
		bad++;
	CHECK(bad == 0, "fmt_is_v4mapped: agrees with IN6_IS_ADDR_V4MAPPED on 144 changed bytes");
}

int
main(void)
{
	union net_addr a, b;

	test_numbers();
	test_untrusted();
	test_parse();
	test_peers();
	test_v4mapped();
	test_errmsg();
	test_literals();
	test_ulong();
	check_v6("::", "::");
	check_v6("::1", "::1");
	check_v6("1::", "1::");
	check_v6("2001:db8::1", "2001:db8::1");
	check_v6("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1");
	check_v6("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1");
	check_v6("fe80::a:0:0:0:b", "fe80:0:0:a::b");
	check_v6("2001:0DB8:00AB:0000:0000:0000:0000:00FF", "2001:db8:ab::ff");
	check_v6("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8");
	CHECK(net_addr(&a, "256.1.1.1", 1) == 0 && net_addr(&a, "host", 1) == 0 &&
	    net_addr(&a, "", 1) == 0, "net_addr: rejects what is not a literal");
	net_addr(&a, "127.0.0.1", 1);
	net_addr(&b, "::ffff:127.0.0.1", 2);
	CHECK(net_same_host(&a, &b, 64), "net_same_host: IPv4 equals its mapped form, any port");
	net_addr(&b, "127.0.0.2", 1);
	CHECK(!net_same_host(&a, &b, 64), "net_same_host: different hosts differ");
	CHECK(!net_same_host(&a, &b, 0), "net_same_host: the IPv6 prefix leaves IPv4 whole");
	net_addr(&a, "2001:db8:1:2:aaaa::1", 1);
	net_addr(&b, "2001:db8:1:2:bbbb::2", 1);
	CHECK(net_same_host(&a, &b, 64) && !net_same_host(&a, &b, 128),
	    "net_same_host: one /64, two /128s");
	net_addr(&b, "2001:db8:1:3::1", 1);
	CHECK(!net_same_host(&a, &b, 64) && net_same_host(&a, &b, 56) &&
	    net_same_host(&a, &b, 63) && !net_same_host(&a, &b, 64),
	    "net_same_host: 2001:db8:1:2:: and :3:: share a /63 and a /56, not a /64");
	return check_failed;
}
