/*
 * main.c: echoprobe, echod's diagnostic client and load generator: the
 * options (args.c), the signals that stop a run, one mode (ping: ping.c;
 * rate, stream: load.c), and the exit code, which only main picks: the
 * code the mode returned, with the message of the run's first failure.
 */
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sysexits.h>
#include <unistd.h>

#include "probe.h"
#include "tz.h"

static struct probe run;	/* static: its 128 KiB of buffers stay off the stack */

/* A signal set as the kernel reads it, a bit per signal: no sigaddset. */
static void
bits_set(sigset_t *s, unsigned long bits)
{
	memset(s, 0, sizeof *s);
	memcpy(s, &bits, sizeof bits);
}

#define SIGBIT(sig) (1UL << ((sig) - 1))

/*
 * SIGINT and SIGTERM blocked and read through a signalfd that every poll
 * watches (sess_poll), SIGPIPE blocked: no handler, so libc's sigaction
 * and its lock (0.7 KiB) are not linked. A signal that comes between
 * polls waits for the next one. signalfd4 itself: libc's signalfd falls
 * back to signalfd() for kernels before 2.6.27.
 */
static void
stop_signals(struct probe *p)
{
	sigset_t s;

	bits_set(&s, SIGBIT(SIGINT) | SIGBIT(SIGTERM) | SIGBIT(SIGPIPE));
	sigprocmask(SIG_BLOCK, &s, NULL);
	bits_set(&s, SIGBIT(SIGINT) | SIGBIT(SIGTERM));
	if ((p->sigfd = syscall(SYS_signalfd4, -1, &s, _NSIG / 8, SFD_NONBLOCK | SFD_CLOEXEC)) < 0)
		out_die(EX_OSERR, "signalfd: %m");
}

int
main(int argc, char **argv)
{
	struct probe *p = &run;
	int code;

	args_parse(&p->o, argc, argv);
	p->dscp_back = -1;
	tz_init();
	stop_signals(p);
	sess_resolve(p);
	if (p->o.mode == PROBE_RATE)
		code = load_rate(p);
	else if (p->o.mode == PROBE_STREAM)
		code = load_stream(p);
	else if (p->o.mode == PROBE_FLOW)
		code = flow_run(p);
	else if (p->o.mode == PROBE_PMTU)
		code = pmtu_run(p);
	else if (p->o.udp)
		code = ping_udp(p);
	else
		code = ping_tcp(p);
	if (code != 0 && p->err.msg[0] != '\0')
		out_die(code, "%s", p->err.msg);	/* the exit code main would return */
	return code;
}
