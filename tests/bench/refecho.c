/*
 * refecho.c: the benchmark's floor, a minimal fork-per-connection echo
 * server: accept, fork, read/write until EOF, nothing else (no limits, no
 * logging, no timeouts). SIGCHLD is ignored so the kernel reaps.
 * usage: refecho port   (binds 127.0.0.1; prints nothing)
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	char buf[16384];
	ssize_t n, w, o;
	int s, c, on = 1;

	if (argc != 2)
		return 64;
	a.sin_port = htons(atoi(argv[1]));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	signal(SIGCHLD, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0 ||
	    bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, 1024) < 0)
		return 71;
	for (;;) {
		if ((c = accept(s, NULL, NULL)) < 0)
			continue;
		if (fork() == 0) {
			close(s);
			while ((n = read(c, buf, sizeof buf)) > 0)
				for (o = 0; o < n; o += w)
					if ((w = write(c, buf + o, n - o)) <= 0)
						_exit(1);
			_exit(0);
		}
		close(c);
	}
}
