/*
 * config.h: compile-time defaults. Each is guarded so that a build can
 * change it without editing the source, e.g.
 *     make CPPFLAGS=-DECHOD_MAXCHILD=8
 */
#ifndef ECHOD_CONFIG_H
#define ECHOD_CONFIG_H

#ifndef ECHOD_VERSION
#define ECHOD_VERSION "dev"
#endif
#ifndef ECHOD_PORT
#define ECHOD_PORT 50007	/* the book's port */
#endif
#ifndef ECHOD_MAXCHILD
#define ECHOD_MAXCHILD 64	/* -c: children alive at once */
#endif
#ifndef ECHOD_CHILD_LIMIT
#define ECHOD_CHILD_LIMIT 1024	/* the largest -c */
#endif
#ifndef ECHOD_BACKLOG
#define ECHOD_BACKLOG 64	/* -l */
#endif
#ifndef ECHOD_IDLE
#define ECHOD_IDLE 300		/* -t: seconds a client may stay silent */
#endif
#ifndef ECHOD_GRACE
#define ECHOD_GRACE 3		/* seconds children get to finish on SIGTERM */
#endif
#ifndef ECHOD_UDP_RATE
#define ECHOD_UDP_RATE 200	/* -r: UDP replies a second to one source */
#endif
#ifndef ECHOD_UDP_BURST
#define ECHOD_UDP_BURST 200	/* -r: and in a burst */
#endif
#ifndef ECHOD_RAWBUF
#define ECHOD_RAWBUF 16384	/* raw mode read size */
#endif

#endif
