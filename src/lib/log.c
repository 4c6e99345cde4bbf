/*
 * log.c: where messages go. syslog is spoken directly (a datagram to
 * /dev/log) instead of through syslog(3), which would pull in stdio and
 * vfprintf; busybox syslogd and the others stamp the time themselves.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "fmt.h"
#include "log.h"
#include "mono.h"
#include "net.h"

#define SYSLOG_DAEMON (3 << 3)
#define SYSLOG_ERR 3

static struct log_drops own_drops;
struct log_drops *log_drops;

/*
 * This file's variables, in one object: one base address for them all
 * (lg.). All zeros until log_open: no .data to carry in the file.
 */
static struct {
	int where, quiet;
	int fd;		/* the /dev/log socket, -1: none */
	int err_sock;	/* stderr is a socket: sent with MSG_DONTWAIT */
} lg;

/*
 * Serving must never wait for the log: a pipe nobody reads, a terminal
 * stopped with ^S. stderr gets a description of its own with O_NONBLOCK
 * (setting it on the inherited one would change it for whoever shares it,
 * such as the shell's terminal), and O_APPEND so that a file keeps growing
 * at its end. A socket cannot be opened again (ENXIO): it is sent to with
 * MSG_DONTWAIT instead. (fstat() to tell them apart would cost 800 bytes of
 * musl's; without /proc nothing changes.)
 */
void
log_never_block(void)
{
	int fd = open("/proc/self/fd/2", O_WRONLY | O_APPEND | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

	if (fd < 0) {
		lg.err_sock = errno == ENXIO;
		return;
	}
	/*
	 * The system call itself: musl's dup2 retries EBUSY (a race with
	 * another thread's open; echod has one thread), and where the kernel
	 * has only dup3 (AArch64) it tests fd == 2 with fcntl first, which
	 * open() cannot return here (fds 0-2 are open): 96 bytes on arm64.
	 */
#ifdef SYS_dup2
	syscall(SYS_dup2, fd, STDERR_FILENO);
#else
	syscall(SYS_dup3, fd, STDERR_FILENO, 0);
#endif
	close(fd);
}

void
log_open(int where, int quiet)
{
	log_drops = &own_drops;
	lg.fd = -1;
	lg.where = where;
	lg.quiet = quiet;
}

static int
syslog_connect(void)
{
	/*
	 * The address only as long as its path: a whole sockaddr_un would be
	 * 110 bytes of zeros in rodata, copied to the stack each time.
	 */
	static const struct {
		sa_family_t family;
		char path[sizeof "/dev/log"];
	} dev_log = { AF_UNIX, "/dev/log" };
	int fd;

	_Static_assert(offsetof(struct sockaddr_un, sun_path) == sizeof(sa_family_t),
	    "sun_path follows the family");
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	/* The system call itself: nothing else in echod connects, and libc's is a wrapper. */
	if (syscall(SYS_connect, fd, &dev_log, sizeof dev_log) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * One datagram per line, never waiting: a stuck syslogd costs the line. If
 * syslogd is not (yet) there the line is lost, as with syslog(3); a
 * restarted syslogd is picked up by reconnecting. Returns 0 or -1.
 */
static int
syslog_send(const char *line, size_t len)
{
	int tries;

	for (tries = 0; tries < 2; tries++) {
		if (lg.fd < 0 && (lg.fd = syslog_connect()) < 0)
			return -1;
		if (send(lg.fd, line, len, MSG_NOSIGNAL | MSG_DONTWAIT) >= 0)
			return 0;
		if (errno == EAGAIN || errno == EINTR)
			return -1;
		close(lg.fd);
		lg.fd = -1;
	}
	return -1;
}

/* One attempt, never blocking; a line that cannot go now is counted, not retried. */
static void
log_send(const char *line, size_t n)
{
	int r;

	if (lg.where != LOG_TO_STDERR)
		r = syslog_send(line, n);
	else if (lg.err_sock)
		r = send(STDERR_FILENO, line, n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 ? -1 : 0;
	else
		r = write(STDERR_FILENO, line, n) < 0 ? -1 : 0;
	if (r < 0) {
		log_drops->pending++;
		log_drops->total++;
	} else
		log_drops->pending = 0;
}

/* The count of lines lost since the last that got through rides on the next. */
static size_t
add_drops(char *line, size_t n, size_t cap)
{
	if (log_drops->pending == 0)
		return n;
	return n + fmt(line + n, cap - n, " (%lu log lines dropped before this)",
	    log_drops->pending);
}

static void
log_v(int prio, int prefix, const char *f, va_list *ap)
{
	char line[512];
	size_t n = 0, room = sizeof line - (lg.where == LOG_TO_STDERR);	/* and a newline */

	if (lg.where != LOG_TO_STDERR)
		n = fmt(line, room, "<%d>echod[%d]: ", SYSLOG_DAEMON | prio, (int)syscall(SYS_getpid));
	else if (prefix)
		n = fmt(line, room, "echod: ");
	n += fmt_v(line + n, room - n, f, ap);
	n = add_drops(line, n, room);
	if (lg.where == LOG_TO_STDERR)
		line[n++] = '\n';
	log_send(line, n);
}

int
log_conn_enabled(void)
{
	return !lg.quiet;
}

/*
 * One variadic function behind log_conn, log_info, log_warn and log_die
 * (log.h): on AArch64 each one spills seven argument registers and builds
 * a va_list, 64 to 100 bytes apiece. A start-up failure carries its exit
 * code in how >> LOG_EXIT_SHIFT.
 */
void
log_msg(int how, const char *f, ...)
{
	va_list ap;

	if ((how & LOG_CONN_LINE) && lg.quiet)
		return;
	for (;;) {
		va_start(ap, f);
		log_v(how & 7, !(how & LOG_CONN_LINE), f, &ap);
		va_end(ap);
		if (how >> LOG_EXIT_SHIFT == 0)
			return;
		/* Under -s, a start-up failure also reaches whoever started us
		 * (not under inetd): once more, on stderr. */
		if (lg.where != LOG_TO_SYSLOG)
			exit(how >> LOG_EXIT_SHIFT);
		lg.where = LOG_TO_STDERR;
	}
}

int
log_limit(struct log_limit *l, const char *what)
{
	unsigned long long now = mono_ms();

	if (now < l->next) {
		l->skipped++;
		return 0;
	}
	if (l->skipped > 0)
		log_info("%lu more %s in the %d s after the last such line", l->skipped, what,
		    LOG_INTERVAL);
	l->skipped = 0;
	l->next = now + LOG_INTERVAL * 1000;
	return 1;
}

int
log_puts(int fd, const char *s)
{
	return net_write_all(fd, s, strlen(s));
}
