/*
 * resolve.c: echoprobe's name lookup, in place of getaddrinfo(3), whose
 * static musl build (a DNS client for many nameservers, stdio, malloc,
 * RFC 6724 sorting) was over 15 KiB of echoprobe. It does what a user of
 * a diagnostic tool on a router needs, the way musl does it:
 *   - a numeric IPv4 or IPv6 address; IPv6 may carry a %scope (an
 *     interface name or number), which link-local addresses need;
 *   - /etc/hosts: the first line that lists the name (compared exactly,
 *     as musl does) with a valid address;
 *   - DNS: A and AAAA questions over UDP to the first "nameserver" of
 *     /etc/resolv.conf (127.0.0.1 without one), asked again every second
 *     for up to 5 s (musl's default timeout). A name without a dot is
 *     tried with each domain of the last "search" or "domain" line first,
 *     then as it is. An IPv4 answer is taken before an IPv6 one.
 * Not done: the second and third nameserver, "options" (ndots, timeout,
 * attempts), TCP for truncated answers (A and AAAA answers fit in 512
 * bytes), ordering several addresses by RFC 6724 (musl prefers a global
 * or loopback IPv6 address to IPv4, a ULA one not). A %scope is taken on
 * any IPv6 address, not only link-local ones.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "file.h"
#include "fmt.h"
#include "mono.h"
#include "net.h"
#include "probe.h"
#include "resolve.h"

#define ASK_SECONDS 5
#define DNS_A 1
#define DNS_AAAA 28

/* musl's gai_strerror words; compared as pointers. */
static const char NOT_FOUND[] = "Name does not resolve";
static const char NO_ANSWER[] = "Try again";

static char search[256];	/* search domains, blank-separated */
static union net_addr ns;	/* the nameserver */
static socklen_t nslen;

/* ---- text files: lines of blank-separated words, '#' starts a comment ---- */

/* The next word before end; 0 at the end of the line or at a comment. */
static size_t
word(const char **p, const char *end, const char **w)
{
	const char *s = *p;

	while (s < end && (*s == ' ' || *s == '\t' || *s == '\r'))
		s++;
	*w = s;
	while (s < end && *s != ' ' && *s != '\t' && *s != '\r' && *s != '#')
		s++;
	*p = s;
	return s - *w;
}

/*
 * Calls fn for each line of the file at path, with the line's start and
 * end, until fn returns non-zero; returns that, or 0.
 */
static socklen_t
each_line(const char *path, socklen_t (*fn)(const char *, const char *, void *),
    void *arg)
{
	size_t len;
	const char *text = (const char *)file_map(path, &len), *p, *eol;
	socklen_t r = 0;

	for (p = text; p != NULL && p < text + len && r == 0; p = eol + 1) {
		eol = memchr(p, '\n', text + len - p);
		if (eol == NULL)
			eol = text + len;
		r = fn(p, eol, arg);
	}
	file_unmap((const unsigned char *)text, len);
	return r;
}

/* ---- addresses ------------------------------------------------------------ */

struct want {
	struct probe *p;	/* for sess_poll, which a ^C stops */
	const char *name;
	unsigned port;
	union net_addr *a;
};

/*
 * An address literal of n bytes at s, IPv6 with an optional %scope (the
 * interface's name, looked up in /sys/class/net, or its number).
 */
static socklen_t
literal(const char *s, size_t n, unsigned port, union net_addr *a)
{
	char buf[80], *scope, path[64 + IF_NAMESIZE];
	unsigned long id = 0;
	socklen_t len;
	ssize_t r;
	int fd;

	if (n >= 48)
		return 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if ((scope = strchr(buf, '%')) != NULL)
		*scope++ = '\0';
	len = net_addr(a, buf, port);
	if (scope == NULL || len == 0)
		return len;
	if (a->sa.sa_family != AF_INET6 || *scope == '\0' || strlen(scope) >= IF_NAMESIZE)
		return 0;
	s = scope;
	if (*s < '0' || *s > '9') {
		fmt(path, sizeof path, "/sys/class/net/%s/ifindex", scope);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		r = fd >= 0 ? read(fd, buf, 15) : -1;
		if (fd >= 0)
			close(fd);
		buf[r > 0 ? r : 0] = '\0';
		s = buf;
	}
	for (; *s >= '0' && *s <= '9' && id < 0xffffff; s++)
		id = id * 10 + (*s - '0');
	if (id == 0 || (*s != '\0' && *s != '\n'))
		return 0;
	a->sin6.sin6_scope_id = id;
	return len;
}

