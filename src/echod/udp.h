/*
 * udp.h: UDP echo, served by the parent itself: one datagram in, one out.
 */
#ifndef ECHOD_UDP_H
#define ECHOD_UDP_H

struct udp_count {
	unsigned long long in, out, dropped;
};

/*
 * Answers the datagrams waiting on fd (at most a burst, so TCP accepts
 * are not starved), never blocking. mode is MODE_CLASSIC or MODE_RAW.
 */
void udp_serve(int fd, int mode, struct udp_count *count);

#endif
