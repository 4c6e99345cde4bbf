/*
 * server.c: the book's dispatcher, hardened. The parent waits in ppoll(2)
 * with SIGCHLD, SIGTERM, SIGINT and SIGUSR1 blocked everywhere else, so a
 * signal can only land inside the wait and is acted on right after it: no
 * race between "no child exited" and going to sleep. It forks one child per
 * connection and keeps nothing per connection but a slot in a fixed table.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "echo.h"
#include "log.h"
#include "net.h"
#include "server.h"
#include "udp.h"

#define BACKOFF_MS 1000

struct child {
	pid_t pid;		/* 0: free slot */
	union net_addr peer;
};

static volatile sig_atomic_t want_reap, want_exit, want_stats;

static const struct opts *opt;
static struct echo_conf conf;
static int tcp_fd = -1, udp_fd = -1;
static sigset_t wait_mask;	/* the mask while in ppoll: ours unblocked */

static struct child children[ECHOD_CHILD_LIMIT];
static struct echo_count *live;	/* shared with the children, one per slot */
static unsigned nchildren;
static unsigned long long n_accepted, n_refused, n_forkfail, bytes_in, bytes_out;
static struct udp_count udp_count;
static unsigned long long backoff_until;	/* no accept before this (ms) */
static int backoff_logged;

static void
on_signal(int sig)
{
	if (sig == SIGCHLD)
		want_reap = 1;
	else if (sig == SIGUSR1)
		want_stats = 1;
	else
		want_exit = 1;
}

static unsigned long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
setup_signals(void)
{
	static const int sigs[] = { SIGCHLD, SIGTERM, SIGINT, SIGUSR1 };
	struct sigaction sa;
	sigset_t block;
	size_t i;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&block);
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		sigaddset(&block, sigs[i]);
		sigaction(sigs[i], &sa, NULL);
	}
	sigprocmask(SIG_BLOCK, &block, &wait_mask);
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigdelset(&wait_mask, sigs[i]);
	/* A hang-up of the terminal that started us is no reason to stop. */
	signal(SIGHUP, SIG_IGN);
}

/*
 * A child stops on SIGTERM/SIGINT (the parent's shutdown relies on it). The
 * parent's SIGCHLD and SIGUSR1 handlers are harmless here (they set flags
 * nobody reads), so a stray `killall -USR1 echod` does not kill children,
 * and leaving them saves system calls on every connection.
 */
static void
child_main(int fd, int slot)
{
	close(tcp_fd);
	if (udp_fd >= 0)
		close(udp_fd);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	sigprocmask(SIG_SETMASK, &wait_mask, NULL);
	_exit(echo_session(fd, fd, &children[slot].peer, &conf, &live[slot]));
}

/*
 * fork(2) as the kernel does it. libc's fork() blocks signals around the
 * call, asks the kernel for the child's tid and resets its thread-list
 * state in the child: three system calls and, above all, writes that cost
 * every child two private pages. echod has one thread and its children use
 * nothing that depends on that state (no threads, no stdio, no raise()).
 * Without CLONE_VM the argument order of clone does not matter here.
 */
static pid_t
fork_child(void)
{
	return syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
}

static int
free_slot(void)
{
	unsigned i;

	for (i = 0; i < opt->maxchild; i++)
		if (children[i].pid == 0)
			return i;
	return -1;	/* not reached: we accept only below the limit */
}

static unsigned
count_from(const union net_addr *peer)
{
	unsigned i, n = 0;

	for (i = 0; i < opt->maxchild; i++)
		if (children[i].pid != 0 && net_same_host(&children[i].peer, peer))
			n++;
	return n;
}

static void
spawn(int fd, const union net_addr *peer)
{
	int slot = free_slot();
	pid_t pid;

	children[slot].peer = *peer;
	live[slot].in = live[slot].out = 0;
	pid = fork_child();
	if (pid == 0)
		child_main(fd, slot);
	if (pid < 0) {
		n_forkfail++;
		log_warn("fork for %P: %m; connection dropped", &peer->sa);
	} else {
		children[slot].pid = pid;
		nchildren++;
	}
	close(fd);
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
	if (!backoff_logged)
		log_warn("accept: %m; pausing new connections");
	backoff_logged = 1;
	backoff_until = now_ms() + BACKOFF_MS;
}

/*
 * One connection per wakeup. Trying accept() again until EAGAIN would save
 * a ppoll() under heavy load, but costs a failed call and an errno write
 * after every fork at light load, and every page the parent writes while a
 * child lives becomes that child's private copy.
 */
