/*
 * test_tz.c: tz.c against the C library's localtime_r (musl's in the
 * static builds, glibc's under the sanitizers), which the classic reply
 * used before, for every zone of the system's tzdata (/usr/share/zoneinfo,
 * Debian's tzdata package) and for POSIX TZ strings as OpenWrt and
 * Buildroot images set them. Times: now, a time every SCAN_STEP from the
 * start of last year to SCAN_YEARS ahead, and a second before, at and
 * after every change of offset the library shows in that window, found
 * by bisection; before that, a time every HISTORY_STEP from 1901 on
 * (the zones' tables: their first transitions, rule changes). The scan runs at noon UTC: at the first second of a year,
 * musl's estimate of the year may pick the one before for the DST rule,
 * which only a rule that crosses New Year notices (permanent DST written
 * "0/0,J365/25"); tz.c does not copy that.
 *
 * Not compared: right/ (those files count leap seconds in time_t, which
 * glibc applies and musl and tz.c do not) and posix/ (copies of the
 * others).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "tz.h"

#define ZONEINFO "/usr/share/zoneinfo"
#define SCAN_YEARS 10
#define SCAN_STEP (3 * 86400)	/* offsets in tzdata last at least a week (Morocco's Ramadan: ~30 days) */
#define HISTORY_STEP (97 * 86400 + 3607)
#define RANGE_STEP (31 * 86400 + 7211)	/* ~200000 times across TZ_LIMIT either side of 1970 */
/*
 * Before a zone's first transition musl (and tz.c) take its first
 * standard-time type, glibc the transition's own: the history is compared
 * from 1901 against musl, from 1970 against glibc.
 */
#ifdef __GLIBC__
#define HISTORY 0
#else
#define HISTORY (-(1LL << 31))
#endif

static long long checks, changes, scan_from, scan_to;
static int mismatches;

/* One time: the same fields and offset as localtime_r, else a line saying what differs. */
static int
same_at(const char *zone, long long t)
{
	struct tz_tm z;
	struct tm tm;
	time_t tt = (time_t)t;

	checks++;
	if (localtime_r(&tt, &tm) == NULL)
		return tz_local(t, &z) < 0;
	if (tz_local(t, &z) == 0 && tz_offset(t) == tm.tm_gmtoff && z.year == tm.tm_year + 1900 &&
	    z.mon == tm.tm_mon && z.mday == tm.tm_mday && z.hour == tm.tm_hour &&
	    z.min == tm.tm_min && z.sec == tm.tm_sec && z.wday == tm.tm_wday)
		return 1;
	if (++mismatches <= 20)
		printf("  TZ=%s t=%lld: libc %04d-%02d-%02d %02d:%02d:%02d (%+ld s), tz.c %04d-%02d-%02d %02d:%02d:%02d (%+ld s)\n",
		    zone, t, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		    tm.tm_min, tm.tm_sec, (long)tm.tm_gmtoff, z.year, z.mon + 1, z.mday,
		    z.hour, z.min, z.sec, tz_offset(t));
	return 0;
}

static long
libc_off(long long t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	return localtime_r(&tt, &tm) != NULL ? tm.tm_gmtoff : 0;
}

/*
 * Sets TZ for both, compares over the window and from history on; returns
 * 1 if all agree.
 */
static int
zone_agrees(const char *zone, long long history)
{
	long long t, lo, hi, mid, now = time(NULL);
	int ok = 1;
	long off;

	if (zone != NULL)
		setenv("TZ", zone, 1);
	else
		unsetenv("TZ");
	tzset();
	tz_init();
	zone = zone != NULL ? zone : "(unset)";
	ok &= same_at(zone, now);
	for (t = history; t < scan_from; t += HISTORY_STEP)
		ok &= same_at(zone, t);
	off = libc_off(scan_from);
	for (t = scan_from; t < scan_to; t += SCAN_STEP) {
		ok &= same_at(zone, t);
		if (libc_off(t) == off)
			continue;
		/* The first second of the new offset lies in (t - SCAN_STEP, t]. */
		for (lo = t - SCAN_STEP, hi = t; hi - lo > 1;) {
			mid = lo + (hi - lo) / 2;
			if (libc_off(mid) == off)
				lo = mid;
			else
				hi = mid;
		}
		changes++;
		ok &= same_at(zone, hi - 1) & same_at(zone, hi) & same_at(zone, hi + 1);
		off = libc_off(t);
	}
	return ok;
}

static int
is_tzif(const char *path)
{
	char magic[4];
	int fd = open(path, O_RDONLY), ok;

	if (fd < 0)
		return 0;
	ok = read(fd, magic, 4) == 4 && memcmp(magic, "TZif", 4) == 0;
	close(fd);
	return ok;
}

/*
 * Every TZif file under dir (a path below ZONEINFO); returns how many, *bad
 * those that differ. TZ is ":name", which both libraries read as a file:
 * musl reads a bare name that looks like a POSIX string ("EST5EDT",
 * "NZ-CHAT") as one, glibc looks for the file first.
 */
