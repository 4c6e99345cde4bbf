/*
 * echo.c: the child's side of a connection. One file, two protocols:
 * RFC 862 echo (raw: every byte back, unchanged) and the book's classic
 * reply ('Echo=>%s at %s' per read of up to 1024 bytes).
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "echo.h"
#include "errmsg.h"
#include "fmt.h"
#include "log.h"
#include "mono.h"
#include "opts.h"
#include "reply.h"

#include "config.h"

static int
wait_readable(int fd, unsigned idle)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int r;

	do
		r = poll(&p, 1, (int)idle * 1000);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		errno = ETIMEDOUT;
	return r > 0 ? 0 : -1;
}

/*
 * Static, not on the stack: a child's private memory is the pages it writes.
 * This is written only as data flows (an idle client costs none of it), and
 * the child's stack frames stay small, so its stack stays at one page.
 * Classic mode reads into the start and writes its reply right after, so a
 * short exchange dirties a single page; page alignment keeps it to one.
 */
_Static_assert(REPLY_CHUNK + REPLY_MAX <= ECHOD_RAWBUF, "classic buffers fit the raw buffer");
static _Alignas(4096) unsigned char buf[ECHOD_RAWBUF];
#define reply ((char *)buf + REPLY_CHUNK)

int
echo_stream(int in, int out, const struct echo_conf *c, struct echo_count *count)
{
	/* Raw reads as much as is there; classic reads what the book's recv(1024) would. */
	size_t want = c->mode == MODE_RAW ? sizeof buf : REPLY_CHUNK;
	int polled = !c->timeouts_set && c->idle > 0 &&
	    net_set_timeouts(in, out, c->idle) < 0;
	size_t len;
	ssize_t n;
	char *p;

	for (;;) {
		if (polled && wait_readable(in, c->idle) < 0)
			return -1;
		n = net_read(in, buf, want);
		if (n == 0)
			return 0;
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				errno = ETIMEDOUT;
			return -1;
		}
		count->in += n;
		if (c->mode == MODE_RAW) {
			p = (char *)buf;
			len = n;
		} else {
			p = reply;
			len = reply_classic(reply, buf, n, mono_wall());
		}
		if (net_write_all(out, p, len) < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				errno = ETIMEDOUT;	/* SO_SNDTIMEO: the client stopped reading */
			return -1;
		}
		count->out += len;
	}
}

/* The book's time.sleep(); poll is already linked, nanosleep would add code. */
static void
sleep_seconds(unsigned s)
{
	unsigned end = (unsigned)mono_ms() + s * 1000;	/* mod 2^32: -d is at most 3600 s */
	int left;

	while ((left = (int)(end - (unsigned)mono_ms())) > 0)
		(void)poll(NULL, 0, left);
}

int
echo_session(int in, int out, const union net_addr *peer,
    const struct echo_conf *c, struct echo_count *count)
{
	static union net_addr unknown;	/* AF_UNSPEC (0); zeros in .bss cost no file bytes */
	const struct sockaddr *sa = peer != NULL ? &peer->sa : &unknown.sa;
	char ct[REPLY_CTIME_MAX], ms[5], eb[ERRMSG_BUF];
	struct timespec start, end;
	int r, saved, logging = log_conn_enabled(), took;

	/* Under -q not even the clock is read: this is every connection's start-up. */
	if (logging) {
		mono_now(&start);
		ct[reply_ctime(ct, mono_wall())] = '\0';
		log_conn("Server connected by %P at %s", sa, ct);
	}
	if (c->delay > 0)
		sleep_seconds(c->delay);
	r = echo_stream(in, out, c, count);
	saved = errno;
	if (!logging)
		return r == 0 ? 0 : 1;
	mono_now(&end);
	if (end.tv_nsec < start.tv_nsec) {
		end.tv_nsec += 1000000000L;
		end.tv_sec--;
	}
	took = (int)((end.tv_nsec - start.tv_nsec) / 1000000);	/* milliseconds, 0-999 */
	fmt(ms, sizeof ms, "%d", 1000 + took);	/* "1" and three digits; ms + 1 is ".%03d" */
	log_conn("Closed %P: %llu bytes in, %llu bytes out, %ld.%s s%s%s",
	    sa, count->in, count->out, (long)(end.tv_sec - start.tv_sec), ms + 1,
	    r == 0 ? "" : ": ", r == 0 ? "" : saved == ETIMEDOUT ? "idle timeout" : errmsg(saved, eb));
	return r == 0 ? 0 : 1;
}
