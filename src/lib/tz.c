/*
 * tz.c: local time, computed as musl 1.2's localtime_r does (its __tz.c is
 * the model: the same TZ forms, the same choice between table and rule),
 * in about a fifth of the bytes: no malloc, no zone names, no mktime
 * direction, no 64-bit division.
 *
 * A zone is a POSIX TZ string (std offset [dst [offset] [,start[/time],
 * end[/time]]]), from TZ itself or from the footer line that TZif files
 * of version 2 and later end with, and for a TZif file its 64-bit
 * transition table, which holds what no POSIX string can say (Morocco's
 * Ramadan changes, past rule changes). Not read: version 1 files (no
 * 64-bit table; UTC instead), leap second records (musl ignores them too).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "divc.h"
#include "file.h"
#include "tz.h"

/*
 * A DST rule, as musl's getrule keeps it: kind 'M' (v: month, week 1-5,
 * weekday), 'J' (v[0]: day 1-365, Feb 29 not counted) or 0 (v[0]: day
 * 0-365); time is the local time of day of the change, in seconds.
 */
struct rule {
	int kind, v[3];
	long time;
};

/* The zone, in one object: one base address for every field (z.). */
static struct {
	long std_west, dst_west;	/* as TZ writes them: seconds west of UTC */
	int has_dst;
	struct rule rules[2];	/* DST starts, DST ends */
	/* The TZif file (NULL: none), and in it the v2 transitions, their types' indexes and the types. */
	const unsigned char *map, *trans, *idx, *types;
	size_t map_len;
	unsigned long ntrans, ntypes;
} z;

/*
 * The TZif file, read whole (file.h says why not mapped). Debian's largest
 * is under 4 KiB; one of this size or more is no zone (UTC). In .bss, so
 * it costs no file bytes and memory only for the pages a file fills, next
 * to the program's other data: a map of its own would be one more area to
 * copy at every fork, and the page tables of its own (server.c).
 */
static unsigned char zone_file[16384];

static const unsigned char *
zone_read(const char *path)
{
	long n = file_read(path, zone_file, sizeof zone_file);

	z.map_len = n;
	return n < 0 ? NULL : zone_file;
}

/* ---- POSIX TZ strings (musl's getint, getoff, getrule, getname) ---- */

/* Digits, capped so that no field of a TZ string can overflow later on. */
static int
getnum(const char **p)
{
	int x = 0;

	for (; (unsigned)(**p - '0') < 10; ++*p)
		if (x < 10000)
			x = x * 10 + (**p - '0');
	return x;
}

/* [+-]hh[:mm[:ss]] in seconds. */
static long
getoff(const char **p)
{
	static const short unit[] = { 3600, 60, 1 };
	long off = 0;
	int neg = **p == '-', i = 0;

	if (neg || **p == '+')
		++*p;
	for (;; ++*p) {
		off += unit[i] * (long)getnum(p);
		if (++i == 3 || **p != ':')
			break;
	}
	return neg ? -off : off;
}

static void
getrule(const char **p, struct rule *r)
{
	int i = 0;

	r->kind = **p;
	if (r->kind == 'M' || r->kind == 'J')
		++*p;
	else
		r->kind = 0;
	for (;; ++*p) {		/* M: month.week.day */
		r->v[i] = getnum(p);
		if (r->kind != 'M' || ++i == 3 || **p != '.')
			break;
	}
	r->time = 7200;
	if (**p == '/') {
		++*p;
		r->time = getoff(p);
	}
}

/* Skips a zone name, alphabetic or <quoted>; returns its length, *name its start. */
static size_t
skipname(const char **p, const char **name)
{
	const char *s = *p;
	size_t n = 0;

	if (*s == '<') {
		n = strcspn(++s, ">\n");	/* \n: a footer ends there */
		*p = s + n + (s[n] == '>');
	} else {
		while ((unsigned)((s[n] | 32) - 'a') < 26)
			n++;
		*p = s + n;
	}
	*name = s;
	return n;
}

static void
parse_posix(const char *s)
{
	const char *name;

	skipname(&s, &name);
	z.std_west = getoff(&s);
	z.has_dst = skipname(&s, &name) > 0;
	z.dst_west = z.std_west - 3600;
	if (*s == '+' || *s == '-' || (unsigned)(*s - '0') < 10)
		z.dst_west = getoff(&s);
	memset(z.rules, 0, sizeof z.rules);
	if (*s == ',')
		s++, getrule(&s, &z.rules[0]);
	if (*s == ',')
		s++, getrule(&s, &z.rules[1]);
}

/* ---- TZif files ---- */

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

