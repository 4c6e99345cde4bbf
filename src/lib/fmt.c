/*
 * fmt.c: the one place that turns numbers and addresses into text. A small
 * printf subset (no floating point, no locale, no stdio) so that every
 * message of a static build costs a few hundred bytes, not libc's vfprintf.
 */
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>

#include "divc.h"
#include "errmsg.h"
#include "fmt.h"

const char fmt_hexdigit[16] = "0123456789abcdef";

/*
 * v / 10. A 32-bit target has no 64-bit division: libgcc's costs 0.6 KiB
 * (ARM) to 2 KiB (MIPS), and nothing else in echod needs it. Long division
 * in 32-bit steps instead: the high word, then the remainder with each
 * half of the low word (below 10 * 2^16, where DIVC is exact).
 */
static unsigned long long
div10(unsigned long long v)
{
#if ULONG_MAX > 0xffffffffUL
	return v / 10;
#else
	uint32_t hi = (uint32_t)(v >> 32), lo = (uint32_t)v, q, x;
	unsigned long long r;

	q = DIVM(hi, 10, 0xcccccccdu, 35);	/* exact for every 32-bit x */
	r = (unsigned long long)q << 32;
	x = (hi - 10 * q) << 16 | lo >> 16;
	q = DIVC(x, 10);
	r |= (unsigned long long)q << 16;
	x = (x - 10 * q) << 16 | (lo & 0xffff);
	return r | DIVC(x, 10);
#endif
}

/* v in decimal, or in hex: the digits are written from the end of tmp. */
static size_t
fmt_digits(char *out, unsigned long long v, int hex)
{
	char tmp[24], *p = tmp + sizeof tmp;
	size_t n;

	do {
		unsigned long long q = hex ? v >> 4 : div10(v);

		*--p = fmt_hexdigit[(unsigned)v - (unsigned)q * (hex ? 16 : 10)];
		v = q;
	} while (v != 0);
	n = tmp + sizeof tmp - p;
	memcpy(out, p, n);
	return n;
}

size_t
fmt_ulong(char *out, unsigned long long v)
{
	return fmt_digits(out, v, 0);
}

/*
 * Whether v * 10 + d would pass 4294967295, too big for every max (fmt.h).
 * With 64-bit longs it cannot wrap (v is at most max before each step) and
 * the comparison with max says it all.
 */
#if ULONG_MAX > 0xffffffffUL
#define PASSES_32_BITS(v, d) 0
#else
#define PASSES_32_BITS(v, d) ((v) > 429496729UL || ((v) == 429496729UL && (d) > 5))
#endif

int
fmt_parse_ulong(const char **sp, unsigned long max, unsigned long *out)
{
	const char *p = *sp;
	unsigned long v = 0, d;
	int big = 0;

	/*
	 * Stop before a step that would wrap 32 bits. Constants only: Thumb-1
	 * would link a 500-byte division routine for max / 10.
	 */
	for (; *p >= '0' && *p <= '9'; p++) {
		d = (unsigned long)(*p - '0');
		if (big || PASSES_32_BITS(v, d) || (v = v * 10 + d) > max)
			big = 1;
	}
	if (p == *sp)
		return -1;
	*sp = p;
	if (big)
		return -2;
	*out = v;
	return 0;
}

static size_t
fmt_ipv4(char *out, const unsigned char *a)
{
	size_t n = 0;
	int i;

	for (i = 0; i < 4; i++) {
		if (i > 0)
			out[n++] = '.';
		n += fmt_ulong(out + n, a[i]);
	}
	return n;
}

/* RFC 5952: the longest run of two or more zero groups (the first of equals) becomes ::. */
static size_t
fmt_ipv6(char *out, const unsigned char *a)
{
	int i, best = -1, bestlen = 1, run = 0;
	size_t n = 0;

	for (i = 0; i < 8; i++) {
		run = a[2 * i] | a[2 * i + 1] ? 0 : run + 1;
		if (run > bestlen) {
			bestlen = run;
			best = i + 1 - run;
		}
	}
	for (i = 0; i < 8; i++) {
		if (i == best) {
			out[n++] = ':';
			out[n++] = ':';
			i += bestlen - 1;
			continue;
		}
		if (i > 0 && i != best + bestlen)
			out[n++] = ':';
		n += fmt_digits(out + n, a[2 * i] << 8 | a[2 * i + 1], 1);
	}
	return n;
}

const unsigned char fmt_v4mapped_prefix[12] = { [10] = 0xff, [11] = 0xff };

int
fmt_is_v4mapped(const void *a)
{
	return memcmp(a, fmt_v4mapped_prefix, sizeof fmt_v4mapped_prefix) == 0;
}

