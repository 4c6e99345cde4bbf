/*
 * log.c: where messages go. syslog is spoken directly (a datagram to
 * /dev/log) instead of through syslog(3), which would pull in stdio and
 * vfprintf; busybox syslogd and the others stamp the time themselves.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "fmt.h"
#include "log.h"
#include "net.h"

#define SYSLOG_DAEMON (3 << 3)
#define SYSLOG_ERR 3
#define SYSLOG_WARNING 4
#define SYSLOG_INFO 6

static const char *log_prog = "echod";
static int log_where = LOG_TO_STDERR;
static int log_quiet;
static int log_fd = -1;

void
log_open(const char *prog, int where, int quiet)
{
	log_prog = prog;
	log_where = where;
	log_quiet = quiet;
}

static int
syslog_connect(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX, .sun_path = "/dev/log" };
	int fd;

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * One datagram per line. If syslogd is not (yet) there the line is lost,
 * as with syslog(3); a restarted syslogd is picked up by reconnecting.
 */
static void
syslog_send(const char *line, size_t len)
{
	int tries;

	for (tries = 0; tries < 2; tries++) {
		if (log_fd < 0 && (log_fd = syslog_connect()) < 0)
			return;
		if (send(log_fd, line, len, MSG_NOSIGNAL) >= 0 || errno == EINTR)
			return;
		close(log_fd);
		log_fd = -1;
	}
}

static void
log_v(int prio, int prefix, const char *f, va_list ap)
{
	char line[512];
	size_t n;

	if (log_where == LOG_TO_SYSLOG) {
		n = fmt(line, sizeof line, "<%d>%s[%d]: ", SYSLOG_DAEMON | prio,
		    log_prog, (int)getpid());
		n += fmt_v(line + n, sizeof line - n, f, ap);
		syslog_send(line, n);
		return;
	}
	n = prefix ? fmt(line, sizeof line, "%s: ", log_prog) : 0;
	n += fmt_v(line + n, sizeof line - n - 1, f, ap);
	line[n++] = '\n';
	(void)net_write_all(STDERR_FILENO, line, n);
}

int
log_conn_enabled(void)
{
	return !log_quiet;
}

void
log_conn(const char *f, ...)
{
	va_list ap;

	if (log_quiet)
		return;
	va_start(ap, f);
	log_v(SYSLOG_INFO, 0, f, ap);
	va_end(ap);
}

void
log_info(const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	log_v(SYSLOG_INFO, 1, f, ap);
	va_end(ap);
}

void
log_warn(const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	log_v(SYSLOG_WARNING, 1, f, ap);
	va_end(ap);
}

void
log_die(int code, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	log_v(SYSLOG_ERR, 1, f, ap);
	va_end(ap);
	/* Under -s, a start-up failure still reaches whoever started us. */
	if (log_where == LOG_TO_SYSLOG) {
		log_where = LOG_TO_STDERR;
		va_start(ap, f);
		log_v(SYSLOG_ERR, 1, f, ap);
		va_end(ap);
	}
	exit(code);
}

int
log_puts(int fd, const char *s)
{
	return net_write_all(fd, s, strlen(s));
}
