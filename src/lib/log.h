/*
 * log.h: messages to stderr, or to syslog (-s). Every line is formatted by
 * fmt_v and leaves in one write(2), so lines of parent and children never mix.
 */
#ifndef ECHOD_LOG_H
#define ECHOD_LOG_H

#define LOG_TO_STDERR 0
#define LOG_TO_SYSLOG 1
#define LOG_TO_SYSLOG_ONLY 2	/* not even a start-up failure on stderr: inetd mode */

/*
 * Before any log_msg: where lines go; quiet drops log_conn lines. Warnings
 * and errors start "echod: ", the only program that logs here.
 */
void log_open(int where, int quiet);

/*
 * stderr made non-blocking for this process and its children (a description
 * of its own for a pipe or terminal, MSG_DONTWAIT for a socket): a server's
 * lines that cannot be written at once are dropped and counted. (syslog is
 * always written so.)
 */
void log_never_block(void);

/* Whether log_conn prints anything (not -q). */
int log_conn_enabled(void);
/*
 * A line at syslog priority how & 7, "echod: ..."; with LOG_CONN_LINE
 * without the prefix, and none under -q. Called through the three below.
 */
#define LOG_CONN_LINE 8
void log_msg(int how, const char *f, ...);
/* Per-connection lines, as the book prints them: no prefix (info). */
#define log_conn(...) log_msg(LOG_CONN_LINE | 6, __VA_ARGS__)
/* Notices (start, stop, counters): "echod: ..." (info). */
#define log_info(...) log_msg(6, __VA_ARGS__)
/* Something went wrong but serving goes on (warning). */
#define log_warn(...) log_msg(4, __VA_ARGS__)
/* Start-up failure: prints and exits with a sysexits(3) code (1 to 127; error priority). */
#define LOG_EXIT_SHIFT 4
#define log_die(code, ...) \
	do { \
		log_msg((code) << LOG_EXIT_SHIFT | 3, __VA_ARGS__); \
		__builtin_unreachable(); \
	} while (0)

/*
 * Log lines dropped because the log would have blocked: since the last line
 * that got through (reported on that next line), and in all. log_drops
 * points at a process's own counts; a server points it at memory shared
 * with its children so that their drops add up.
 */
struct log_drops {
	unsigned long pending, total;
};
extern struct log_drops *log_drops;

/*
 * Events a remote sender can repeat at will (a dropped datagram, a refused
 * connection) log at most one line per kind per LOG_INTERVAL seconds, as
 * the kernel's printk_ratelimit: log_limit() says whether this one may; the
 * first that may after a quiet spell is preceded by "N more <what> in the
 * 10 s after the last such line".
 */
#define LOG_INTERVAL 10
struct log_limit {
	unsigned long long next;	/* mono_ms() from which a line may go again */
	unsigned long skipped;
};
int log_limit(struct log_limit *l, const char *what);

/* Whole string to fd, for usage and -1; returns 0 or -1. */
int log_puts(int fd, const char *s);

#endif
