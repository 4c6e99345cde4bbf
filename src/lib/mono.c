/*
 * mono.c: the clocks (mono.h). Small functions so that the linker keeps
 * only those a program uses (-ffunction-sections).
 *
 * echod reads its clocks with the system call, not libc's clock_gettime or
 * time(): static musl looks the vDSO up at the first call, and that lookup
 * (vdso.o, clock_gettime.o) is 1.4 KiB on MIPS and 876 bytes on arm64, for
 * a few readings per connection (none under -q). echoprobe keeps libc's
 * vDSO calls (mono_us, time()): its rate modes read the clock twice a
 * datagram, and a system call there costs about 10% more CPU per datagram
 * (docs/size.md).
 */
#include <errno.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "mono.h"

static void
clock_read(clockid_t id, struct timespec *ts)
{
#ifdef SYS_clock_gettime64
	/* A 32-bit arch. musl names the old call for 32-bit time_t so, glibc does not. */
#ifndef SYS_clock_gettime32
#define SYS_clock_gettime32 SYS_clock_gettime
#endif
	/*
	 * A 64-bit time_t (musl, glibc's _TIME_BITS=64): struct timespec has
	 * the kernel's 64-bit layout, which the time64 call fills. Linux
	 * before 5.1 has only the 32-bit call.
	 */
	if (sizeof ts->tv_sec > sizeof(long)) {
		long t[2];
		int saved = errno;

		if (syscall(SYS_clock_gettime64, (long)id, ts) == 0)
			return;
		errno = saved;
		(void)syscall(SYS_clock_gettime32, (long)id, t);
		ts->tv_sec = t[0];
		ts->tv_nsec = t[1];
		return;
	}
	(void)syscall(SYS_clock_gettime32, (long)id, ts);
#else
	/* A 64-bit arch (or x32): the kernel's own struct. */
	(void)syscall(SYS_clock_gettime, (long)id, ts);
#endif
}

void
mono_now(struct timespec *ts)
{
	clock_read(CLOCK_MONOTONIC, ts);
}

time_t
mono_wall(void)
{
	struct timespec ts;

	clock_read(CLOCK_REALTIME, &ts);
	return ts.tv_sec;
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

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