static int
walk(const char *dir, int *bad)
{
	char path[512], tz[512];
	struct dirent *e;
	struct stat st;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof path, ZONEINFO "/%s", dir);
	if ((d = opendir(path)) == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || (dir[0] == '\0' &&
		    (strcmp(e->d_name, "right") == 0 || strcmp(e->d_name, "posix") == 0)))
			continue;
		snprintf(path, sizeof path, ZONEINFO "/%s%s%s", dir, dir[0] ? "/" : "", e->d_name);
		if (stat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			n += walk(path + sizeof ZONEINFO, bad);
			continue;
		}
		if (!is_tzif(path))
			continue;
		n++;
		snprintf(tz, sizeof tz, ":%s", path + sizeof ZONEINFO);
		*bad += !zone_agrees(tz, HISTORY);
	}
	closedir(d);
	return n;
}

static void
test_tzdata(void)
{
	int bad = 0, n;

	checks = changes = 0;
	n = walk("", &bad);
	CHECK(n >= 300 && bad == 0,
	    "tz: %d zones of " ZONEINFO " as localtime_r: %lld times, %lld offset changes, %d zones differ%s",
	    n, checks, changes, bad, n < 300 ? " (is Debian's tzdata installed?)" : "");
}

static void
test_posix_strings(void)
{
	static const char *const zones[] = {
		"UTC0", "UTC", "GMT", "<UTC>0", "", "EST5", "XXX-3", "IST-5:30",
		"<+0530>-5:30", "<-03>3", "CET-1CEST,M3.5.0,M10.5.0/3",
		"GMT0BST,M3.5.0/1,M10.5.0", "EST5EDT,M3.2.0,M11.1.0",
		"PST8PDT,M3.2.0/2:00:00,M11.1.0/2:00:00", "NZST-12NZDT,M9.5.0,M4.1.0/3",
		"AEST-10AEDT,M10.1.0,M4.1.0/3", "<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45",
		"<-03>3<-02>,M3.5.0/-2,M10.5.0/-1", "IST-2IDT,M3.4.4/26,M10.5.0",
		"EET-2EEST,M3.4.4/50,M10.4.4/50", "EST5EDT,0/0,J365/25",
		"MST7MDT,J60/2,J300/2", "MST7MDT,59/2,300", "AST4ADT3,M4.1.0/00:00:00,M10.5.0/-1:30",
#ifndef __GLIBC__
		"EST5EDT",	/* musl: POSIX, no rules given (glibc: the file) */
#endif
		"CET", "Europe/Paris", ":Europe/Paris", ":" ZONEINFO "/Asia/Tokyo",
		"No/Such_Zone", "/nonexistent", ZONEINFO "/zone1970.tab", ZONEINFO,
	};
	size_t i;
	int bad = 0;

	checks = changes = 0;
	/* From 1970: musl's rules take the weekday of earlier years wrongly. */
	for (i = 0; i < sizeof zones / sizeof zones[0]; i++)
		bad += !zone_agrees(zones[i], 0);
	bad += !zone_agrees(NULL, 0);
	CHECK(bad == 0, "tz: %zu POSIX TZ strings, zone names, bad names and TZ unset as localtime_r: "
	    "%lld times, %lld offset changes", i + 1, checks, changes);
}

/*
 * New_York's TZif file into data, and a temporary file at path (a mkstemp
 * template) that TZ names; its length, or -1 (a failed check for what).
 */
static ssize_t
fixture(char *path, unsigned char *data, size_t size, const char *what)
{
	int fd = open(ZONEINFO "/America/New_York", O_RDONLY), out;
	ssize_t len = fd >= 0 ? read(fd, data, size) : -1;

	if (fd >= 0)
		close(fd);
	if ((out = mkstemp(path)) < 0 || len < 100) {
		CHECK(0, "tz: %s (no fixture: %s)", what, out < 0 ? "mkstemp" : "New_York");
		return -1;
	}
	close(out);
	setenv("TZ", path, 1);
	return len;
}

/* A TZif file cut short anywhere is no zone (UTC), and reading it stays in bounds. */
static void
test_truncated(void)
{
	static unsigned char data[8192];
	char path[] = "/tmp/test_tz.XXXXXX";
	ssize_t len = fixture(path, data, sizeof data, "truncated TZif files"), cut;
	int out, ok = 1;

	if (len < 0)
		return;
	for (cut = 1; cut < len - 1; cut += cut < 64 ? 1 : 37) {
		if ((out = open(path, O_WRONLY | O_TRUNC)) < 0 || write(out, data, cut) != cut)
			ok = 0;
		if (out >= 0)
			close(out);
		tz_init();
		ok &= tz_offset(1700000000) == 0 && tz_offset(-2000000000) == 0;
	}
	unlink(path);
	CHECK(ok, "tz: a TZif file cut short at any of %zd lengths counts as UTC", len);
}

