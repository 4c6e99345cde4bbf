/*
 * main.c: echod, the book's fork-server as a daemon. Parses the options,
 * opens the sockets, drops privileges, and hands over to the server loop
 * (or serves one inetd connection). The only place that picks exit codes.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "activate.h"
#include "config.h"
#include "dscp.h"
#include "echo.h"
#include "fmt.h"
#include "log.h"
#include "net.h"
#include "opts.h"
#include "privdrop.h"
#include "server.h"
#include "tz.h"

static void
usage_error(const struct opts *o, const char *why)
{
	char line[512], usage[OPTS_USAGE_MAX];	/* line: why (under 128), the usage and the hint */

	/* Under inetd stdin, stdout and stderr are the connection: only the echo goes there. */
	if (o->inetd) {
		log_open(LOG_TO_SYSLOG_ONLY, 0);
		log_die(EX_USAGE, "%s", why);
	}
	opts_text(usage, 0);
	fmt(line, sizeof line, "echod: %s\n%sTry 'echod -h' for more information.\n", why, usage);
	log_puts(STDERR_FILENO, line);
	_exit(EX_USAGE);
}

/*
 * SIGPIPE and SIGHUP blocked, not ignored: a write to a closed connection
 * fails with EPIPE all the same, a hang-up of the terminal that started us
 * stays pending and harmless, children inherit the mask, and libc's
 * signal()/sigaction() (about 1 KiB with its locking) is not linked.
 */
static void
block_signals(void)
{
	sigset_t s;

	server_sigset(&s, SIGBIT(SIGPIPE) | SIGBIT(SIGHUP));
	server_sigmask(SIG_BLOCK, &s, NULL);
}

/* -i: the connection is stdin/stdout; under inetd stderr is too, so main logs only to syslog. */
static int
serve_inetd(const struct opts *o)
{
	struct echo_conf c = { .mode = o->mode, .idle = o->idle, .delay = o->delay };
	struct echo_count count = { 0, 0 };
	union net_addr peer;
	socklen_t len = sizeof peer;

	/* A pipe has no peer: the log line then says so. (The system call is less code than libc's.) */
	return echo_session(STDIN_FILENO, STDOUT_FILENO,
	    syscall(SYS_getpeername, STDIN_FILENO, &peer.sa, &len) == 0 ? &peer : NULL, &c, &count);
}

/*
 * -I and -Q go on the listener: accepted sockets inherit the mark, and a
 * socket bound to an interface accepts only what arrives on it. UDP asks
 * for the mark of each datagram, which its reply carries back (udp.c).
 */
static void
mark_listener(int fd, int type, int family, const struct opts *o)
{
	if (o->iface != NULL && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, o->iface,
	    strlen(o->iface) + 1) < 0) {
		if (errno == ENODEV)
			log_die(EX_USAGE, "-I %S: no such interface", o->iface);
		log_die(EX_OSERR, "-I %S: %m", o->iface);
	}
	if (type == SOCK_STREAM && o->dscp >= 0 && dscp_set(fd, family, o->dscp) < 0)
		log_die(EX_OSERR, "-Q: %m");
	if (type == SOCK_DGRAM && dscp_recv_on(fd, family) < 0)
		log_die(EX_OSERR, "udp: IP_RECVTOS: %m");
}

static int
open_listener(const union net_addr *a, socklen_t len, int type, const struct opts *o)
{
	int fd = net_listen(a, len, type, o->backlog, o->idle);

	if (fd < 0)
		log_die(EX_OSERR, "%s %A port %u: %m", type == SOCK_STREAM ? "tcp" : "udp",
		    &a->sa, net_port(a));
	mark_listener(fd, type, a->sa.sa_family, o);
	return fd;
}

