/*
 * errmsg.h: what strerror(3) says, in musl's words, for the errors echod and
 * echoprobe can meet; a number for any other. musl's whole table is 2 KiB.
 */
#ifndef ECHOD_ERRMSG_H
#define ECHOD_ERRMSG_H

#define ERRMSG_BUF 48

/* The message for errno e, or "error N", written into buf (ERRMSG_BUF bytes); returns buf. */
const char *errmsg(int e, char *buf);

#endif
