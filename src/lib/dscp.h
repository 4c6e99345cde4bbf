/*
 * dscp.h: DiffServ code points: names (RFC 4594's cs0..cs7, af11..af43,
 * ef; va, RFC 5865; le, RFC 8622) and numbers, marking a socket, and
 * reading the mark a datagram arrived with (IP_RECVTOS, IPV6_RECVTCLASS).
 */
#ifndef ECHOD_DSCP_H
#define ECHOD_DSCP_H

#include <stddef.h>
#include <sys/types.h>

#include "net.h"

/* A name or a number 0..63 into the code point; -1 if neither. */
int dscp_parse(const char *s);
/* The code point's name ("af41"), or its number; out has 8 bytes. */
const char *dscp_name(int dscp, char *out);
/* Marks what fd sends (IPv4, and IPv6 with its IPv4-mapped peers); 0 or -1. */
int dscp_set(int fd, int family, int dscp);
/* Asks for the mark of every datagram fd receives; 0 or -1. */
int dscp_recv_on(int fd, int family);
/*
 * recvfrom(2) with the received mark in *dscp (-1 when the kernel gave
 * none); from may be NULL on a connected socket.
 */
ssize_t dscp_recvfrom(int fd, void *buf, size_t cap, union net_addr *from,
    socklen_t *fromlen, int *dscp);

#endif
