/*
 * file.h: a whole file, mapped read-only (/etc/hosts, /etc/resolv.conf:
 * any length, no buffer to size, no stdio, and the pages stay shared with
 * the page cache), or read into a buffer (zoneinfo: a server keeps nothing
 * mapped that a rewrite of the file could make fault).
 */
#ifndef ECHOD_FILE_H
#define ECHOD_FILE_H

#include <stddef.h>
#include <sys/syscall.h>

/*
 * mmap(2) as the system call, for echod's two maps (a file here, the
 * server's shared state): mmap2 on 32-bit targets, whose offset is in
 * pages (ours are 0). musl's mmap checks the offset's alignment and the
 * length against PTRDIFF_MAX and waits on its allocator's lock for
 * MAP_FIXED, none of which these maps need.
 */
#ifdef SYS_mmap2
#define FILE_SYS_MMAP SYS_mmap2
#else
#define FILE_SYS_MMAP SYS_mmap
#endif

/* The file at path and its length, or NULL if it cannot be opened or mapped (empty, a directory). */
const unsigned char *file_map(const char *path, size_t *len);
void file_unmap(const unsigned char *p, size_t len);

/* Reads the whole file at path into buf: its length, or -1 if it cannot be read or is size bytes or more. */
long file_read(const char *path, void *buf, size_t size);

#endif