/*
 * Started with 0, 1 or 2 closed, our first socket would become "stdin" or
 * "stderr" and log lines would go to a client: those get /dev/null, as
 * OpenBSD's daemons do, before anything else is opened. (Without
 * /dev/null nothing can be done; fcntl() to test each fd would cost
 * 350 bytes of musl's.)
 */
static void
open_std_fds(void)
{
	int fd;

	do
		fd = open("/dev/null", O_RDWR);
	while (fd >= 0 && fd < 3);
	if (fd >= 0)
		close(fd);
}

/* -I, -Q and UDP's DSCP reflection on the sockets from the service manager too. */
static void
mark_activated(const struct server_listeners *l, const struct opts *o)
{
	unsigned i;

	for (i = 0; i < l->n; i++)
		mark_listener(l->fd[i], l->udp >> i & 1 ? SOCK_DGRAM : SOCK_STREAM,
		    l->inet6 >> i & 1 ? AF_INET6 : AF_INET, o);
}

/* -b, -p, -U: our own TCP listener, and with -U the UDP socket, in l; returns the port. */
static int
open_listeners(struct server_listeners *l, union net_addr *a, const struct opts *o)
{
	char err[128];
	socklen_t len;
	int port;

	len = net_addr(a, o->bind, o->port);
	if (len == 0) {
		fmt(err, sizeof err, "option -b: '%S' is not an IPv4 or IPv6 address", o->bind);
		usage_error(o, err);
	}
	l->fd[0] = open_listener(a, len, SOCK_STREAM, o);
	port = net_local_port(l->fd[0]);
	l->n = 1;
	l->timeouts_set = 1;
	if (o->udp) {
		/* With -p 0, UDP takes the port the kernel gave TCP. */
		net_set_port(a, port);
		l->fd[l->n++] = open_listener(a, len, SOCK_DGRAM, o);
		l->udp = 2;
	}
	return port;
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct priv priv;
	static struct server_listeners l;	/* zeros without code */
	union net_addr a;
	char err[128], line[128];
	static char help[OPTS_TEXT_MAX];	/* .bss: no stack for the server below */
	int port = 0;

	open_std_fds();
	if (opts_parse(&o, argc, argv, err, sizeof err) < 0)
		usage_error(&o, err);
	if (o.action == ACT_HELP) {
		opts_text(help, 1);
		log_puts(STDOUT_FILENO, help);
		return 0;
	}
	if (o.action == ACT_VERSION) {
		log_puts(STDOUT_FILENO, "echod " ECHOD_VERSION "\n");
		return 0;
	}
	if (o.inetd)	/* errors included: nothing but the echo on the connection */
		log_open(LOG_TO_SYSLOG_ONLY, o.quiet || !o.syslog);
	else
		log_open(o.syslog ? LOG_TO_SYSLOG : LOG_TO_STDERR, o.quiet);
	if (!o.syslog && !o.inetd)
		log_never_block();
	tz_init();	/* once, so no child reads /etc/localtime again */
	block_signals();
	if (o.user != NULL && priv_lookup(o.user, &priv) < 0)
		log_die(EX_NOUSER, "-u: no such user '%S'", o.user);
	/* Sockets from the service manager replace -b, -p and -U (and -1). */
	if (!o.inetd && activate_listeners(&l) == 0)
		port = open_listeners(&l, &a, &o);
	else
		mark_activated(&l, &o);
	if (o.user != NULL && priv_drop(&priv) < 0)
		log_die(EX_NOPERM, "-u %S: cannot drop privileges: %m", o.user);
	if (o.inetd)
		return serve_inetd(&o);
	if (port != 0) {
		if (o.print_port) {
			fmt(line, sizeof line, "%d\n", port);
			log_puts(STDOUT_FILENO, line);
		}
		log_info("listening on %A port %d, %s%s mode, up to %u children",
		    &a.sa, port, o.udp ? "tcp+udp, " : "",
		    o.mode == MODE_RAW ? "raw" : "classic", o.maxchild);
	}
	return server_run(&l, &o);
}
