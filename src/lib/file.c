/*
 * file.c: whole files, mapped read-only or read into a buffer.
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "file.h"

const unsigned char *
file_map(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	off_t n;
	void *m = MAP_FAILED;

	if (fd < 0)
		return NULL;
	/*
	 * lseek, mmap and munmap as system calls: musl's lseek takes _llseek's
	 * 64-bit path on 32-bit targets, and its munmap waits on a lock of its
	 * allocator; a zone file is far below 2 GiB.
	 */
	n = syscall(SYS_lseek, fd, 0L, SEEK_END);
	if (n > 0)
		m = (void *)syscall(FILE_SYS_MMAP, 0L, (long)n, (long)PROT_READ, (long)MAP_PRIVATE,
		    (long)fd, 0L);
	close(fd);
	*len = n;
	return m == MAP_FAILED ? NULL : m;
}

void
file_unmap(const unsigned char *p, size_t len)
{
	if (p != NULL)
		syscall(SYS_munmap, p, len);
}

/*
 * The buffer is its caller's: nothing stays mapped, so a file truncated or
 * rewritten in place later cannot fault (SIGBUS) in a reader of it. No
 * EINTR: it is read before any signal is caught (echod catches none).
 */
long
file_read(const char *path, void *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t got = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	while ((n = read(fd, (char *)buf + got, size - got)) > 0)
		got += n;
	close(fd);
	return n < 0 || got == size ? -1 : (long)got;
}
