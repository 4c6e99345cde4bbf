/*
 * opts.h: the command line, parsed and range-checked.
 */
#ifndef ECHOD_OPTS_H
#define ECHOD_OPTS_H

#include <stddef.h>

enum { MODE_CLASSIC, MODE_RAW };
enum { ACT_SERVE, ACT_HELP, ACT_VERSION };

struct opts {
	const char *bind;	/* -b: NULL is every address */
	const char *user;	/* -u: drop to this user after binding */
	const char *iface;	/* -I: serve on this interface only */
	int dscp;		/* -Q: mark of TCP replies, -1 = leave it */
	unsigned port;		/* -p */
	unsigned maxchild;	/* -c: children at once */
	unsigned perhost;	/* -C: connections from one address, 0 = any */
	unsigned prefix;	/* -C n/prefix: IPv6 bits that make one address, 0 = 64 */
	unsigned backlog;	/* -l */
	unsigned delay;		/* -d: seconds a child waits before serving */
	unsigned idle;		/* -t: idle timeout, 0 = none */
	unsigned rate, burst;	/* -r: UDP replies a second to one source, 0 = any */
	int mode;		/* -m */
	int udp;		/* -U */
	int inetd;		/* -i */
	int print_port;		/* -1 */
	int quiet;		/* -q */
	int syslog;		/* -s */
	int action;		/* -h, -V */
};

/* Room for the usage lines, and for the whole -h text (usage included), with the NUL. */
#define OPTS_USAGE_MAX 256
#define OPTS_TEXT_MAX 1536

/* Writes the -h text (help nonzero) or its usage lines into buf, NUL-terminated. */
void opts_text(char *buf, int help);

/*
 * Fills o from argv. Returns 0, or -1 with a one-line reason in err
 * ("option -p: 70000 is out of range 0-65535").
 */
int opts_parse(struct opts *o, int argc, char **argv, char *err, size_t errcap);

#endif