static void
accept_one(void)
{
	union net_addr peer;
	socklen_t len = sizeof peer;
	int fd;

	fd = accept4(tcp_fd, &peer.sa, &len, SOCK_CLOEXEC);
	if (fd < 0) {
		accept_failed();
		return;
	}
	backoff_logged = 0;
	n_accepted++;
	if (opt->perhost > 0 && count_from(&peer) >= opt->perhost) {
		n_refused++;
		log_conn("Refused %P: %u connections from this address already",
		    &peer.sa, opt->perhost);
		close(fd);
		return;
	}
	spawn(fd, &peer);
}

static int
find_child(pid_t pid)
{
	unsigned i;

	for (i = 0; i < opt->maxchild; i++)
		if (children[i].pid == pid)
			return i;
	return -1;
}

static void
reap(void)
{
	pid_t pid;
	int st, slot;

	want_reap = 0;
	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		if ((slot = find_child(pid)) < 0)
			continue;
		bytes_in += live[slot].in;
		bytes_out += live[slot].out;
		if (WIFSIGNALED(st))
			log_warn("child %d serving %P killed by signal %d",
			    (int)pid, &children[slot].peer.sa, WTERMSIG(st));
		else if (WEXITSTATUS(st) > 1)	/* 1 is a connection error, logged by the child */
			log_warn("child %d serving %P exited with status %d",
			    (int)pid, &children[slot].peer.sa, WEXITSTATUS(st));
		children[slot].pid = 0;
		nchildren--;
	}
}

static void
log_stats(void)
{
	unsigned long long in = bytes_in, out = bytes_out;
	unsigned i;

	want_stats = 0;
	for (i = 0; i < opt->maxchild; i++)
		if (children[i].pid != 0) {
			in += live[i].in;
			out += live[i].out;
		}
	log_info("stats: %llu accepted, %u active, %llu refused, %llu fork failed, "
	    "tcp %llu bytes in, %llu out; udp %llu bytes in, %llu out, %llu dropped",
	    n_accepted, nchildren, n_refused, n_forkfail, in, out,
	    udp_count.in, udp_count.out, udp_count.dropped);
}

static int
ppoll_ms(struct pollfd *p, int n, long long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000 };

	return ppoll(p, n, ms < 0 ? NULL : &ts, &wait_mask);
}

/* One turn of the loop: wait for a listener or a signal, then serve. */
static void
serve_once(void)
{
	struct pollfd p[2];
	unsigned long long now = 0;
	long long timeout = -1;
	int n = 0, r, tcp_at = -1, udp_at = -1;

	if (backoff_until != 0 && (now = now_ms()) < backoff_until)
		timeout = backoff_until - now;
	else if (nchildren < opt->maxchild) {
		backoff_until = 0;
		p[n] = (struct pollfd){ .fd = tcp_fd, .events = POLLIN };
		tcp_at = n++;
	}
	if (udp_fd >= 0) {
		p[n] = (struct pollfd){ .fd = udp_fd, .events = POLLIN };
		udp_at = n++;
	}
	r = ppoll_ms(p, n, timeout);
	if (r < 0 && errno != EINTR)
		log_warn("ppoll: %m");
	if (r <= 0)
		return;
	if (udp_at >= 0 && p[udp_at].revents != 0)
		udp_serve(udp_fd, opt->mode, &udp_count);
	if (tcp_at >= 0 && p[tcp_at].revents != 0)
		accept_one();
}

/* Children get ECHOD_GRACE seconds to finish, then SIGTERM, then SIGKILL. */
static void
shut_down(void)
{
	unsigned long long deadline = now_ms() + ECHOD_GRACE * 1000;
	unsigned long long now;
	unsigned i;
	int sig = SIGTERM;

	close(tcp_fd);
	if (udp_fd >= 0)
		close(udp_fd);
	log_info("stopping, %u connections to finish", nchildren);
	for (;;) {
		reap();
		if (nchildren == 0)
			break;
		if ((now = now_ms()) >= deadline) {
			for (i = 0; i < opt->maxchild; i++)
				if (children[i].pid != 0)
					kill(children[i].pid, sig);
			sig = SIGKILL;
			deadline = now + 1000;
		}
		(void)ppoll_ms(NULL, 0, deadline - now);
	}
}

int
server_run(int tcp, int udp, const struct opts *o)
{
	opt = o;
	tcp_fd = tcp;
	udp_fd = udp;
	conf.mode = o->mode;
	conf.idle = o->idle;
	conf.delay = o->delay;
	/* Children publish their byte counts here; the parent adds them up. */
	live = mmap(NULL, o->maxchild * sizeof *live, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (live == MAP_FAILED)
		die(71, "mmap: %m");
	/*
	 * libc finds the vDSO's clock_gettime on the first call and stores the
	 * pointer: done here, once, instead of in every child, which would copy
	 * a data page to do it.
	 */
	(void)now_ms();
	setup_signals();
	while (!want_exit) {
		if (want_reap)
			reap();
		if (want_stats)
			log_stats();
		serve_once();
	}
	shut_down();
	log_stats();
	return 0;
}
