/*
 * server.c: the book's dispatcher, hardened. One process waits in poll(2)
 * on the listeners and a signalfd: SIGCHLD, SIGTERM, SIGINT and SIGUSR1
 * stay blocked and are read as data, so there is no handler, no race
 * between "no child exited" and going to sleep, and no EINTR. It forks one
 * child per connection and keeps nothing per connection but a slot in a
 * fixed table.
 *
 * Everything the parent changes while serving lives in one MAP_SHARED
 * mapping. After fork() every private page the parent writes is copied
 * (a page fault and 4 KiB, on the accept path), and the child's original
 * then counts as the child's private memory; a shared page is never copied.
 * So per connection the parent dirties only its stack, as the smallest
 * fork server does.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "echo.h"
#include "file.h"
#include "log.h"
#include "mono.h"
#include "net.h"
#include "ratelimit.h"
#include "server.h"
#include "udp.h"

#define BACKOFF_MS 1000
#define REAP_IDLE_MS 100	/* the longest an ended child waits to be reaped */

struct slot {
	pid_t pid;		/* 0: free */
	int done;		/* set by the child before its exit closes the connection */
	union net_addr peer;
	struct echo_count count;	/* written by the child as it echoes */
};

struct state {
	unsigned long long accepted, refused, forkfail, bytes_in, bytes_out;
	unsigned backoff_until;	/* no accept before this (mono_ms() mod 2^32), 0: none */
	struct udp_count udp;
	struct log_drops log;	/* the parent's and every child's */
	unsigned nchildren;
	int backoff_logged;
	int want_exit, want_stats;
	unsigned long unread;	/* SIGBIT(SIGCHLD) while the signalfd leaves it pending (0 at start) */
	struct slot slot[];	/* opt->maxchild of them */
};

extern char _end[];	/* the end of .bss, from the linker */

/* The parent's own variables, in one object: one base address for them all. */
static struct {
	const struct opts *opt;
	struct echo_conf conf;
	const struct server_listeners *ls;
	int sig_fd;
	struct state *st;
	struct log_limit refused_lines;	/* a client can repeat these at will */
} sv;

static void
setup_signals(void)
{
	sigset_t sigs;

	server_sigset(&sigs, SIGBIT(SIGCHLD) | SIGBIT(SIGTERM) | SIGBIT(SIGINT) | SIGBIT(SIGUSR1));
	server_sigmask(SIG_BLOCK, &sigs, NULL);
	/* The system call itself: libc's falls back to signalfd() for kernels before 2.6.27. */
	sv.sig_fd = syscall(SYS_signalfd4, -1, &sigs, _NSIG / 8, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sv.sig_fd < 0)
		log_die(71, "signalfd: %m");
}

/*
 * Whether a child's exit wakes the parent. Under load it need not: the
 * parent reaps after serving whatever woke it, so an exit costs no wakeup
 * and no read of the signalfd of its own (clients connecting one after
 * another: 1.44 sleeps in poll per connection before, 1.00 after, as the
 * minimal fork loop; the parent's CPU time per connection 20% less).
 * SIGCHLD then stays pending, blocked and unread. An exit must wake the
 * parent while stopping, and once poll has found nothing to do for
 * REAP_IDLE_MS (so also at -c, where only an exit makes room), so no child
 * stays unreaped and unlogged: the SIGCHLD left pending by an exit not yet
 * reaped then wakes poll at once. One call, made only on these turns; it
 * cannot fail (our signalfd, a valid mask).
 */
static void
chld_unread(unsigned long unread)
{
	unsigned long m[_NSIG / 8 / sizeof(long)] = {
		(SIGBIT(SIGCHLD) | SIGBIT(SIGTERM) | SIGBIT(SIGINT) | SIGBIT(SIGUSR1)) ^ unread };

	if (sv.st->unread != unread) {
		sv.st->unread = unread;
		syscall(SYS_signalfd4, sv.sig_fd, m, sizeof m, 0);
	}
}

/*
 * fork(2) as the kernel does it. libc's fork() blocks signals around the
 * call, asks the kernel for the child's tid and resets its thread-list
 * state in the child: three system calls and writes that cost every child
 * private pages. echod has one thread and its children use nothing that
 * depends on that state (no threads, no stdio, no raise()). Without
 * CLONE_VM the argument order of clone does not matter here.
 */
