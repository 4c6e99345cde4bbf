/*
 * main.c: echoprobe, echod's diagnostic client and load generator: the
 * options (args.c), the signals that stop a run, one mode (ping: ping.c;
 * rate, stream: load.c), and the exit code, which only main picks: the
 * code the mode returned, with the message of the run's first failure.
 */
#include <signal.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "probe.h"
#include "tz.h"

static struct probe run;	/* static: its 128 KiB of buffers stay off the stack */

static void
on_stop(int sig)
{
	(void)sig;
	run.stop = 1;
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	struct probe *p = &run;
	int code;

	log_open("echoprobe", LOG_TO_STDERR, 0);
	args_parse(&p->o, argc, argv);
	p->dscp_back = -1;
	tz_init();
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
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
		log_warn("%s", p->err.msg);
	return code;
}
