/*
 * test_fmt.c: the printf subset and address formatting (Python's peer tuples).
 */
#include <arpa/inet.h>
#include <errno.h>

#include "check.h"
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
	n = fmt(buf, sizeof buf, "tail %");
	CHECK_STR(buf, n, "tail %", "fmt: lone %% at the end");
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

int
main(void)
{
	union net_addr a, b;

	test_numbers();
	test_peers();
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