static pid_t
fork_child(void)
{
	return syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
}

static void
close_listeners(void)
{
	unsigned i;

	for (i = 0; i < sv.ls->n; i++)
		close(sv.ls->fd[i]);
}

static void
child_main(int fd, struct slot *s)
{
	sigset_t sigs;
	int r;

	/* The signalfd stays open: it would read this process's signals, and is never read. */
	close_listeners();
	/*
	 * Children stop on SIGTERM/SIGINT; SIGUSR1 stays blocked, so a stray
	 * `killall -USR1 echod` cannot kill them.
	 */
	server_sigset(&sigs, SIGBIT(SIGCHLD) | SIGBIT(SIGTERM) | SIGBIT(SIGINT));
	server_sigmask(SIG_UNBLOCK, &sigs, NULL);
	r = echo_session(fd, fd, &s->peer, &sv.conf, &s->count);
	/*
	 * The connection closes only in _exit(), so a client that has seen the
	 * end and connects again finds this set, though we may not have reaped.
	 */
	s->done = 1;
	_exit(r);
}

static unsigned
count_from(const union net_addr *peer)
{
	unsigned i, n = 0;

	for (i = 0; i < sv.opt->maxchild; i++)
		if (sv.st->slot[i].pid != 0 && !sv.st->slot[i].done &&
		    net_same_host(&sv.st->slot[i].peer, peer, sv.opt->prefix ? sv.opt->prefix : 64))
			n++;
	return n;
}

/* The slot of child pid; pid 0: a free one. NULL: none. */
static struct slot *
find_child(pid_t pid)
{
	unsigned i;

	for (i = 0; i < sv.opt->maxchild; i++)
		if (sv.st->slot[i].pid == pid)
			return &sv.st->slot[i];
	return NULL;
}

static void reap(void);

/* -C: a child killed by a signal set no done flag, so reap before counting. */
static int
over_limit(const union net_addr *peer)
{
	reap();
	return count_from(peer) >= sv.opt->perhost;
}

static void
spawn(int fd, const union net_addr *peer)
{
	struct slot *s = find_child(0);	/* one is free: we accept only below the limit */
	pid_t pid;

	if (s == NULL) {	/* never; kept so a broken count cannot overrun the table */
		close(fd);
		return;
	}
	s->peer = *peer;
	s->done = 0;
	s->count.in = s->count.out = 0;
	pid = fork_child();
	if (pid == 0)
		child_main(fd, s);
	if (pid < 0) {
		sv.st->forkfail++;
		log_warn("fork for %P: %m; connection dropped", &peer->sa);
	} else {
		s->pid = pid;
		sv.st->nchildren++;
	}
	close(fd);
}

/*
 * Deadlines in milliseconds mod 2^32, which is 49 days: ours are seconds
 * away, and 32-bit targets need no 64-bit compares.
 */
static unsigned
ms_from_now(unsigned ms)
{
	return (unsigned)mono_ms() + ms;
}

/* Milliseconds left until deadline, 0 or less once it has come. */
static int
ms_until(unsigned deadline)
{
	return (int)(deadline - (unsigned)mono_ms());
}

/* accept(2) failed: transient errors are retried, resource shortages back off. */
static void
accept_failed(void)
{
	switch (errno) {
	case EAGAIN:
#if EWOULDBLOCK != EAGAIN
	case EWOULDBLOCK:
#endif
	case EINTR:
	case ECONNABORTED:
	case EPROTO:
	case ENETDOWN:
	case ENETUNREACH:
	case EHOSTDOWN:
	case EHOSTUNREACH:
	case ENONET:
	case ENOPROTOOPT:
	case EOPNOTSUPP:
		return;
	}
	/* EMFILE, ENFILE, ENOBUFS, ENOMEM: wait for resources, never spin. */
	if (!sv.st->backoff_logged)
		log_warn("accept: %m; pausing new connections");
	sv.st->backoff_logged = 1;
	sv.st->backoff_until = ms_from_now(BACKOFF_MS) | 1;	/* never 0 */
}

/*
 * One connection per wakeup. Trying accept() again until EAGAIN would save
 * a poll() under heavy load, but costs a failed call (and an errno write,
 * a private page) after every fork at light load.
 */
