/*
 * pmtu.c: the path MTU (-M). Datagrams go out with don't-fragment set
 * (IP_PMTUDISC_DO), and a binary search between the smallest probe and
 * what the route allows finds the largest payload that comes back. An
 * ICMP "fragmentation needed" lowers the route's MTU (read with IP_MTU),
 * which bounds the search at once; a size that goes unanswered three
 * times while the route still allows it is a black hole, told apart
 * from loss by the smaller sizes that were answered, before and after.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "mono.h"
#include "probe.h"

#define PMTU_TRIES 3
#define PMTU_STEPS 24	/* a binary search over 64 KiB needs 17 */

struct pmtu {
	int fd, v6, icmp, hole;
	unsigned long tok, id, sent, answered;
	size_t hdr, lo, hi;
};

/* The route's MTU as the kernel knows it now (interface, or ICMP's). */
static size_t
route_mtu(const struct pmtu *m)
{
	int v = 0;
	socklen_t len = sizeof v;

	if (getsockopt(m->fd, m->v6 ? IPPROTO_IPV6 : IPPROTO_IP, m->v6 ? IPV6_MTU : IP_MTU,
	    &v, &len) < 0 || v <= (int)m->hdr)
		return 65535;
	return (size_t)v;
}

/* Waits for an answer to the tries from first on; 1, 0 none, -2 too big, -1 error. */
static int
pmtu_wait(struct probe *p, struct pmtu *m, size_t size, unsigned long first)
{
	struct pollfd pfd[2] = { { .fd = m->fd, .events = POLLIN } };
	unsigned long long until = mono_us() + p->o.timeout_us, ts;
	unsigned long seq;
	ssize_t n;

	for (;;) {
		pfd[0].revents = 0;
		if (sess_poll(p, pfd, 1, until) <= 0)
			return 0;
		if ((n = sess_recv(p, m->fd)) < 0) {
			if (errno == EMSGSIZE)
				return -2;
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return sess_oserr(p, &p->err, "");
		}
		if (flow_head_get(p, p->rbuf, (size_t)n, size, m->tok, &seq, &ts) == 0 &&
		    seq >= first && seq < m->id)
			return 1;
	}
}

/* Up to PMTU_TRIES datagrams of size bytes: 1 answered, 0 not, -2 too big, -1 error. */
static int
pmtu_probe(struct probe *p, struct pmtu *m, size_t size)
{
	unsigned long first = m->id;
	int i, r = 0;

	for (i = 0; i < PMTU_TRIES && r == 0 && !p->stop; i++) {
		memset(p->sbuf, '.', size);
		flow_head_put(p->sbuf, m->tok, m->id++, mono_us());
		if (send(m->fd, p->sbuf, size, 0) < 0) {
			if (errno == EMSGSIZE)
				return -2;
			if (errno == EINTR || errno == ENOBUFS)
				continue;
			return sess_oserr(p, &p->err, "send to ");
		}
		m->sent++;
		r = pmtu_wait(p, m, size, first);
	}
	m->answered += r == 1;
	return r;
}

/* The search; -1 on an error (p->err set). */
static int
pmtu_search(struct probe *p, struct pmtu *m)
{
	size_t mid, r_mtu;
	int i, r;

	for (i = 0; i < PMTU_STEPS && m->lo < m->hi && !p->stop; i++) {
		mid = m->lo + (m->hi - m->lo + 1) / 2;
		if ((r = pmtu_probe(p, m, mid)) == -1)
			return -1;
		r_mtu = route_mtu(m);
		if (r_mtu - m->hdr < m->hi) {	/* ICMP said: too big */
			m->hi = r_mtu - m->hdr;
			m->icmp = 1;
			if (mid > m->hi)
				continue;
		}
		if (r == 1)
			m->lo = mid;
		else {
			m->hi = mid - 1;
			m->hole |= r == 0;
		}
	}
	return 0;
}