/* Transition i's time. */
static long long
trans_at(unsigned long i)
{
#if UINTPTR_MAX > 0xffffffffu	/* one load and a byte swap on a 64-bit target */
	const unsigned char *p = z.trans + 8 * i;

	return (long long)((uint64_t)p[0] << 56 | (uint64_t)p[1] << 48 | (uint64_t)p[2] << 40 |
	    (uint64_t)p[3] << 32 | (uint64_t)p[4] << 24 | (uint64_t)p[5] << 16 |
	    (uint64_t)p[6] << 8 | p[7]);
#else
	return (long long)((uint64_t)be32(z.trans + 8 * i) << 32 | be32(z.trans + 8 * i + 4));
#endif
}

/*
 * The transition table of the mapped file and its footer, or NULL if it is
 * no TZif file of version 2 or later (or is cut short). Sizes from the
 * headers: the v1 data block (skipped), the v2 header, its counts. A count
 * of 2^24 or more (zones have a few hundred) is no zone: the sums then fit
 * 32 bits.
 */
static const char *
zone_table(void)
{
	static const unsigned char width[] = { 1, 1, 8, 5, 6, 1 };	/* isut isstd leap time type char */
	uint32_t end = 44, n, big = 0;
	const unsigned char *h = z.map;
	size_t i;

	if (z.map_len < 44 || memcmp(z.map, "TZif", 4) != 0 || z.map[4] < '2')
		return NULL;
	for (i = 0; i < 6; i++) {
		big |= n = be32(h + 20 + 4 * i);
		end += width[i] * n;
	}
	if (big >> 24 != 0 || end + 44 > z.map_len)
		return NULL;
	h = z.map + end;
	z.ntrans = be32(h + 32);
	z.ntypes = be32(h + 36);
	end += 44 + 9 * z.ntrans + 6 * z.ntypes;
	if ((z.ntrans | z.ntypes) >> 24 != 0 || z.ntypes == 0 || end >= z.map_len ||
	    z.map[z.map_len - 1] != '\n')
		return NULL;
	z.trans = h + 44;
	z.idx = z.trans + 8 * z.ntrans;
	z.types = z.idx + z.ntrans;
	/* The footer: the last line, after the binary data; none is UTC. */
	for (i = z.map_len - 1; i > end + 1 && z.map[i - 1] != '\n'; i--)
		;
	return z.map[i - 1] == '\n' ? (const char *)z.map + i : "";
}

void
tz_init(void)
{
	static const char dirs[] = "/usr/share/zoneinfo/\0/share/zoneinfo/\0/etc/zoneinfo/\0";
	const char *s = getenv("TZ"), *p, *name;
	char path[sizeof dirs + 256];
	size_t n, k;

	z.map = NULL;
	if (s == NULL)
		s = "/etc/localtime";
	if (*s == '\0')
		s = "UTC";
	/* musl's test: a name, then an offset (or the name UTC or GMT), is a POSIX string. */
	p = s;
	n = skipname(&p, &name);
	if (p == s || !(*p == '+' || *p == '-' || (unsigned)(*p - '0') < 10 ||
	    (n == 3 && (memcmp(name, "UTC", 3) == 0 || memcmp(name, "GMT", 3) == 0)))) {
		s += *s == ':';
		n = strlen(s);
		if (*s == '/' || *s == '.')
			z.map = zone_read(s);
		else if (n < 256 && strchr(s, '.') == NULL)
			for (p = dirs; z.map == NULL && *p != '\0'; p += k + 1) {
				k = strlen(p);
				memcpy(path, p, k);
				memcpy(path + k, s, n + 1);
				z.map = zone_read(path);
			}
		s = z.map != NULL ? zone_table() : NULL;
		if (s == NULL) {
			z.map = NULL;
			s = "";		/* UTC */
		}
	}
	parse_posix(s);
}

/* ---- the offset at a time ---- */

/*
 * Days are counted from 1 March of the year -8800, 22 eras of 400 years
 * (146097 days each, a whole number of weeks) before Howard Hinnant's
 * 0000-03-01: every day within TZ_LIMIT of 1970 is then a positive
 * 32-bit number, and every division an unsigned one by a constant,
 * which DIVC makes a multiplication.
 */
#define ERAS 22
#define DAY1970 (ERAS * 146097UL + 719468)	/* 1970-01-01, a Thursday */

/* y-m-d (y > -8800, m 0-14) as such a day: Hinnant's days_from_civil. */
static uint32_t
day_of(long y, int m, int d)
{
	uint32_t yy = (uint32_t)(y + ERAS * 400 - (m <= 2)), c = DIVC(yy, 100);

	return 365 * yy + (yy >> 2) - c + (c >> 2) +
	    DIVC(153 * (m > 2 ? m - 3 : m + 9) + 2, 5) + d - 1;
}

static int
weekday(uint32_t day)
{
	day += 3;
	return (int)(day - 7 * DIVC(day, 7));
}

long
tz_days(long y, int m, int d)
{
	return (long)(day_of(y, m, d) - DAY1970);
}

