/*
 * test_libc.c: the C library functions every program here links, at every
 * length, alignment and overlap the standard allows. On our static cross
 * builds these are src/libc/'s (memcpy/memmove/memset/memchr, strlen,
 * strchr, strcspn, strncpy, getenv, open, socket, mmap, on arm64 syscall,
 * and on 32-bit ARM the EABI division helpers behind / and %), which
 * replace musl's, for musl's own callers too; elsewhere the same checks
 * hold for the system's C library.
 * Calls go through volatile pointers so gcc cannot expand them inline.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"

#define LEN  72	/* past every word and unrolled step of any libc */
#define BUF  (LEN + 16)

static void *(*volatile do_memcpy)(void *restrict, const void *restrict, size_t) = memcpy;
static void *(*volatile do_memmove)(void *, const void *, size_t) = memmove;
static void *(*volatile do_memset)(void *, int, size_t) = memset;
static void *(*volatile do_memchr)(const void *, int, size_t) = memchr;
static size_t (*volatile do_strlen)(const char *) = strlen;
static char *(*volatile do_strchr)(const char *, int) = strchr;
static size_t (*volatile do_strcspn)(const char *, const char *) = strcspn;
static char *(*volatile do_strncpy)(char *restrict, const char *restrict, size_t) = strncpy;
static char *(*volatile do_getenv)(const char *) = getenv;

static void
fill(unsigned char *b, size_t n, unsigned seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (unsigned char)(seed + i * 7 + 1);
}

/* Byte by byte, the reference; returns the first differing index or -1. */
static long
differs(const unsigned char *a, const unsigned char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (a[i] != b[i])
			return (long)i;
	return -1;
}

static void
test_copy(void)
{
	unsigned char src[BUF], dst[BUF], want[BUF];
	size_t n, so, d0;
	int bad = 0;

	for (n = 0; n <= LEN; n++)
		for (so = 0; so < 8; so++)
			for (d0 = 0; d0 < 8; d0++) {
				fill(src, BUF, 3);
				fill(dst, BUF, 100);
				memcpy(want, dst, BUF);
				for (size_t i = 0; i < n; i++)
					want[d0 + i] = src[so + i];
				if (do_memcpy(dst + d0, src + so, n) != dst + d0 ||
				    differs(dst, want, BUF) >= 0)
					bad++;
			}
	CHECK(bad == 0, "memcpy: lengths 0-%d, every source and destination alignment (%d wrong)", LEN, bad);
}

/* Overlap both ways, and the same buffer, in one array. */
static void
test_move(void)
{
	unsigned char buf[2 * BUF], want[2 * BUF], orig[2 * BUF];
	size_t n, so, d0;
	int bad = 0;

	for (n = 0; n <= LEN; n++)
		for (so = 0; so < 16; so++)
			for (d0 = 0; d0 < 16; d0++) {
				fill(buf, sizeof buf, 9);
				memcpy(orig, buf, sizeof buf);
				memcpy(want, buf, sizeof buf);
				for (size_t i = 0; i < n; i++)
					want[d0 + i] = orig[so + i];
				if (do_memmove(buf + d0, buf + so, n) != buf + d0 ||
				    differs(buf, want, sizeof buf) >= 0)
					bad++;
			}
	CHECK(bad == 0, "memmove: lengths 0-%d, overlapping forward, backward and in place (%d wrong)", LEN, bad);
}

static void
test_set_chr(void)
{
	unsigned char b[BUF], want[BUF];
	size_t n, o, at;
	int bad = 0, badchr = 0;

	for (n = 0; n <= LEN; n++)
		for (o = 0; o < 8; o++) {
			fill(b, BUF, 5);
			memcpy(want, b, BUF);
			for (size_t i = 0; i < n; i++)
				want[o + i] = 0xa5;
			if (do_memset(b + o, 0x1a5, n) != b + o || differs(b, want, BUF) >= 0)
				bad++;
		}
	CHECK(bad == 0, "memset: lengths 0-%d at every alignment, value converted to unsigned char (%d wrong)", LEN, bad);
	for (n = 0; n <= LEN; n++)
		for (o = 0; o < 8; o++) {
			memset(b, 'x', BUF);
			if (do_memchr(b + o, 'y', n) != NULL)	/* absent */
				badchr++;
			for (at = 0; at < n; at++) {
				memset(b, 'x', BUF);
				b[o + at] = 0xfe;
				b[o + n] = 0xfe;	/* just past the end: never found */
				if (do_memchr(b + o, 0x1fe, n) != b + o + at || do_memchr(b + o, 0xfe, at) != NULL)
					badchr++;
			}
		}
	CHECK(badchr == 0, "memchr: every position in lengths 0-%d, never past n (%d wrong)", LEN, badchr);
}

