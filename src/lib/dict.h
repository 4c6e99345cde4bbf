/*
 * dict.h: texts stored as dictionary bytes (src/lib/mkdict.py codes them):
 * the -h text, the error messages.
 */
#ifndef ECHOD_DICT_H
#define ECHOD_DICT_H

/*
 * Copies the coded string s to out, each byte 0x80 + k replaced by entry k
 * of dict (NUL-separated entries, coded the same way); returns the end of
 * what it wrote, which it does not terminate.
 */
char *dict_expand(char *out, const unsigned char *s, const unsigned char *dict);

#endif