/*
 * t as UTC, for |t| < 2^38 (8710 years). The days are t / 86400 =
 * (t / 128) / 675, and t / 128 fits 32 bits: no 64-bit division, which
 * on 32-bit targets would link libgcc's (0.6 to 2 KiB). Its floor
 * division by 675 divides ~x for a negative x (-1 - x, not negative) and
 * complements the quotient; the date is Hinnant's civil_from_days.
 */
static int
civil(long long t, struct tz_tm *tm)
{
	int32_t s7, neg;
	uint32_t day, r, mins, era, doe, yoe, doy, mp;

	if (t >= TZ_LIMIT || t <= -TZ_LIMIT)
		return -1;
	s7 = (int32_t)(t >> 7);
	neg = -(s7 < 0);
	/* m and s: exact for every x < 2^31 (checked for each) */
	day = DIVM(s7 ^ neg, 675, 0xc22e4507u, 41) ^ (uint32_t)neg;
	r = ((uint32_t)s7 - day * 675) << 7 | (uint32_t)(t & 127);
	day += DAY1970;
	mins = DIVC(r, 60);
	tm->sec = (int)(r - 60 * mins);
	tm->hour = (int)DIVC(mins, 60);
	tm->min = (int)mins - 60 * tm->hour;
	tm->wday = weekday(day);
	/* exact for every day < 8000000 (checked for each) */
	era = DIVM(day, 146097, 3762951, 39);
	doe = day - era * 146097;
	/* doe / 1460 - doe / 36524 + doe / 146096, with 1460 = 4 * 365, 36524 = 4 * 9131 */
	yoe = DIVC(doe - DIVC(doe >> 2, 365) + DIVC(doe >> 2, 9131) - (doe == 146096), 365);
	doy = doe - (365 * yoe + (yoe >> 2) - DIVC(yoe, 100));
	mp = DIVC(5 * doy + 2, 153);
	tm->mday = (int)(doy - DIVC(153 * mp + 2, 5)) + 1;
	tm->mon = mp < 10 ? (int)mp + 2 : (int)mp - 10;
	tm->year = (int)(yoe + era * 400) - ERAS * 400 + (tm->mon <= 1);
	return 0;
}

/* When rule r takes effect in year y, in seconds from the epoch of local (musl's rule_to_secs). */
static long long
rule_secs(const struct rule *r, int y)
{
	uint32_t day = day_of(y, 1, 1), first;
	int n = r->v[0], leap = day_of(y, 3, 1) != day_of(y, 2, 29);

	if (r->kind != 'M') {
		if (r->kind == 'J' && (n < 60 || !leap))
			n--;
		day += n;
	} else {
		first = day_of(y, r->v[0], 1);
		n = r->v[2] - weekday(first);
		if (n < 0)
			n += 7;
		/* the last such weekday: week 5 is the fourth if the month has no fifth */
		if (r->v[1] == 5 && n + 28 >= (int)(day_of(y, r->v[0] + 1, 1) - first))
			n -= 7;
		day = first + n + 7 * (r->v[1] - 1);
	}
	return (long long)(int32_t)(day - DAY1970) * 86400 + r->time;
}

/* The offset of type i of the table (musl: a broken index counts as type 0). */
static long
type_off(unsigned long i)
{
	return (int32_t)be32(z.types + 6 * (i < z.ntypes ? i : 0));
}

long
tz_offset(long long t)
{
	unsigned long a = 0, n = z.ntrans, m;
	long long t0, t1;
	struct tz_tm tm;

	if (z.map != NULL) {
		/* musl's scan_trans: the last transition at or before t ... */
		while (n > 1) {
			m = a + n / 2;
			if (t < trans_at(m))
				n /= 2;
			else {
				a = m;
				n -= n / 2;
			}
		}
		if (z.ntrans == 0)
			return type_off(0);
		/* ... but from the last one on, the footer's rule; before the first, the first standard type. */
		if (a != z.ntrans - 1) {
			if (a == 0 && t < trans_at(0)) {
				for (n = m = 0; n < z.ntypes; n++)
					if (z.types[6 * n + 4] == 0) {
						m = n;
						break;
					}
				return type_off(m);
			}
			return type_off(z.idx[a]);
		}
	}
	if (!z.has_dst || civil(t, &tm) < 0)
		return -z.std_west;
	t0 = rule_secs(&z.rules[0], tm.year) + z.std_west;
	t1 = rule_secs(&z.rules[1], tm.year) + z.dst_west;
	if (t0 < t1 ? t >= t0 && t < t1 : t >= t0 || t < t1)
		return -z.dst_west;
	return -z.std_west;
}

int
tz_local(long long t, struct tz_tm *tm)
{
	if (t >= TZ_LIMIT || t <= -TZ_LIMIT)
		return -1;
	return civil(t + tz_offset(t), tm);
}