static void
test_str(void)
{
	char s[BUF], d[BUF];
	size_t n, o, k;
	int badlen = 0, badchr = 0, badcpy = 0;

	for (n = 0; n <= LEN; n++)
		for (o = 0; o < 8; o++) {
			memset(s, 'a', BUF);
			s[o + n] = '\0';
			if (do_strlen(s + o) != n)
				badlen++;
			if (do_strchr(s + o, '\0') != s + o + n || do_strchr(s + o, 'b') != NULL)
				badchr++;
			if (n > 0) {
				s[o + n - 1] = (char)0xe9;	/* a byte above 127 */
				if (do_strchr(s + o, 0xe9) != s + o + n - 1 || do_strchr(s + o, 'a') != (n > 1 ? s + o : NULL))
					badchr++;
			}
			for (k = 0; k <= n + 3; k++) {
				memset(d, '#', BUF);
				if (do_strncpy(d + 1, s + o, k) != d + 1)
					badcpy++;
				for (size_t i = 0; i < BUF; i++) {
					char w = i == 0 || i > k ? '#' : i - 1 < n ? s[o + i - 1] : '\0';
					if (d[i] != w)
						badcpy++;
				}
			}
		}
	CHECK(badlen == 0, "strlen: lengths 0-%d at every alignment (%d wrong)", LEN, badlen);
	CHECK(badchr == 0, "strchr: the terminator, a byte above 127, absent (%d wrong)", badchr);
	CHECK(badcpy == 0, "strncpy: cut at n, zero-filled up to n, nothing past it (%d wrong)", badcpy);
	CHECK(do_strcspn("", ",") == 0 && do_strcspn("abc", "") == 3 && do_strcspn("ab,c", ",") == 2 &&
	    do_strcspn("name:x", ":\n") == 4 && do_strcspn("line\nx:", ":\n") == 4 &&
	    do_strcspn(",x", ",") == 0 && do_strcspn("abc", "xyz") == 3, "strcspn: empty string and set, first of several, none");
}

static void
test_getenv(void)
{
	static char *env[] = { "A=1", "AB=2", "C=", "D==x", "=e", NULL };
	char **saved = environ;
	char *a, *ab, *abc, *c, *d, *empty, *eq;

	environ = env;
	a = do_getenv("A"), ab = do_getenv("AB"), abc = do_getenv("ABC");
	c = do_getenv("C"), d = do_getenv("D"), empty = do_getenv(""), eq = do_getenv("A=1");
	environ = saved;
	CHECK(a == env[0] + 2 && ab == env[1] + 3 && abc == NULL, "getenv: a name, a longer one it prefixes, one it does not hold");
	CHECK(c == env[2] + 2 && *c == '\0' && d == env[3] + 2, "getenv: an empty value, a value starting with '='");
	CHECK(empty == NULL && eq == NULL, "getenv: an empty name and a name holding '=' are never found");
}

static volatile unsigned vu[] = { 0, 1, 2, 3, 7, 10, 100, 1000, 65535, 65536, 1000000, 0x7ffffffe,
	0x7fffffff, 0x80000000u, 0x80000001u, 0xfffffffeu, 0xffffffffu };

/* A spread of magnitudes: a 32-bit LCG's word shifted right by 0-31. */
static unsigned
pick(size_t i, unsigned *lcg)
{
	if (i < sizeof vu / sizeof vu[0])
		return vu[i];
	*lcg = *lcg * 1103515245u + 12345u;
	return *lcg >> (*lcg & 31);
}

