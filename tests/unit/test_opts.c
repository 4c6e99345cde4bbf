/*
 * test_opts.c: option parsing, defaults, range checks and their messages.
 */
#include "check.h"
#include "config.h"
#include "opts.h"

static int
parse(struct opts *o, char *err, const char *a1, const char *a2, const char *a3,
    const char *a4)
{
	char *argv[] = { "echod", (char *)a1, (char *)a2, (char *)a3, (char *)a4, NULL };
	int argc = 1;

	while (argv[argc] != NULL)
		argc++;
	err[0] = '\0';
	return opts_parse(o, argc, argv, err, 128);
}

static void
bad(const char *a1, const char *a2, const char *want)
{
	struct opts o;
	char err[128];
	int r = parse(&o, err, a1, a2, NULL, NULL);

	CHECK(r == -1 && strcmp(err, want) == 0, "opts: %s %s -> \"%s\"", a1, a2 ? a2 : "", want);
	if (r != -1 || strcmp(err, want) != 0)
		printf("  got %d \"%s\"\n", r, err);
}

int
main(void)
{
	struct opts o;
	char err[128];

	CHECK(parse(&o, err, NULL, NULL, NULL, NULL) == 0 && o.port == 50007 &&
	    o.maxchild == ECHOD_MAXCHILD && o.backlog == ECHOD_BACKLOG &&
	    o.idle == ECHOD_IDLE && o.mode == MODE_CLASSIC && o.bind == NULL &&
	    !o.udp && !o.inetd && o.delay == 0 && o.perhost == 0, "opts: defaults");
	CHECK(parse(&o, err, "-1qsU", "-p0", "-mraw", "-b::1") == 0 && o.print_port &&
	    o.quiet && o.syslog && o.udp && o.port == 0 && o.mode == MODE_RAW &&
	    strcmp(o.bind, "::1") == 0, "opts: clustered flags and attached values");
	CHECK(parse(&o, err, "-c", "4", "-C", "2") == 0 && o.maxchild == 4 && o.perhost == 2,
	    "opts: separate values");
	CHECK(parse(&o, err, "-qd", "5", NULL, NULL) == 0 && o.quiet && o.delay == 5,
	    "opts: value after a flag in one word");
	CHECK(parse(&o, err, "-t", "0", "-l", "1") == 0 && o.idle == 0 && o.backlog == 1,
	    "opts: range edges -t 0, -l 1");
	CHECK(parse(&o, err, "-p", "65535", "-u", "nobody") == 0 && o.port == 65535 &&
	    strcmp(o.user, "nobody") == 0, "opts: -p 65535, -u");
	CHECK(parse(&o, err, NULL, NULL, NULL, NULL) == 0 && o.rate == 200 && o.burst == 200,
	    "opts: -r defaults to 200/200");
	CHECK(parse(&o, err, "-r", "50/7", "-r0", NULL) == 0 && o.rate == 0 && o.burst == 0,
	    "opts: -r 0 turns the limit off (a later -r wins)");
	CHECK(parse(&o, err, "-r", "50/7", NULL, NULL) == 0 && o.rate == 50 && o.burst == 7,
	    "opts: -r rate/burst");
	CHECK(parse(&o, err, "-h", NULL, NULL, NULL) == 0 && o.action == ACT_HELP, "opts: -h");
	CHECK(parse(&o, err, "-V", NULL, NULL, NULL) == 0 && o.action == ACT_VERSION, "opts: -V");
	CHECK(parse(&o, err, "-i", "--", NULL, NULL) == 0 && o.inetd, "opts: -- ends options");
	bad("-p", "65536", "option -p: 65536 is out of range 0-65535");
	bad("-p", "99999999999999999999", "option -p: 99999999999999999999 is out of range 0-65535");
	bad("-p", "-1", "option -p: '-1' is not a number");
	bad("-p", "", "option -p: '' is not a number");
	bad("-c", "0", "option -c: 0 is out of range 1-1024");
	bad("-c", "1025", "option -c: 1025 is out of range 1-1024");
	bad("-d", "3601", "option -d: 3601 is out of range 0-3600");
	bad("-t", "1x", "option -t: '1x' is not a number");
	bad("-l", "0", "option -l: 0 is out of range 1-65535");
	bad("-r", "1/65536", "option -r: 1/65536 is out of range 0-65535");
	bad("-r", "5/", "option -r: '5/' is not a number");
	bad("-p", "5/5", "option -p: '5/5' is not a number");
	bad("-m", "fancy", "option -m: 'fancy' is not valid");
	bad("-u", "", "option -u: '' is not valid");
	bad("-x", NULL, "unknown option -x");
	bad("-p", NULL, "option -p needs a value");
	bad("extra", NULL, "unexpected argument 'extra'");
	bad("-m", "a\nb\x1b", "option -m: 'a?b?' is not valid");	/* one line, no escapes */
	bad("-\x7f", NULL, "unknown option -?");
	bad("-m", "a\x7f", "option -m: 'a?' is not valid");
	bad("-p", "1111111111111111111111111111111111111111111111111111111111111111x",
	    "option -p: '1111111111111111111111111111111111111111111111111111111111111111...' "
	    "is not a number");	/* cut after 64 bytes: the reason still fits */
	return check_failed;
}
