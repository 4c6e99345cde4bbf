/*
 * errmsg.c: the errors the system calls of echod and echoprobe can return
 * (sockets, connections, files, fork, privileges), with musl's wording, so
 * a message reads the same as before whatever the libc. The codes differ
 * between arches (MIPS numbers its own), so the table is built from the
 * names.
 */
#include <errno.h>
#include <string.h>

#include "errmsg.h"
#include "fmt.h"

#define ERRORS(X) \
	X(EPERM, "Operation not permitted") \
	X(ENOENT, "No such file or directory") \
	X(EINTR, "Interrupted system call") \
	X(EIO, "I/O error") \
	X(EBADF, "Bad file descriptor") \
	X(EAGAIN, "Resource temporarily unavailable") \
	X(ENOMEM, "Out of memory") \
	X(EACCES, "Permission denied") \
	X(ENODEV, "No such device") \
	X(EINVAL, "Invalid argument") \
	X(ENFILE, "Too many open files in system") \
	X(EMFILE, "No file descriptors available") \
	X(EPIPE, "Broken pipe") \
	X(ENOSYS, "Function not implemented") \
	X(EPROTO, "Protocol error") \
	X(ENOTSOCK, "Not a socket") \
	X(EMSGSIZE, "Message too large") \
	X(ENOPROTOOPT, "Protocol not available") \
	X(EPROTONOSUPPORT, "Protocol not supported") \
	X(EOPNOTSUPP, "Not supported") \
	X(EAFNOSUPPORT, "Address family not supported by protocol") \
	X(EADDRINUSE, "Address in use") \
	X(EADDRNOTAVAIL, "Address not available") \
	X(ENETDOWN, "Network is down") \
	X(ENETUNREACH, "Network unreachable") \
	X(ECONNABORTED, "Connection aborted") \
	X(ECONNRESET, "Connection reset by peer") \
	X(ENOBUFS, "No buffer space available") \
	X(ENOTCONN, "Socket not connected") \
	X(ETIMEDOUT, "Operation timed out") \
	X(ECONNREFUSED, "Connection refused") \
	X(EHOSTDOWN, "Host is down") \
	X(EHOSTUNREACH, "Host is unreachable")

/* Every code fits a byte, on MIPS too (or this does not compile). */
#define FITS(e, m) fits_##e = 1 / ((e) > 0 && (e) < 256),
enum { ERRORS(FITS) };

#define CODE(e, m) e,
#define TEXT(e, m) m "\0"
static const unsigned char codes[] = { ERRORS(CODE) };
static const char texts[] = ERRORS(TEXT);

const char *
errmsg(int e, char *buf)
{
	const char *m = texts;
	size_t i;

	for (i = 0; i < sizeof codes; i++, m += strlen(m) + 1)
		if (codes[i] == e)
			return m;
	fmt(buf, ERRMSG_BUF, "error %d", e);
	return buf;
}