/* Checked by the definition, q * d + r == n with |r| < |d|, since / and % are what is tested. */
static void
test_divide(void)
{
	unsigned lcg = 12345;
	int badu = 0, bads = 0;
	size_t i, j;

	for (i = 0; i < sizeof vu / sizeof vu[0] + 2000; i++)
		for (j = 0; j < sizeof vu / sizeof vu[0] + 20; j++) {
			unsigned n = pick(i, &lcg), d = pick(j, &lcg);
			volatile unsigned vn = n, vd = d;
			volatile int sn = (int)n, sd = (int)d;
			unsigned q, r;
			int qs, rs;

			if (d == 0)
				continue;
			q = vn / vd, r = vn % vd;
			if (q * d + r != n || r >= d)
				badu++;
			if (sd == -1 && sn == INT32_MIN)	/* overflows, undefined */
				continue;
			qs = sn / sd, rs = sn % sd;
			if ((unsigned)qs * (unsigned)sd + (unsigned)rs != (unsigned)sn ||
			    (rs != 0 && (rs < 0) != (sn < 0)) ||
			    (rs < 0 ? 0u - (unsigned)rs : (unsigned)rs) >= (sd < 0 ? 0u - (unsigned)sd : (unsigned)sd))
				bads++;
		}
	CHECK(badu == 0, "unsigned / and %%: edges and 70000 pseudo-random pairs (%d wrong)", badu);
	CHECK(bads == 0, "signed / and %%: truncation toward zero, remainder with the dividend's sign (%d wrong)", bads);
}

/* No, three and six arguments, and an error's -1 and errno. */
static void
test_syscall(void)
{
#ifdef SYS_mmap2
	long nr_mmap = SYS_mmap2;
#else
	long nr_mmap = SYS_mmap;
#endif
	int fd[2], e;
	long r, w;
	char c = 0;
	volatile char *m;

	CHECK(syscall(SYS_getpid) == (long)getpid(), "syscall: getpid, no arguments");
	errno = 0;
	r = syscall(SYS_close, -1L), e = errno;
	CHECK(r == -1 && e == EBADF, "syscall: a failing call gives -1 and errno (EBADF)");
	if (pipe(fd) != 0) {
		CHECK(0, "syscall: pipe");
		return;
	}
	w = syscall(SYS_write, (long)fd[1], "x", 1L);
	r = syscall(SYS_read, (long)fd[0], &c, 1L);
	CHECK(w == 1 && r == 1 && c == 'x', "syscall: write and read, three arguments");
	close(fd[0]);
	close(fd[1]);
	m = (volatile char *)syscall(nr_mmap, 0L, 8192L, (long)(PROT_READ | PROT_WRITE),
	    (long)(MAP_PRIVATE | MAP_ANONYMOUS), -1L, 0L);
	CHECK(m != MAP_FAILED && (m[0] = 5, m[8191] = 7, m[0] + m[8191] == 12),
	    "syscall: mmap, six arguments, the mapping usable");
	if (m != MAP_FAILED)
		munmap((void *)m, 8192);
}

/* open's mode and O_CLOEXEC, socket's type flags, mmap's file offset. */
static void
test_sys(void)
{
	char path[64], page[4096];
	int fd, e, s;
	mode_t um;
	struct stat st;
	unsigned char *m;
	size_t i;

	snprintf(path, sizeof path, "/tmp/test_libc.%ld", (long)getpid());
	um = umask(0);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	umask(um);
	if (fd < 0) {
		CHECK(0, "open: creates %s", path);
		return;
	}
	CHECK(fstat(fd, &st) == 0 && (st.st_mode & 0777) == 0640 && (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0,
	    "open: O_CREAT takes the mode, O_CLOEXEC is set");
	for (i = 0; i < 2; i++) {
		memset(page, 'a' + (int)i, sizeof page);
		if (write(fd, page, sizeof page) != (ssize_t)sizeof page)
			break;
	}
	m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 4096);
	CHECK(m != MAP_FAILED && m[0] == 'b' && m[4095] == 'b', "mmap: a file at offset 4096 maps its second page");
	if (m != MAP_FAILED)
		munmap(m, 4096);
	errno = 0;
	m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 100), e = errno;
	CHECK(m == MAP_FAILED && e == EINVAL, "mmap: an offset that is not a page multiple is EINVAL");
	close(fd);
	unlink(path);
	errno = 0;
	fd = open(path, O_RDONLY), e = errno;
	CHECK(fd == -1 && e == ENOENT, "open: a missing file is -1 with ENOENT");
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	CHECK(s >= 0 && (fcntl(s, F_GETFD) & FD_CLOEXEC) != 0 && (fcntl(s, F_GETFL) & O_NONBLOCK) != 0,
	    "socket: SOCK_CLOEXEC and SOCK_NONBLOCK are set");
	if (s >= 0)
		close(s);
	errno = 0;
	s = socket(AF_INET, 12345, 0), e = errno;
	CHECK(s == -1 && e != 0, "socket: an unknown type is -1 with errno");
}

int
main(void)
{
	test_copy();
	test_move();
	test_set_chr();
	test_str();
	test_getenv();
	test_divide();
	test_syscall();
	test_sys();
	return check_failed;
}
