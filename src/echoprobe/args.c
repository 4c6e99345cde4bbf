/*
 * args.c: echoprobe's command line: usage and help, and the options into
 * a struct probe_opts (a bad one is a one-line error and exit 64).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "config.h"
#include "dscp.h"
#include "fmt.h"
#include "log.h"
#include "probe.h"

#define MAX_COUNT 10000000UL

static const char usage_text[] =
    "usage: echoprobe [-jMqu] [-b MiB | -r workers | -R pps] [-c count] [-I iface]\n"
    "                 [-i interval] [-m classic|raw] [-Q dscp] [-S addr] [-s size]\n"
    "                 [-t tolerance] [-W timeout] [-w deadline] host [port]\n";

static const char help_text[] =
    "Checks an echo service (RFC 862, or echod's classic replies) and measures it.\n"
    "Every reply is verified: raw must be byte-identical, classic must be exactly\n"
    "Echo=>b'...' at <ctime> for what was sent, the ctime within -t of our clock.\n"
    "  (default)  ping: one probe per interval on one connection (or UDP datagrams),\n"
    "             a line per probe, then sent/received/loss and RTT min/avg/max/mdev\n"
    "  -r K   connection rate: K workers, each connect, send, verify, close, again,\n"
    "         until -c connections (1000) or -w seconds (10)\n"
    "  -b N   stream: one connection, N MiB sent and verified full duplex, MB/s\n"
    "  -R P   UDP at P datagrams/s for -c datagrams or -w seconds (10): a line per\n"
    "         -i; lost, duplicated, reordered (RFC 4737), late, RTT, jitter (RFC 3550)\n"
    "  -M     path MTU: largest UDP payload that comes back with don't-fragment set\n"
    "  -Q D   DSCP to send: ef, af11..af43, cs0..cs7, va, le or 0-63; UDP modes\n"
    "         report the DSCP the replies came back with\n"
    "  -I IF  send through this interface     -S A  from this source address\n"
    "  -c     probes (5) or connections (1000)\n"
    "  -i     seconds between probes, or between -R report lines (1)\n"
    "  -j     one JSON object per run on stdout    -q  summary only\n"
    "  -m     classic (default, echod's default) or raw\n"
    "  -s     bytes per probe, connection or datagram (64)   -u  UDP ping\n"
    "  -t     seconds a classic ctime may be off our clock (10); TZ must match the server's\n"
    "  -W     seconds to wait for progress on a reply (5; -M: 1)\n"
    "  -w     seconds the whole run may take (ping, stream: none; rate: 10)\n"
    "  -h, --help   this help    -V  version\n"
    "  port defaults to 50007; host is an address or a name.\n"
    "exit: 0 all verified; 1 some probes lost (UDP) or connections failed;\n"
    "      64 usage; 68 unknown host; 69 connection refused or unreachable;\n"
    "      71 system error; 75 timeout (no reply); 76 reply mismatch or short reply\n";

static noreturn void
usage(const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	out_vwarn(f, &ap);
	va_end(ap);
	log_puts(STDERR_FILENO, usage_text);
	log_puts(STDERR_FILENO, "Try 'echoprobe --help' for more information.\n");
	exit(EX_USAGE);
}

/* A decimal number of seconds with up to 6 decimals, into microseconds. */
static unsigned long long
parse_secs(const char *s, int letter, unsigned long max_s)
{
	unsigned long long v;
	unsigned long whole = 0, scale = 1000000;
	const char *p = s;
	int r = fmt_parse_ulong(&p, max_s, &whole), digits = r == 0;

	if (r == -2)
		usage("option -%c: number too large", letter);
	v = (unsigned long long)whole * 1000000;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++, digits = 1)
			if ((scale /= 10) > 0)
				v += (unsigned long)(*p - '0') * scale;
	if (*p != '\0' || !digits)
		usage("option -%c: not a number of seconds", letter);
	return v;
}

static unsigned long
parse_num(const char *s, int letter, unsigned long min, unsigned long max)
{
	unsigned long v = 0;
	const char *p = s;

	if (fmt_parse_ulong(&p, max, &v) != 0 || *p != '\0' || v < min)
		usage("option -%c: '%s' is not a number in %lu..%lu", letter, s, min, max);
	return v;
}

/*
 * The options with a number: the field it goes in (unsigned long; -i -W -w:
 * microseconds, unsigned long long), its range, the mode it picks (0: none).
 */
