/*
 * verify.h: echoprobe's verification of what came back, with no I/O:
 * raw echo must be byte-identical, a classic reply must be exactly
 * 'Echo=>' + repr(chunk) + ' at ' + ctime, the ctime near our clock.
 */
#ifndef ECHOD_PROBE_VERIFY_H
#define ECHOD_PROBE_VERIFY_H

#include <stddef.h>
#include <time.h>

#include "reply.h"

enum {
	PV_OK = 0,	/* all verified (or one complete classic reply) */
	PV_MORE,	/* correct so far, more bytes needed: short if none come */
	PV_BAD		/* mismatch; why says where and what */
};

#define PV_WHY 160

/*
 * Raw echo: got against want. PV_MORE if got is a correct prefix of want,
 * PV_BAD on the first wrong byte or if got is longer.
 */
int pv_raw(const void *got, size_t gotlen, const void *want, size_t wantlen,
    char *why);

/*
 * One classic reply at the start of buf, for the bytes still unaccounted
 * for (want, wantlen; a reply covers 1 to REPLY_CHUNK of them). On PV_OK,
 * *used is the reply's length in buf and *chunk how many bytes of want it
 * echoes. The ctime must be reply_ctime() of a time within tol seconds of now.
 */
int pv_classic(const char *buf, size_t len, const unsigned char *want,
    size_t wantlen, time_t now, long tol, size_t *used, size_t *chunk,
    char *why);

/*
 * The byte stream echoprobe sends: a fixed pseudo-random block of a prime
 * length, repeated, so that any offset is known and a lost or doubled block
 * is caught. pv_pattern(off, out, n) copies bytes [off, off+n) of it.
 */
#define PV_PERIOD 65521
void pv_pattern(unsigned long long off, unsigned char *out, size_t n);

/* Verifies the echo of pattern bytes [base, base+len), fed as it arrives. */
struct pv_stream {
	int classic;
	long tol;
	unsigned long long base;
	unsigned long long len;
	unsigned long long done;	/* bytes of the pattern verified */
	unsigned long long replies;	/* classic replies parsed */
	size_t npend;			/* classic: bytes of an unfinished reply */
	char pend[REPLY_MAX + 8];
	char why[PV_WHY];
};

void pv_stream_init(struct pv_stream *s, int classic, long tol,
    unsigned long long base, unsigned long long len);
/* PV_OK once everything is verified, PV_MORE, or PV_BAD (also for extra bytes). */
int pv_stream_feed(struct pv_stream *s, const void *buf, size_t n, time_t now);

#endif
