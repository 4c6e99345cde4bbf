/*
 * div.c: the ARM EABI's 32-bit division helpers for our static builds on
 * armhf and armel (board/toolchain.mk, LIBC_SRC_arm*), which have no
 * divide instruction. libgcc's are unrolled for speed (__aeabi_idiv and
 * __aeabi_uidiv 688 and 632 bytes on armhf, and raise() behind their
 * division-by-zero hook); these are one shift-and-subtract loop, 32 steps
 * a call. No hot path of echod divides by a variable.
 *
 * The ...divmod forms return the quotient in r0 and the remainder in r1:
 * an unsigned long long, low word first (AAPCS, little-endian ARM).
 * Dividing by zero, which C leaves undefined, gives all ones and the
 * dividend back, with no signal.
 */
typedef unsigned long long div_pair;

div_pair __aeabi_uidivmod(unsigned n, unsigned d);
unsigned __aeabi_uidiv(unsigned n, unsigned d);
div_pair __aeabi_idivmod(int n, int d);
int __aeabi_idiv(int n, int d);

div_pair
__aeabi_uidivmod(unsigned n, unsigned d)
{
	unsigned q = 0, r = 0, top;
	int i;

	for (i = 31; i >= 0; i--) {
		top = r >> 31;	/* the bit the shift drops: set, r is above any d */
		r = r << 1 | (n >> i & 1);
		if (top != 0 || r >= d) {
			r -= d;
			q |= 1u << i;
		}
	}
	return q | (div_pair)r << 32;
}

unsigned
__aeabi_uidiv(unsigned n, unsigned d)
{
	return (unsigned)__aeabi_uidivmod(n, d);
}

/* C's signed division truncates: the remainder takes the dividend's sign. */
div_pair
__aeabi_idivmod(int n, int d)
{
	unsigned un = n < 0 ? 0u - (unsigned)n : (unsigned)n;
	unsigned ud = d < 0 ? 0u - (unsigned)d : (unsigned)d;
	div_pair p = __aeabi_uidivmod(un, ud);
	unsigned q = (unsigned)p, r = (unsigned)(p >> 32);

	if ((n < 0) != (d < 0))
		q = 0u - q;
	if (n < 0)
		r = 0u - r;
	return q | (div_pair)r << 32;
}

int
__aeabi_idiv(int n, int d)
{
	return (int)__aeabi_idivmod(n, d);
}
