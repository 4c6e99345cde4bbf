/*
 * file.h: a whole file, mapped read-only (zoneinfo, /etc/hosts,
 * /etc/resolv.conf): any length, no buffer to size, no stdio, and the
 * pages stay shared with the page cache.
 */
#ifndef ECHOD_FILE_H
#define ECHOD_FILE_H

#include <stddef.h>

/* The file at path and its length, or NULL if it cannot be opened or mapped (empty, a directory). */
const unsigned char *file_map(const char *path, size_t *len);
void file_unmap(const unsigned char *p, size_t len);

#endif
