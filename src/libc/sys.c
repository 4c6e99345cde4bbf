/*
 * sys.c: open, socket and mmap as the bare system calls, for our static
 * builds (board/toolchain.mk, LIBC_SRC_<arch>). musl's wrap each with
 * fallbacks for kernels older than any we run on (before Linux 2.6.27:
 * no SOCK_CLOEXEC, an O_CLOEXEC that may be ignored) and with checks the
 * kernel makes itself; here each is one call of syscall(), which the
 * programs link anyway.
 *
 * open's mode is taken as a named third argument: every ABI we build for
 * passes the first variadic integer arguments in the same registers as
 * named ones, and the kernel ignores the mode without O_CREAT or
 * O_TMPFILE. (So this file does not include fcntl.h, which declares open
 * with "...".)
 */
#include <errno.h>
#define open fcntl_h_open
#include <fcntl.h>
#undef open
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

int open(const char *path, int flags, int mode);

int
open(const char *path, int flags, int mode)
{
	return (int)syscall(SYS_openat, (long)AT_FDCWD, (long)path, (long)(flags | O_LARGEFILE), (long)mode);
}

int
socket(int domain, int type, int protocol)
{
	return (int)syscall(SYS_socket, (long)domain, (long)type, (long)protocol);
}

/*
 * mmap2 (32-bit arches) counts the offset in 4096-byte units, so an offset
 * that is not a multiple is refused here, as the kernel's mmap does.
 */
void *
mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
#ifdef SYS_mmap2
	if ((off & 4095) != 0) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	return (void *)syscall(SYS_mmap2, (long)addr, (long)len, (long)prot, (long)flags, (long)fd,
	    (long)(off >> 12));
#else
	return (void *)syscall(SYS_mmap, (long)addr, (long)len, (long)prot, (long)flags, (long)fd, (long)off);
#endif
}