/* /etc/hosts: "address name alias...". */
static socklen_t
hosts_line(const char *p, const char *end, void *arg)
{
	struct want *w = arg;
	const char *addr, *name;
	size_t alen = word(&p, end, &addr), n, want = strlen(w->name);

	if (alen == 0)
		return 0;
	while ((n = word(&p, end, &name)) > 0)
		if (n == want && memcmp(name, w->name, n) == 0)
			return literal(addr, alen, w->port, w->a);
	return 0;
}

/* /etc/resolv.conf: the first nameserver; the last search or domain line. */
static socklen_t
resolv_line(const char *p, const char *end, void *arg)
{
	const char *key, *val;
	size_t k = word(&p, end, &key), n = word(&p, end, &val);

	(void)arg;
	if (k == 10 && memcmp(key, "nameserver", 10) == 0 && nslen == 0)
		nslen = literal(val, n, 53, &ns);
	if (k == 6 && (memcmp(key, "search", 6) == 0 || memcmp(key, "domain", 6) == 0) &&
	    (size_t)(end - val) < sizeof search) {
		memcpy(search, val, end - val);
		search[end - val] = '\0';
	}
	return 0;
}

/* ---- DNS ------------------------------------------------------------------ */

/* A question for name (without a final dot); 0 if a label is empty or too long. */
static size_t
question(unsigned char *q, const char *name, unsigned id, int type)
{
	unsigned char *p = q + 12, *label;

	memset(q, 0, 12);
	q[0] = id >> 8;
	q[1] = id;
	q[2] = 1;		/* recursion desired */
	q[5] = 1;		/* one question */
	do {
		label = p++;
		while (*name != '\0' && *name != '.')
			*p++ = *name++;
		if (p - label - 1 < 1 || p - label - 1 > 63)
			return 0;
		*label = p - label - 1;
	} while (*name++ != '\0');
	memcpy(p, "\0\0\0\0\1", 5);	/* root, type, class IN */
	p[2] = type;
	return p + 5 - q;
}

/* Skips a name in a message; the offset after it, or 0. */
static size_t
skip_name(const unsigned char *m, size_t len, size_t i)
{
	while (i < len) {
		if (m[i] == 0)
			return i + 1;
		if (m[i] >= 0xc0)
			return i + 2;
		i += m[i] + 1;
	}
	return 0;
}

/* The first record of type in the answers of m (one question), as an address. */
static socklen_t
parse(const unsigned char *m, size_t len, int type, union net_addr *a, unsigned port)
{
	size_t i = skip_name(m, len, 12), an, rd, n = type == DNS_A ? 4 : 16;
	socklen_t alen;

	for (i += 4, an = m[6] << 8 | m[7]; an > 0 && i > 4; an--) {
		i = skip_name(m, len, i);
		if (i == 0 || i + 10 > len)
			break;
		rd = m[i + 8] << 8 | m[i + 9];
		if ((m[i] << 8 | m[i + 1]) == type && rd == n && i + 10 + n <= len) {
			alen = net_addr(a, type == DNS_A ? "0.0.0.0" : "::", port);
			memcpy(type == DNS_A ? (void *)&a->sin.sin_addr :
			    (void *)&a->sin6.sin6_addr, m + i + 10, n);
			return alen;
		}
		i += 10 + rd;
	}
	return 0;
}

/*
 * Asks the nameserver for name's A and AAAA records, both at once, again
 * each second without an answer. The address (A before AAAA) into w->a;
 * 0 with *why set if there is none.
 */