size_t
fmt_addr(char *out, const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return fmt_ipv4(out, (const unsigned char *)
		    &((const struct sockaddr_in *)sa)->sin_addr);
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;

		return fmt_is_v4mapped(a) ? fmt_ipv4(out, a->s6_addr + 12) :
		    fmt_ipv6(out, a->s6_addr);
	}
	out[0] = '?';
	return 1;
}

/* Bytes in network order (musl's ntohs and ntohl are calls). */
static unsigned long
fmt_be(const void *p, int n)
{
	const unsigned char *b = p;
	unsigned long v = 0;

	while (n-- > 0)
		v = v << 8 | *b++;
	return v;
}

/*
 * Python's address tuple: (host, port) for IPv4, (host, port, flowinfo,
 * scope_id) for IPv6; at most 74 characters. The port is at the same
 * place in both families.
 */
static size_t
fmt_peer(char *out, const struct sockaddr *sa)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
	unsigned long port = fmt_be(&s6->sin6_port, 2);

	_Static_assert(offsetof(struct sockaddr_in, sin_port) ==
	    offsetof(struct sockaddr_in6, sin6_port), "the port's place");
	size_t n = fmt(out, 80, "('%A', %lu", sa, port);

	/* Only an IPv6 address that is not IPv4-mapped is written with ':'. */
	if (memchr(out, ':', n) != NULL)
		n += fmt(out + n, 80 - n, ", %lu, %u", fmt_be(&s6->sin6_flowinfo, 4),
		    (unsigned)s6->sin6_scope_id);
	out[n] = ')';
	return n + 1;
}

size_t
fmt_v(char *buf, size_t cap, const char *f, va_list *app)
{
	va_list ap;
	int saved_errno = errno;
	char tmp[80];
	const char *s, *arg = NULL;
	unsigned long long v = 0;
	size_t n = 0, len;
	int longs, c;

	if (cap == 0)
		return 0;
	va_copy(ap, *app);
	for (; *f != '\0'; f++) {
		/* Each turn appends len bytes at s: a character of f, or what a
		 * conversion made (mostly in tmp), as far as they fit before the
		 * final NUL. */
		s = f;
		len = 1;
		if (*f == '%') {
			for (longs = 0; f[1] == 'l'; f++)
				longs++;
			c = *++f;
			/* One read per kind of argument: a pointer (%s and the capitals),
			 * a number as wide as long long, or an int (long is one of the two). */
			if (c == 's' || (unsigned)(c - 'A') < 26)
				arg = va_arg(ap, const char *);
			else if (c == 'c' || c == 'd' || c == 'u' || c == 'x') {
				if (longs > (LONG_MAX > INT_MAX ? 0 : 1))
					v = va_arg(ap, unsigned long long);
				else {
					unsigned x = va_arg(ap, unsigned);

					v = c == 'd' ? (unsigned long long)(int)x : x;
				}
			}
			s = tmp;
			len = 0;
			switch (c) {
			case 'm':
				arg = errmsg(saved_errno, tmp);
				/* FALLTHROUGH */
			case 's':
				s = arg;
				len = strlen(s);
				break;
			case 'S':
				/* Untrusted: control bytes become '?' so one line
				 * stays one line, and the rest of the message must
				 * still fit after it. */
				for (; arg[len] != '\0' && len < FMT_S_MAX; len++)
					tmp[len] = (unsigned char)arg[len] < 0x20 ||
					    arg[len] == 0x7f ? '?' : arg[len];
				if (arg[len] != '\0') {
					memcpy(tmp + len, "...", 3);
					len += 3;
				}
				break;
			case 'c':
				tmp[0] = (char)v;
				len = 1;
				break;
			case 'd':
				if ((long long)v < 0) {
					tmp[len++] = '-';
					v = -v;
				}
				/* FALLTHROUGH */
			case 'u':
			case 'x':
				len += fmt_digits(tmp + len, v, c == 'x');
				break;
			case 'P':
				len = fmt_peer(tmp, (const struct sockaddr *)(const void *)arg);
				break;
			case 'A':
				len = fmt_addr(tmp, (const struct sockaddr *)(const void *)arg);
				break;
			case '\0':
				f--;
				/* FALLTHROUGH */
			default:
				len = 1;
				tmp[0] = '%';
				break;
			}
		}
		while (len-- > 0 && n + 1 < cap)
			buf[n++] = *s++;
	}
	va_end(ap);
	buf[n] = '\0';
	errno = saved_errno;
	return n;
}

size_t
fmt(char *buf, size_t cap, const char *f, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, f);
	n = fmt_v(buf, cap, f, &ap);
	va_end(ap);
	return n;
}
