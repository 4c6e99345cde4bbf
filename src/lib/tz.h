/*
 * tz.h: local time for the classic reply, as musl's localtime_r gives it,
 * without musl's zoneinfo reader and its malloc (about 5 KiB; docs/size.md).
 */
#ifndef ECHOD_TZ_H
#define ECHOD_TZ_H

struct tz_tm {
	int year, mon, mday, hour, min, sec, wday;	/* mon 0-11, wday 0 = Sunday */
};

/*
 * Reads the zone once: TZ as musl reads it (a POSIX TZ string such as
 * "CET-1CEST,M3.5.0,M10.5.0/3", or a zoneinfo file: ":path", "/path" or
 * "Europe/Berlin"), or /etc/localtime without TZ; UTC if none is usable.
 * A zoneinfo file is read whole (up to 16 KiB), and its transition table
 * is used up to the last transition, its POSIX footer after it. Call it
 * again after TZ changes.
 */
void tz_init(void);

/* Seconds east of UTC in effect at t. */
long tz_offset(long long t);

/* t as local time (tz_init's zone); -1 if it is TZ_LIMIT s (8710 years) or more from 1970. */
#define TZ_LIMIT (1LL << 38)
int tz_local(long long t, struct tz_tm *tm);

/* Days from 1970-01-01 to y-m-d (m 1-12; 0-14 wraps into the years around). */
long tz_days(long y, int m, int d);

#endif
