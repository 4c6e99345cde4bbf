/*
 * file.c: whole files, mapped read-only.
 */
#include <fcntl.h>
#include <sys/mman.h>
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
	n = lseek(fd, 0, SEEK_END);
	if (n > 0)
		m = mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	*len = n;
	return m == MAP_FAILED ? NULL : m;
}

void
file_unmap(const unsigned char *p, size_t len)
{
	if (p != NULL)
		munmap((void *)p, len);
}