static void
accept_one(int tcp_fd)
{
	union net_addr peer;
	socklen_t len = sizeof peer;
	int fd;

	/* The system call itself: libc's falls back to accept() and fcntl() for old kernels. */
	fd = syscall(SYS_accept4, tcp_fd, &peer.sa, &len, SOCK_CLOEXEC);
	if (fd < 0) {
		accept_failed();
		return;
	}
	sv.st->backoff_logged = 0;
	sv.st->accepted++;
	if (sv.opt->perhost > 0 && over_limit(&peer)) {
		sv.st->refused++;
		if (log_conn_enabled() && log_limit(&sv.refused_lines, "connections refused by -C"))
			log_conn("Refused %P: %u connections from this address already",
			    &peer.sa, sv.opt->perhost);
		close(fd);
		return;
	}
	spawn(fd, &peer);
}

/*
 * Stops at "none exited yet", or without a call when no child is left:
 * the accept path reaps after every turn, mostly with nothing to reap.
 * waitpid() is wait4 in every libc; the system call is less code.
 */
static void
reap(void)
{
	struct slot *s;
	pid_t pid;
	int status;

	while (sv.st->nchildren > 0 &&
	    (pid = syscall(SYS_wait4, -1, &status, WNOHANG, NULL)) > 0) {
		if ((s = find_child(pid)) == NULL)
			continue;
		sv.st->bytes_in += s->count.in;
		sv.st->bytes_out += s->count.out;
		/* 1: a connection error, logged by the child. One call for both lines. */
		if (WIFSIGNALED(status) || WEXITSTATUS(status) > 1)
			log_warn(WIFSIGNALED(status) ? "child %d serving %P killed by signal %d" :
			    "child %d serving %P exited with status %d", (int)pid, &s->peer.sa,
			    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		s->pid = 0;
		sv.st->nchildren--;
	}
}

/* The signalfd is readable: act on one signal. */
static void
take_signals(void)
{
	struct signalfd_siginfo si;

	/*
	 * One signal a turn: poll finds the next still pending. The read can
	 * still find nothing (EAGAIN) when SIGCHLD, which made the fd readable,
	 * has left the mask since: then si holds nothing to act on.
	 */
	if (read(sv.sig_fd, &si, sizeof si) != (ssize_t)sizeof si)
		return;
	if (si.ssi_signo == SIGUSR1)
		sv.st->want_stats = 1;
	else if (si.ssi_signo != SIGCHLD)
		sv.st->want_exit = 1;
}

static void
log_stats(void)
{
	unsigned long long in = sv.st->bytes_in, out = sv.st->bytes_out;
	unsigned i;

	sv.st->want_stats = 0;
	for (i = 0; i < sv.opt->maxchild; i++)
		if (sv.st->slot[i].pid != 0) {
			in += sv.st->slot[i].count.in;
			out += sv.st->slot[i].count.out;
		}
	log_info("stats: %llu accepted, %u active, %llu refused, %llu fork failed, "
	    "tcp %llu bytes in, %llu out; udp %llu bytes in, %llu out, %llu dropped; "
	    "%lu log lines dropped",
	    sv.st->accepted, sv.st->nchildren, sv.st->refused, sv.st->forkfail, in, out,
	    sv.st->udp.in, sv.st->udp.out, sv.st->udp.dropped, sv.st->log.total);
}

/* Whether a TCP listener may be accepted from now: not stopping, below -c, no backoff. */
static int
may_accept(void)
{
	return !sv.st->want_exit && sv.st->nchildren < sv.opt->maxchild && sv.st->backoff_until == 0;
}

/*
 * One turn of the loop: wait for a listener or a signal, then serve. p[1 + i]
 * is sv.ls->fd[i]; a TCP listener we may not accept from now gets fd -1, which
 * poll(2) skips.
 */
static void
serve_once(void)
{
	struct pollfd p[1 + SERVER_LISTEN_MAX];
	unsigned i;
	int timeout = -1, r;

	p[0] = (struct pollfd){ .fd = sv.sig_fd, .events = POLLIN };
	if (sv.st->backoff_until != 0 && (timeout = ms_until(sv.st->backoff_until)) <= 0) {
		timeout = -1;
		sv.st->backoff_until = 0;
	}
	if (sv.st->unread)
		timeout = REAP_IDLE_MS;	/* sooner than a backoff's end does no harm */
	for (i = 0; i < sv.ls->n; i++)
		p[1 + i] = (struct pollfd){ .events = POLLIN,
		    .fd = sv.ls->udp >> i & 1 || may_accept() ? sv.ls->fd[i] : -1 };
	r = poll(p, 1 + sv.ls->n, timeout);
	if (r <= 0) {	/* quiet, at -c, the backoff ran out, or a stop signal such as SIGCONT */
		chld_unread(0);	/* an exit must wake us now */
		return;
	}
	if (p[0].revents != 0)
		take_signals();
	else
		chld_unread(SIGBIT(SIGCHLD));	/* traffic: reap after serving it */
	/* Each ready listener in turn; one accept may reach -c, so ask again each time. */
	for (i = 0; i < sv.ls->n; i++) {
		if (p[1 + i].revents == 0)
			continue;
		if (sv.ls->udp >> i & 1)
			udp_serve(sv.ls->fd[i], sv.opt->mode, &sv.st->udp);
		else if (may_accept())
			accept_one(sv.ls->fd[i]);
	}
	reap();	/* the children ended since: after the fork, not before it */
}

/* Children get ECHOD_GRACE seconds to finish, then SIGTERM, then SIGKILL. */
static void
shut_down(void)
{
	unsigned deadline = ms_from_now(ECHOD_GRACE * 1000);
	int left;
	struct pollfd p = { .fd = sv.sig_fd, .events = POLLIN };
	unsigned i;
	int sig = SIGTERM;

	close_listeners();
	chld_unread(0);
	log_info("stopping, %u connections to finish", sv.st->nchildren);
	for (;;) {
		reap();
		if (sv.st->nchildren == 0)
			break;
		if ((left = ms_until(deadline)) <= 0) {
			for (i = 0; i < sv.opt->maxchild; i++)
				if (sv.st->slot[i].pid != 0)
					syscall(SYS_kill, sv.st->slot[i].pid, sig);	/* libc's is a wrapper */
			sig = SIGKILL;
			deadline = ms_from_now(1000);
			left = 1000;
		}
		if (poll(&p, 1, left) > 0)
			take_signals();
	}
}

int
server_run(const struct server_listeners *l, const struct opts *o)
{
	sv.opt = o;
	sv.ls = l;
	sv.conf.mode = o->mode;
	sv.conf.idle = o->idle;
	sv.conf.delay = o->delay;
	/* On the listener (net_listen), not two setsockopt() calls in every child (activate.c says when not). */
	sv.conf.timeouts_set = l->timeouts_set;
	ratelimit_init(o->rate, o->burst != 0 ? o->burst : o->rate);
	/*
	 * Where the kernel can, 64 to 128 KiB past the end of .bss, on a 64 KiB
	 * boundary (a page boundary for every page size: valgrind refuses an
	 * unaligned hint with EINVAL, which Linux rounds up): in the few MiB
	 * whose page tables the program's data already has (a 2 MiB block on
	 * x86_64 and arm64 with 4 KiB pages), with an unmapped gap between.
	 * Left to the kernel, the map goes next to the vDSO, whose page tables
	 * fork then copies too: every child allocated, zeroed and freed two
	 * table pages more than the minimal fork loop's (VmPTE 32 KiB against
	 * 24; tests/bench/analysis.md). A hint, never MAP_FIXED: if the place
	 * is taken, the map goes anywhere, as before.
	 */
	sv.st = (void *)syscall(FILE_SYS_MMAP, (long)(((unsigned long)_end + 0x1ffff) & ~0xffffUL),
	    (long)(sizeof *sv.st + o->maxchild * sizeof sv.st->slot[0]),
	    (long)(PROT_READ | PROT_WRITE), (long)(MAP_SHARED | MAP_ANONYMOUS), -1L, 0L);
	if (sv.st == MAP_FAILED)
		log_die(71, "mmap: %m");
	sv.st->log = *log_drops;	/* the listening line may have been dropped already */
	log_drops = &sv.st->log;
	setup_signals();
	while (!sv.st->want_exit) {
		if (sv.st->want_stats)
			log_stats();
		serve_once();
	}
	shut_down();
	log_stats();
	return 0;
}
