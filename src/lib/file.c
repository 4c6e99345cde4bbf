/*
 * file.c: whole files, mapped read-only.
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
