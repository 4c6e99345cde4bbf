/*
 * mono.c: the monotonic clock (mono.h). Three small functions so that the
 * linker keeps only those a program uses (-ffunction-sections).
 */
#include <time.h>

#include "mono.h"

void
mono_now(struct timespec *ts)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
}

unsigned long long
mono_ms(void)
{
	struct timespec ts;

	mono_now(&ts);
	return (unsigned long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;	/* signed: the division routine Thumb-1 already links */
}

unsigned long long
mono_us(void)
{
	struct timespec ts;

	mono_now(&ts);
	return (unsigned long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
