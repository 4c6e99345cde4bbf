/*
 * opts.c: the command line. A small getopt of our own: musl's prints its
 * complaints through stdio, and every number here needs a range check
 * anyway, which the table below keeps next to its letter.
 */
#include <string.h>

#include "config.h"
#include "dict.h"
#include "dscp.h"
#include "fmt.h"
#include "opts.h"

/*
 * The -h text, help.txt, as mkdict.py codes it into help.h (dict.h):
 * 1311 bytes become 911.
 */
#include "help.h"

_Static_assert(HELP_LEN < OPTS_TEXT_MAX && HELP_USAGE_LEN < OPTS_USAGE_MAX, "opts.h's sizes");

void
opts_text(char *buf, int help)
{
	*dict_expand(buf, help ? help_text : help_dict, help_dict) = '\0';
}

/* Offsets and ranges in small types: every option costs 12 bytes of table. */
struct numopt {
	char letter;
	unsigned char min;
	unsigned char offset;
	unsigned char offset2;	/* where a value after '/' goes (0 when left out) */
	unsigned short max2;	/* it is 1-max2; 0: no '/' */
	unsigned max;
};

#define OFF(f) (unsigned char)offsetof(struct opts, f)

/* The options that take a value. */
#define VALUE_OPTS "bCcdIlmpQrtu"

static const struct numopt numopts[] = {
	{ 'C', 0, OFF(perhost), OFF(prefix), 128, ECHOD_CHILD_LIMIT },
	{ 'c', 1, OFF(maxchild), 0, 0, ECHOD_CHILD_LIMIT },
	{ 'd', 0, OFF(delay), 0, 0, 3600 },
	{ 'l', 1, OFF(backlog), 0, 0, 65535 },
	{ 'p', 0, OFF(port), 0, 0, 65535 },
	{ 'r', 0, OFF(rate), OFF(burst), 65535, 65535 },
	{ 't', 0, OFF(idle), 0, 0, 86400 },
};

#define NOT_ERROR "option -%c: '%S' is not %s"
#define RANGE_ERROR "option -%c: %S is out of range %u-%u"

static int
set_number(struct opts *o, char c, const char *arg, char *err, size_t errcap)
{
	const struct numopt *n;
	const char *end = arg;
	unsigned long v, v2 = 0;
	int r, r2;

	for (n = numopts; n->letter != c; n++)
		;
	r = fmt_parse_ulong(&end, n->max, &v);
	if (*end == '/' && n->max2 != 0) {	/* "N/M": M 0 means the default */
		end++;
		r2 = fmt_parse_ulong(&end, n->max2, &v2);
		r = r != 0 ? r : r2;
	}
	if (r == -1 || *end != '\0') {
		fmt(err, errcap, NOT_ERROR, c, arg, "a number");
		return -1;
	}
	if (r == -2 || v < n->min) {
		fmt(err, errcap, RANGE_ERROR, c, arg, n->min, n->max);
		return -1;
	}
	*(unsigned *)((char *)o + n->offset) = (unsigned)v;
	if (n->max2 != 0)
		*(unsigned *)((char *)o + n->offset2) = (unsigned)v2;
	return 0;
}

/* A number past the largest uid (4294967295 is (uid_t)-1): never a name, never a wrap. */
static int
numeric_id_too_big(const char *arg)
{
	unsigned long v;

	return fmt_parse_ulong(&arg, 4294967294UL, &v) == -2 && *arg == '\0';
}

static int
set_value(struct opts *o, char c, const char *arg, char *err, size_t errcap)
{
	switch (c) {
	case 'b':
		o->bind = arg;
		return 0;
	case 'u':
		if (*arg == '\0')
			break;
		if (numeric_id_too_big(arg)) {
			fmt(err, errcap, RANGE_ERROR, 'u', arg, 0, 4294967294U);
			return -1;
		}
		o->user = arg;
		return 0;
	case 'I':
		if (*arg == '\0')
			break;
		o->iface = arg;
		return 0;
	case 'Q':
		if ((o->dscp = dscp_parse(arg)) < 0)
			break;
		return 0;
	case 'm':
		if (strcmp(arg, "classic") == 0)
			o->mode = MODE_CLASSIC;
		else if (strcmp(arg, "raw") == 0)
			o->mode = MODE_RAW;
		else
			break;
		return 0;
	default:
		return set_number(o, c, arg, err, errcap);
	}
	fmt(err, errcap, NOT_ERROR, c, arg, "valid");
	return -1;
}

/* The flags, and the int field each sets to 1 (-h: ACT_HELP; -V: 2, ACT_VERSION). */
_Static_assert(ACT_HELP == 1 && ACT_VERSION == 2, "-h sets 1, -V 2");
#define FLAG_OPTS "1hiqsUV"

static const unsigned char flag_field[] = {
	OFF(print_port), OFF(action), OFF(inetd), OFF(quiet), OFF(syslog), OFF(udp), OFF(action)
};

/* Every letter: the NFLAGS flags first, then those that take a value. */
static const char letters[] = FLAG_OPTS VALUE_OPTS;
#define NFLAGS (sizeof FLAG_OPTS - 1)

static void
set_defaults(struct opts *o)
{
	memset(o, 0, sizeof *o);
	o->dscp = -1;
	o->port = ECHOD_PORT;
	o->maxchild = ECHOD_MAXCHILD;
	o->backlog = ECHOD_BACKLOG;
	o->idle = ECHOD_IDLE;
	o->mode = MODE_CLASSIC;
	o->rate = ECHOD_UDP_RATE;
	o->burst = ECHOD_UDP_BURST;
}

/*
 * Whether -i is among the options, read with the parser's grammar but no
 * values: after an error the rest of the line was never parsed, and under
 * inetd the error must not go to stderr, which is the connection.
 */
static int
wants_inetd(int argc, char **argv)
{
	const char *a;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-' && strcmp(argv[i], "--") != 0; i++)
		for (a = argv[i] + 1; *a != '\0'; a++) {
			if (*a == 'i')
				return 1;
			if (strchr(letters + NFLAGS, *a) != NULL) {
				i += a[1] == '\0';	/* the value is the next argument */
				break;
			}
		}
	return 0;
}

static int
parse(struct opts *o, int argc, char **argv, char *err, size_t errcap)
{
	const char *a, *arg, *f;
	int i;

	set_defaults(o);
	for (i = 1; i < argc; i++) {
		a = argv[i];
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (a[0] != '-' || a[1] == '\0')
			break;
		for (a++; *a != '\0'; a++) {
			f = strchr(letters, *a);
			if (f == NULL) {
				fmt(err, errcap, "unknown option -%c",
				    (unsigned char)*a < 0x20 || *a == 0x7f ? '?' : *a);
				return -1;
			}
			if (f < letters + NFLAGS) {
				*(int *)((char *)o + flag_field[f - letters]) = 1 + (*a == 'V');
				continue;
			}
			arg = a[1] != '\0' ? a + 1 : argv[++i];
			if (arg == NULL) {
				fmt(err, errcap, "option -%c needs a value", *a);
				return -1;
			}
			if (set_value(o, *a, arg, err, errcap) < 0)
				return -1;
			break;
		}
	}
	if (i < argc) {
		fmt(err, errcap, "unexpected argument '%S'", argv[i]);
		return -1;
	}
	return 0;
}

int
opts_parse(struct opts *o, int argc, char **argv, char *err, size_t errcap)
{
	if (parse(o, argc, argv, err, errcap) == 0)
		return 0;
	o->inetd = wants_inetd(argc, argv);
	return -1;
}
