/*
 * reply.h: the book's classic reply, byte for byte:
 *     'Echo=>%s at %s' % (data, time.ctime())
 * with data a bytes object, so %s is Python 3's repr(bytes).
 */
#ifndef ECHOD_REPLY_H
#define ECHOD_REPLY_H

#include <stddef.h>
#include <time.h>

#define REPLY_CHUNK 1024			/* the book's recv(1024) */
#define REPLY_REPR_MAX(n) (3 + 4 * (size_t)(n))	/* b'' plus \xhh per byte */
#define REPLY_CTIME_MAX 40			/* "Thu Nov  5 10:30:00 2015", any year */
#define REPLY_MAX (6 + REPLY_REPR_MAX(REPLY_CHUNK) + 4 + REPLY_CTIME_MAX)

/* repr(bytes(in[0..n))) into out (REPLY_REPR_MAX(n) bytes); returns the length. */
size_t reply_repr(char *out, const unsigned char *in, size_t n);

/* time.ctime(t) in local time (TZ), no newline; out has REPLY_CTIME_MAX bytes. */
size_t reply_ctime(char *out, time_t t);

/* The whole reply for one chunk of n <= REPLY_CHUNK bytes; out has REPLY_MAX bytes. */
size_t reply_classic(char *out, const unsigned char *in, size_t n, time_t t);

#endif
