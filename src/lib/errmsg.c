/*
 * errmsg.c: the errors the system calls of echod and echoprobe can return
 * (sockets, connections, files, fork, privileges), with musl's wording, so
 * a message reads the same as before whatever the libc. The codes differ
 * between arches (MIPS numbers its own), so the table is built from the
 * names.
 */
#include <errno.h>
#include <string.h>

#include "dict.h"
#include "errmsg.h"
#include "fmt.h"

/*
 * ERRORS(X): X(ENAME, message) for each, the messages coded by mkdict.py
 * from errmsg.txt (681 bytes become 474 with the dictionary).
 */
#include "errmsg-text.h"

_Static_assert(ERRMSG_LONGEST < ERRMSG_BUF, "errmsg.h's size");

/* Every code fits a byte, on MIPS too (or this does not compile). */
#define FITS(e, m) fits_##e = 1 / ((e) > 0 && (e) < 256),
enum { ERRORS(FITS) };

#define CODE(e, m) e,
#define TEXT(e, m) m "\0"
static const unsigned char codes[] = { ERRORS(CODE) };
static const unsigned char texts[] = ERRORS(TEXT);

const char *
errmsg(int e, char *buf)
{
	const unsigned char *m = texts;
	size_t i;

	for (i = 0; i < sizeof codes; i++, m += strlen((const char *)m) + 1)
		if (codes[i] == e) {
			*dict_expand(buf, m, errmsg_dict) = '\0';
			return buf;
		}
	fmt(buf, ERRMSG_BUF, "error %d", e);
	return buf;
}
