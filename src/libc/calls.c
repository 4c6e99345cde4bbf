/*
 * calls.c: the system calls echod makes most, each a call of syscall(), in
 * place of musl's wrappers, for echod in our static builds (board/
 * toolchain.mk, LIBC_ECHOD; echoprobe keeps musl's). musl inlines the
 * trap in every wrapper, and sends read, write, close, poll and sendto
 * through __syscall_cp, its thread-cancellation entry, which a program
 * without threads never needs; here each is a few moves and a jump into
 * the one syscall(). Same contracts: -1 and errno on failure; close()
 * counts EINTR as done, as musl and Linux do (the fd is gone either way).
 * Calls made from one place only (lseek, munmap, mmap, bind, listen,
 * getsockname, kill, getpid, connect, dup2) are syscall() at that place
 * instead (docs/size.md).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

ssize_t
read(int fd, void *buf, size_t n)
{
	return syscall(SYS_read, (long)fd, (long)buf, (long)n);
}

ssize_t
write(int fd, const void *buf, size_t n)
{
	return syscall(SYS_write, (long)fd, (long)buf, (long)n);
}

int
close(int fd)
{
	if (syscall(SYS_close, (long)fd) != 0 && errno != EINTR)
		return -1;
	return 0;
}

int
poll(struct pollfd *fds, nfds_t n, int timeout)
{
#ifdef SYS_poll
	return (int)syscall(SYS_poll, (long)fds, (long)n, (long)timeout);
#else
	/* AArch64 has only ppoll, which takes a timespec (none: no timeout). */
	struct timespec ts = { .tv_sec = timeout / 1000, .tv_nsec = timeout % 1000 * 1000000L };

	return (int)syscall(SYS_ppoll, (long)fds, (long)n, (long)(timeout >= 0 ? &ts : NULL), 0L,
	    (long)(_NSIG / 8));
#endif
}

ssize_t
sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *sa, socklen_t len)
{
	return syscall(SYS_sendto, (long)fd, (long)buf, (long)n, (long)flags, (long)sa, (long)len);
}

ssize_t
send(int fd, const void *buf, size_t n, int flags)
{
	return sendto(fd, buf, n, flags, 0, 0);
}
