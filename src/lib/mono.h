/*
 * mono.h: the clocks. The monotonic clock is the only one used for
 * intervals and deadlines; wall-clock time appears only in the classic
 * reply and logs.
 */
#ifndef ECHOD_MONO_H
#define ECHOD_MONO_H

#include <time.h>

/* CLOCK_MONOTONIC, which cannot fail with a valid pointer on Linux. */
void mono_now(struct timespec *ts);
/*
 * The same in milliseconds and microseconds. Only 32-bit arithmetic on
 * the nanoseconds: no 64-bit division is linked on 32-bit targets.
 * mono_us reads it through libc (the vDSO, no system call: for hot loops),
 * which links libc's vDSO lookup (mono.c); the others are system calls.
 */
unsigned long long mono_ms(void);
unsigned long long mono_us(void);
/* The wall clock, time(NULL)'s value, by system call (for echod). */
time_t mono_wall(void);

#endif