#define O(field) offsetof(struct probe_opts, field)
static const struct num_opt {
	char c, mode, secs;
	unsigned char off;
	unsigned min, max;
} num_opts[] = {
	{ 'b', PROBE_STREAM, 0, O(stream_mib), 1, 1048576 },
	{ 'c', 0, 0, O(count), 1, MAX_COUNT },
	{ 'R', PROBE_FLOW, 0, O(rate), 1, 1000000 },
	{ 'r', PROBE_RATE, 0, O(workers), 1, MAX_WORKERS },
	{ 's', 0, 0, O(size), 0, 16 << 20 },
	{ 't', 0, 0, O(tol), 0, 1000000000 },
	{ 'i', 0, 1, O(interval_us), 0, 86400 },
	{ 'W', 0, 1, O(timeout_us), 0, 86400 },
	{ 'w', 0, 1, O(deadline_us), 0, 86400 * 365 },
};

static void
set_opt(struct probe_opts *o, int c, const char *arg)
{
	const struct num_opt *n;
	char *field;

	for (n = num_opts; n < num_opts + sizeof num_opts / sizeof num_opts[0]; n++)
		if (n->c == c) {
			field = (char *)o + n->off;
			if (n->secs)
				*(unsigned long long *)field = parse_secs(arg, c, n->max);
			else
				*(unsigned long *)field = parse_num(arg, c, n->min, n->max);
			if (n->mode)
				o->mode = n->mode;
			return;
		}
	switch (c) {
	case 'm':
		if (strcmp(arg, "classic") != 0 && strcmp(arg, "raw") != 0)
			usage("option -m: '%s' is not classic or raw", arg);
		o->classic = arg[0] == 'c';
		break;
	case 'I': o->iface = arg; break;
	case 'Q':
		if ((o->dscp = dscp_parse(arg)) < 0)
			usage("option -Q: '%s' is not a DSCP name or 0..63", arg);
		break;
	case 'S':
		if (net_addr(&o->src, arg, 0) == 0)
			usage("option -S: '%s' is not an IPv4 or IPv6 address", arg);
		o->has_src = 1;
		break;
	}
}

void
args_parse(struct probe_opts *o, int argc, char **argv)
{
	static const struct probe_opts defaults = {
		.classic = 1, .interval_us = 1000000, .timeout_us = 5000000,
		.size = 64, .tol = 10, .port = ECHOD_PORT, .dscp = -1,
	};
	const char *flags = "hjMquV", *withargs = "bcIimQRrSstWw";
	int i, c, timeout_set = 0;
	char *a;

	*o = defaults;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		a = argv[i] + 1;
		if (strcmp(a, "-") == 0) {
			i++;
			break;
		}
		if (strcmp(a, "-help") == 0)
			a = "h";
		for (; (c = *a) != '\0'; a++) {
			if (strchr(withargs, c) != NULL) {
				if (a[1] == '\0' && ++i >= argc)
					usage("option -%c needs an argument", c);
				set_opt(o, c, a[1] != '\0' ? a + 1 : argv[i]);
				timeout_set |= c == 'W';
				break;
			}
			if (strchr(flags, c) == NULL)
				usage("unknown option -%c", c);
			if (c == 'h') {
				log_puts(STDOUT_FILENO, usage_text);
				log_puts(STDOUT_FILENO, help_text);
				exit(0);
			}
			if (c == 'V') {
				log_puts(STDOUT_FILENO, "echoprobe " ECHOD_VERSION "\n");
				exit(0);
			}
			o->json |= c == 'j';
			o->quiet |= c == 'q';
			o->udp |= c == 'u';
			if (c == 'M')
				o->mode = PROBE_PMTU;
		}
	}
	if (i >= argc)
		usage("no host given");
	o->host = argv[i++];
	if (i < argc)
		o->port = parse_num(argv[i++], 'p', 1, 65535);
	if (i < argc)
		usage("too many arguments: '%s'", argv[i]);
	if (o->udp && o->mode != PROBE_PING && o->mode < PROBE_FLOW)
		usage("-u goes only with ping, -R or -M");
	if (o->mode >= PROBE_FLOW)
		o->udp = 1;
	if (o->udp && o->size > NET_UDP_MAX)
		usage("-s: a UDP probe has at most %u bytes", NET_UDP_MAX);
	if (o->mode == PROBE_FLOW && o->size < FLOW_HEAD)
		usage("-s: a -R datagram has at least %u bytes", FLOW_HEAD);
	if (o->mode == PROBE_FLOW && o->count == 0) {
		unsigned long long n = out_div(o->rate * out_div(o->deadline_us ? o->deadline_us : 10000000,
		    1000), 1000);

		o->count = n < 1 ? 1 : n > MAX_COUNT ? MAX_COUNT : (unsigned long)n;
	}
	o->stream_bytes = (unsigned long long)o->stream_mib << 20;
	o->reply = o->classic ? "classic" : "raw";
	if (o->mode == PROBE_PMTU && !timeout_set)
		o->timeout_us = 1000000;
	if (o->count == 0)
		o->count = o->mode == PROBE_RATE ? 1000 : 5;
	if (o->mode == PROBE_RATE && o->deadline_us == 0)
		o->deadline_us = 10000000;
}

