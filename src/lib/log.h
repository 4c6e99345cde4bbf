/*
 * log.h: messages to stderr, or to syslog (-s). Every line is formatted by
 * fmt_v and leaves in one write(2), so lines of parent and children never mix.
 */
#ifndef ECHOD_LOG_H
#define ECHOD_LOG_H

#include <stdnoreturn.h>

#define LOG_TO_STDERR 0
#define LOG_TO_SYSLOG 1

/* prog prefixes warnings and errors ("echod: ..."); quiet drops log_conn lines. */
void log_open(const char *prog, int where, int quiet);

/* Whether log_conn prints anything (not -q). */
int log_conn_enabled(void);
/* Per-connection lines, as the book prints them: no prefix. */
void log_conn(const char *f, ...);
/* Notices (start, stop, counters): "echod: ...". */
void log_info(const char *f, ...);
/* Something went wrong but serving goes on. */
void log_warn(const char *f, ...);
/* Start-up failure: prints and exits with a sysexits(3) code. */
noreturn void log_die(int code, const char *f, ...);

/* Whole string to fd, for usage and -1; returns 0 or -1. */
int log_puts(int fd, const char *s);

#endif
