/*
 * fmt.h: the one place that turns numbers and addresses into text.
 */
#ifndef ECHOD_FMT_H
#define ECHOD_FMT_H

#include <stdarg.h>
#include <stddef.h>
#include <sys/socket.h>

/* Lower-case hex digits, for every escape we write. */
extern const char fmt_hexdigit[16];

/*
 * A printf subset: %s %c %d %u %x %ld %lu %lld %llu %%, and
 *   %S  a string from outside, control bytes and DEL shown as '?', cut
 *       after FMT_S_MAX bytes with "..."
 *   %m  errmsg(errno): musl's strerror wording (errno as it was on entry)
 *   %P  a struct sockaddr *, as Python prints a peer: ('127.0.0.1', 34708)
 *   %A  a struct sockaddr *, numeric address only: 127.0.0.1, ::1
 * Writes at most cap-1 characters and a NUL; returns the length written.
 * ap is passed by address and read through a copy, so *ap is left as it
 * was: on AArch64 a va_list is a 32-byte struct, which a call by value
 * copies at every caller (84 bytes of echod there).
 */
#define FMT_S_MAX 64
size_t fmt_v(char *buf, size_t cap, const char *f, va_list *ap);
size_t fmt(char *buf, size_t cap, const char *f, ...);

/*
 * The one decimal parser: the digits at *sp (no sign, no spaces), *sp
 * left after them. 0 with the value in *out, -1 if there is no digit,
 * -2 if the value is above max (at most 4294967295), however many digits:
 * never a wrap.
 */
int fmt_parse_ulong(const char **sp, unsigned long max, unsigned long *out);

/* Unsigned decimal into out (at least 21 bytes); returns the length. */
size_t fmt_ulong(char *out, unsigned long long v);

/*
 * ::ffff:0:0/96: whether the 16 bytes at a are an IPv4-mapped IPv6 address,
 * its last four then the IPv4 one. One memcmp instead of the twelve byte
 * compares of IN6_IS_ADDR_V4MAPPED at each use.
 */
extern const unsigned char fmt_v4mapped_prefix[12];
int fmt_is_v4mapped(const void *a);

/* Numeric address of sa (IPv4-mapped IPv6 as IPv4); out >= 46 bytes. */
size_t fmt_addr(char *out, const struct sockaddr *sa);

#endif
