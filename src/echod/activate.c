/*
 * activate.c: sockets from the service manager, as sd_listen_fds(3) passes
 * them: LISTEN_PID is our pid, LISTEN_FDS counts fds from 3 on, and the
 * optional LISTEN_FDNAMES names them, colon-separated. Each fd is served
 * as what it is (SO_TYPE): a stream socket must be listening (Accept=no;
 * a connection from Accept=yes is for `echod -i`), a datagram socket is
 * UDP echo. The protocol is three variables; libsystemd would be more
 * code than this file.
 *
 * The idle timeouts are not put on these listeners: the connections that
 * started us were queued before we could, and Linux copies a listener's
 * timeouts only into connections made after. l->timeouts_set stays 0, so
 * each child sets its own.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sysexits.h>
#include <unistd.h>

#include "activate.h"
#include "fmt.h"
#include "log.h"
#include "net.h"

#define FIRST_FD 3	/* SD_LISTEN_FDS_START */
#define PID_MAX 4194304	/* the kernel's PID_MAX_LIMIT */

extern char **environ;

/*
 * getsockopt(2) and fcntl(2) as the kernel has them: musl's wrappers add
 * 32-bit timeval conversions and F_GETOWN_EX/F_DUPFD_CLOEXEC cases, 572
 * bytes on armhf that asking for SO_TYPE and setting O_NONBLOCK never use.
 * getsockname(2) too: libc's is a wrapper.
 */
static int
sockopt(int fd, int opt)
{
	int v = 0;
	socklen_t len = sizeof v;

	return syscall(SYS_getsockopt, fd, SOL_SOCKET, opt, &v, &len) < 0 ? -1 : v;
}

/* A variable's value as a number up to max; -1 if unset, not all digits, or above max. */
static long
env_number(const char *s, unsigned long max)
{
	const char *end = s;
	unsigned long v;

	return s != NULL && fmt_parse_ulong(&end, max, &v) == 0 && *end == '\0' ? (long)v : -1;
}

/* fd into l, or exit: what a unit's Listen*= lines can get wrong is said here. */
static void
take(struct server_listeners *l, int fd)
{
	union net_addr a;
	socklen_t len = sizeof a;
	int type = sockopt(fd, SO_TYPE);

	if (type < 0 || syscall(SYS_getsockname, fd, &a.sa, &len) < 0)
		log_die(EX_USAGE, "LISTEN_FDS: fd %d: %m", fd);
	if ((a.sa.sa_family != AF_INET && a.sa.sa_family != AF_INET6) ||
	    (type != SOCK_DGRAM && (type != SOCK_STREAM || sockopt(fd, SO_ACCEPTCONN) != 1)))
		log_die(EX_USAGE, "LISTEN_FDS: fd %d is not a listening TCP or a UDP socket "
		    "(Accept=yes wants echod -i)", fd);
	/*
	 * The loop polls and must never block in accept(2) or recvfrom(2).
	 * FD_CLOEXEC is not needed: echod never runs another program, and
	 * its children close the listeners.
	 */
	if (syscall(SYS_fcntl, fd, F_SETFL, O_NONBLOCK) < 0)
		log_die(EX_OSERR, "LISTEN_FDS: fd %d: %m", fd);
	if (type == SOCK_DGRAM)
		l->udp |= 1u << l->n;
	if (a.sa.sa_family == AF_INET6)
		l->inet6 |= 1u << l->n;
	l->fd[l->n++] = fd;
}

/* Once every fd is good: a start that fails says only why. */
static void
log_listeners(const struct server_listeners *l, const char *names)
{
	union net_addr a;
	socklen_t alen;
	char name[64];
	size_t len;
	unsigned i;

	for (i = 0; i < l->n; i++) {
		alen = sizeof a;
		syscall(SYS_getsockname, l->fd[i], &a.sa, &alen);	/* it worked in take() */
		len = strcspn(names, ":");
		/* fmt's %S shows control bytes as '?'; the cap cuts the name at len. */
		fmt(name, len < sizeof name ? len + 1 : sizeof name, "%S", names);
		names += len + (names[len] == ':');
		log_info("listening on %A port %u, %s, fd %d '%s'", &a.sa, net_port(&a),
		    l->udp >> i & 1 ? "udp" : "tcp", l->fd[i], name);
	}
}

/*
 * The protocol's variables (systemd's LISTEN_ names) out of our environment,
 * so that nothing we start takes the fds for its own, as sd_listen_fds(3)
 * does; 128 bytes less than unsetenv(3) three times.
 */
static void
forget_env(void)
{
	char **r, **w;

	for (r = w = environ; *r != NULL; r++)
		if (strlen(*r) < 7 || memcmp(*r, "LISTEN_", 7) != 0)	/* strncmp: 36 bytes more */
			*w++ = *r;
	*w = NULL;
}

unsigned
activate_listeners(struct server_listeners *l)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	const char *names = getenv("LISTEN_FDNAMES");
	long n = 0, i;

	/*
	 * A LISTEN_PID that does not name us (whatever it holds) was meant for
	 * another process. (getpid by system call: libc's is a wrapper.)
	 */
	if (env_number(pid, PID_MAX) == syscall(SYS_getpid) && fds != NULL &&
	    (n = env_number(fds, SERVER_LISTEN_MAX)) < 0)
		log_die(EX_USAGE, "LISTEN_FDS: '%S' is not a number from 0 to %d",
		    fds, SERVER_LISTEN_MAX);
	for (i = 0; i < n; i++)
		take(l, (int)(FIRST_FD + i));
	log_listeners(l, names != NULL ? names : "");
	forget_env();
	return n;
}