static socklen_t
ask(const char *name, struct want *w, const char **why)
{
	static const int types[2] = { DNS_A, DNS_AAAA };
	unsigned char q[2][12 + 256 + 5], m[512];
	union net_addr got[2];
	socklen_t len[2] = { 0, 0 };
	size_t qlen[2];
	int rcode[2] = { -1, -1 }, k, tries;
	unsigned id = (unsigned)mono_us() & 0xfffe;	/* A asks as id, AAAA as id + 1 */
	struct pollfd p[2] = { { .fd = -1, .events = POLLIN } };
	ssize_t n;

	*why = NOT_FOUND;
	for (k = 0; k < 2; k++)
		if ((qlen[k] = question(q[k], name, id + k, types[k])) == 0)
			return 0;
	*why = NO_ANSWER;
	p[0].fd = socket(ns.sa.sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (p[0].fd < 0 || connect(p[0].fd, &ns.sa, nslen) < 0)
		tries = ASK_SECONDS;
	else
		tries = 0;
	for (; tries < ASK_SECONDS && (rcode[0] < 0 || rcode[1] < 0); tries++) {
		unsigned long long until = mono_us() + 1000000;

		for (k = 0; k < 2; k++)
			if (rcode[k] < 0)
				(void)send(p[0].fd, q[k], qlen[k], MSG_NOSIGNAL);
		while ((rcode[0] < 0 || rcode[1] < 0) && sess_poll(w->p, p, 1, until) > 0) {
			n = recv(p[0].fd, m, sizeof m, MSG_DONTWAIT);
			if (n < 0 && errno == ECONNREFUSED)
				tries = ASK_SECONDS;	/* nothing listens there */
			if (n < 0)
				break;
			k = (m[0] << 8 | m[1]) - id;
			if (n < 12 || !(m[2] & 0x80) || (k != 0 && k != 1) || rcode[k] >= 0)
				continue;
			rcode[k] = m[3] & 15;
			if (rcode[k] == 0)
				len[k] = parse(m, n, types[k], &got[k], w->port);
		}
	}
	if (p[0].fd >= 0)
		close(p[0].fd);
	for (k = 0; k < 2; k++)
		if (len[k] > 0) {
			*w->a = got[k];
			return len[k];
		}
	/* No such name, or no address for it: both said so (musl: EAI_NONAME). */
	if ((rcode[0] == 0 || rcode[0] == 3) && (rcode[1] == 0 || rcode[1] == 3))
		*why = NOT_FOUND;
	return 0;
}

/* DNS, with the search domains first for a name without a dot. */
static socklen_t
dns(const char *name, struct want *w, const char **why)
{
	char fq[256];
	const char *p = search, *d;
	size_t n = strlen(name), dl;
	socklen_t len;

	nslen = 0;
	search[0] = '\0';
	each_line("/etc/resolv.conf", resolv_line, NULL);
	if (nslen == 0)
		nslen = net_addr(&ns, "127.0.0.1", 53);
	*why = NOT_FOUND;
	if (n == 0 || n > 253)
		return 0;
	memcpy(fq, name, n + 1);
	if (name[n - 1] == '.') {	/* fully qualified: as it is */
		fq[n - 1] = '\0';
		return ask(fq, w, why);
	}
	if (strchr(name, '.') == NULL)
		while ((dl = word(&p, search + strlen(search), &d)) > 0) {
			if (n + 1 + dl > 253)
				continue;
			fq[n] = '.';
			memcpy(fq + n + 1, d, dl);
			fq[n + 1 + dl] = '\0';
			if ((len = ask(fq, w, why)) > 0 || *why == NO_ANSWER)
				return len;
		}
	fq[n] = '\0';
	return ask(fq, w, why);
}

socklen_t
resolve_host(struct probe *p, union net_addr *a, const char **why)
{
	struct want w = { p, p->o.host, p->o.port, a };
	socklen_t len;

	*why = NOT_FOUND;
	if ((len = literal(w.name, strlen(w.name), w.port, a)) > 0 ||
	    (len = each_line("/etc/hosts", hosts_line, &w)) > 0)
		return len;
	return dns(w.name, &w, why);
}