static void
pmtu_put(struct probe *p, const struct pmtu *m, size_t r_mtu, int code)
{
	if (p->o.json) {
		out_json_head(p, "pmtu");
		out_put("\"payload\":%lu,\"mtu\":%lu,\"route_mtu\":%lu,\"icmp\":%s,"
		    "\"black_hole\":%s,\"probes\":%lu,\"answered\":%lu,",
		    (unsigned long)m->lo, (unsigned long)(m->lo + m->hdr), (unsigned long)r_mtu,
		    m->icmp ? "true" : "false", m->hole ? "true" : "false", m->sent, m->answered);
		out_dscp(p);
		out_json_tail(p, code);
	} else if (m->answered) {
		out_put("--- %s port %u path MTU, udp %s, don't fragment ---\n", p->o.host,
		    p->o.port, p->o.reply);
		out_put("largest payload echoed %lu bytes: path MTU %lu (+%lu bytes of IPv%c and UDP headers)\n",
		    (unsigned long)m->lo, (unsigned long)(m->lo + m->hdr), (unsigned long)m->hdr,
		    m->v6 ? '6' : '4');
		if (m->hole)
			out_put("black hole: datagrams above %lu bytes vanish without an ICMP error "
			    "(the route allows %lu)\n", (unsigned long)m->lo, (unsigned long)r_mtu);
		else if (m->icmp)
			out_put("the path said so: ICMP fragmentation needed, MTU %lu\n",
			    (unsigned long)r_mtu);
		else
			out_put("as the route says: MTU %lu (its interface's, or an ICMP's from before)\n",
			    (unsigned long)r_mtu);
		out_put("%lu probes sent, %lu sizes answered\n", m->sent, m->answered);
		out_dscp(p);
	}
	out_flush();
}

int
pmtu_run(struct probe *p)
{
	static const int pmtu_do = IP_PMTUDISC_DO, pmtu6_do = IPV6_PMTUDISC_DO;
	struct pmtu m;
	size_t r_mtu = 0;
	int code;

	memset(&m, 0, sizeof m);
	m.v6 = p->addr.sa.sa_family == AF_INET6;
	m.hdr = m.v6 ? 48 : 28;
	m.tok = (unsigned long)(mono_us() ^ (unsigned long long)getpid() << 16) & 0xffffffffUL;
	if ((m.fd = sess_connect(p, SOCK_DGRAM, &p->err)) < 0)
		goto done;
	if (setsockopt(m.fd, m.v6 ? IPPROTO_IPV6 : IPPROTO_IP, m.v6 ? IPV6_MTU_DISCOVER :
	    IP_MTU_DISCOVER, m.v6 ? &pmtu6_do : &pmtu_do, sizeof(int)) < 0) {
		out_fail(&p->err, EX_OSERR, "don't fragment: %m");
		goto done;
	}
	m.lo = FLOW_HEAD;
	r_mtu = route_mtu(&m);
	m.hi = r_mtu - m.hdr > NET_UDP_MAX ? NET_UDP_MAX : r_mtu - m.hdr;
	if (pmtu_probe(p, &m, m.lo) != 1) {
		out_fail(&p->err, EX_TEMPFAIL, "%s port %u: no reply even to %lu-byte datagrams: "
		    "loss, or no echo service", p->hoststr, p->o.port, (unsigned long)m.lo);
		goto done;
	}
	if (pmtu_search(p, &m) < 0)
		goto done;
	r_mtu = route_mtu(&m);
	/* Unanswered sizes the route allows: a black hole only if the found size still answers. */
	if (m.hole && m.lo + m.hdr < r_mtu) {
		if (pmtu_probe(p, &m, m.lo) != 1)
			out_fail(&p->err, EX_SOMEFAILED, "%s port %u: %lu-byte datagrams answered, then "
			    "not: loss, not the MTU", p->hoststr, p->o.port, (unsigned long)m.lo);
		else
			out_fail(&p->err, EX_SOMEFAILED, "black hole: datagrams above %lu bytes get "
			    "no reply and no ICMP error", (unsigned long)m.lo);
	} else
		m.hole = 0;
done:
	code = p->err.code;
	if (m.fd > 0)
		close(m.fd);
	pmtu_put(p, &m, r_mtu, code);
	return code;
}