/* New_York's file with n bytes more in its v1 block (more time zone abbreviation characters). */
static int
write_padded(const char *path, const unsigned char *data, size_t len, size_t n)
{
	static unsigned char out[20000];
	size_t at, chars;
	int fd, ok;

	/* v1 header: counts isut isstd leap time type char, big-endian, from byte 20 */
#define BE32(p) ((size_t)(p)[0] << 24 | (size_t)(p)[1] << 16 | (size_t)(p)[2] << 8 | (p)[3])
	at = 44 + 5 * BE32(data + 32) + 6 * BE32(data + 36);	/* the abbreviation characters */
	chars = BE32(data + 40) + n;
	if (len + n > sizeof out || at > len)
		return 0;
	memcpy(out, data, at);
	memset(out + at, 'X', n);
	memcpy(out + at + n, data + at, len - at);
	out[40] = chars >> 24;
	out[41] = chars >> 16;
	out[42] = chars >> 8;
	out[43] = chars;
	if ((fd = open(path, O_WRONLY | O_TRUNC)) < 0)
		return 0;
	ok = write(fd, out, len + n) == (ssize_t)(len + n);
	close(fd);
	return ok;
}

/*
 * The file is read whole into 16 KiB: a valid one of 16383 bytes is the
 * zone, one byte more is no zone (UTC), as is a directory.
 */
static void
test_file_size(void)
{
	static unsigned char data[8192];
	char path[] = "/tmp/test_tz.XXXXXX";
	ssize_t len = fixture(path, data, sizeof data, "zone file sizes");
	const long long summer = 1751371200;	/* 2025-07-01 12:00 UTC: EDT, -4 h */
	int ok;

	if (len < 0)
		return;
	ok = write_padded(path, data, len, 16383 - len);
	tz_init();
	ok &= tz_offset(summer) == -4 * 3600;
	ok &= write_padded(path, data, len, 16384 - len);
	tz_init();
	ok &= tz_offset(summer) == 0;
	unlink(path);
	setenv("TZ", "/", 1);
	tz_init();
	ok &= tz_offset(summer) == 0;
	CHECK(ok, "tz: a zone file of 16383 bytes is read, one of 16384 or a directory counts as UTC");
}

/*
 * The whole range tz_local takes, TZ_LIMIT either side of 1970, and its
 * last seconds: in UTC for the date arithmetic, and from 1970 on in a zone
 * with rules, whose dates are computed for every year.
 */
static void
test_range(void)
{
	static const char *const zones[] = { "UTC0", "CET-1CEST,M3.5.0,M10.5.0/3" };
	long long t;
	size_t i;
	int ok = 1;

	checks = 0;
	for (i = 0; i < 2; i++) {
		setenv("TZ", zones[i], 1);
		tzset();
		tz_init();
		for (t = i == 0 ? -TZ_LIMIT + 1 : 0; t < TZ_LIMIT - 86400; t += RANGE_STEP)
			ok &= same_at(zones[i], t);
		ok &= same_at(zones[i], TZ_LIMIT - 86401);
	}
	setenv("TZ", "UTC0", 1);
	tzset();	/* glibc's localtime_r does not read TZ again by itself */
	tz_init();
	/* Before 1970 in UTC only (glibc's rules differ there; musl's agree). */
	ok &= same_at("UTC0", -TZ_LIMIT + 86401);
	ok &= same_at("UTC0", TZ_LIMIT - 1) & same_at("UTC0", -TZ_LIMIT + 1);
	CHECK(ok, "tz: %lld times from %lld to %lld s in UTC and a zone with rules as localtime_r",
	    checks, -TZ_LIMIT + 1, TZ_LIMIT - 1);
}

/* tz_days against known dates, around the leap rules. */
static void
test_days(void)
{
	CHECK(tz_days(1970, 1, 1) == 0 && tz_days(2000, 3, 1) == 11017 &&
	    tz_days(1969, 12, 31) == -1 && tz_days(2100, 3, 1) - tz_days(2100, 2, 28) == 1 &&
	    tz_days(2000, 3, 1) - tz_days(2000, 2, 28) == 2 && tz_days(1600, 1, 1) == -135140 &&
	    tz_days(2024, 13, 1) == tz_days(2025, 1, 1) && tz_days(2024, 0, 1) == tz_days(2023, 12, 1),
	    "tz: days from the civil date, leap years, months 0 and 13");
}

int
main(void)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	tm.tm_year--;
	tm.tm_mon = 0;
	tm.tm_mday = 1;
	tm.tm_hour = 12;
	tm.tm_min = tm.tm_sec = 0;
	scan_from = (long long)timegm(&tm);
	scan_to = scan_from + (SCAN_YEARS + 1) * 31556952LL;
	test_days();
	test_range();
	test_posix_strings();
	test_truncated();
	test_file_size();
	test_tzdata();
	return check_failed;
}
