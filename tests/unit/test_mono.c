/*
 * test_mono.c: the clocks read by system call (mono.c) against the C
 * library's clock_gettime and time(). Each reading of ours must lie between
 * a libc reading taken just before and one taken just after, which a wrong
 * struct timespec layout (the 64-bit time_t of 32-bit arches, big-endian
 * padding on mips) or a wrong clock could not.
 */
#include <time.h>

#include "check.h"
#include "mono.h"

static int
ts_le(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec <= b->tv_nsec);
}

static unsigned long long
ts_us(const struct timespec *t)
{
	return (unsigned long long)t->tv_sec * 1000000 + t->tv_nsec / 1000;
}

int
main(void)
{
	struct timespec before, ours, after;
	unsigned long long ms, us;
	time_t t0, w, t1;
	int i, ok = 1;

	for (i = 0; i < 1000; i++) {
		clock_gettime(CLOCK_MONOTONIC, &before);
		mono_now(&ours);
		clock_gettime(CLOCK_MONOTONIC, &after);
		if (ours.tv_nsec < 0 || ours.tv_nsec >= 1000000000L ||
		    !ts_le(&before, &ours) || !ts_le(&ours, &after)) {
			ok = 0;
			printf("  before %lld.%09ld ours %lld.%09ld after %lld.%09ld\n",
			    (long long)before.tv_sec, before.tv_nsec, (long long)ours.tv_sec,
			    ours.tv_nsec, (long long)after.tv_sec, after.tv_nsec);
			break;
		}
	}
	CHECK(ok, "mono: mono_now lies between two clock_gettime(CLOCK_MONOTONIC) readings, 1000 times");

	clock_gettime(CLOCK_MONOTONIC, &before);
	ms = mono_ms();
	us = mono_us();
	clock_gettime(CLOCK_MONOTONIC, &after);
	CHECK(ts_us(&before) / 1000 <= ms && ms <= ts_us(&after) / 1000,
	    "mono: mono_ms between two readings (%llu ms)", ms);
	CHECK(ts_us(&before) <= us && us <= ts_us(&after),
	    "mono: mono_us between two readings (%llu us)", us);

	t0 = time(NULL);
	w = mono_wall();
	t1 = time(NULL);
	CHECK(t0 <= w && w <= t1, "mono: mono_wall lies between two time(NULL) (%lld)", (long long)w);
	return check_failed;
}
