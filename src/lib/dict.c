/*
 * dict.c: the decoder of mkdict.py's coding (dict.h). A text coded so is
 * about two thirds of its bytes (the -h text 1311 -> 911, the error
 * messages 681 -> 474), for these few dozen bytes of code.
 */
#include "dict.h"

char *
dict_expand(char *out, const unsigned char *s, const unsigned char *dict)
{
	const unsigned char *e;
	unsigned k;

	for (; *s != 0; s++) {
		if (*s < 0x80) {
			*out++ = (char)*s;
			continue;
		}
		for (e = dict, k = *s - 0x80; k > 0; k--)
			while (*e++ != 0)
				;
		out = dict_expand(out, e, dict);
	}
	return out;
}
