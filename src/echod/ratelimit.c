/*
 * ratelimit.c: a per-source token bucket for UDP replies. Whatever the
 * sources do, a fixed table (no allocation): a source hashes to one bucket;
 * it takes over a bucket only when the bucket's owner has been quiet long
 * enough to refill it completely. So a flood of spoofed sources cannot
 * evict a busy source's bucket (and restart a loop at full burst); at worst
 * a newcomer shares a busy bucket's limit until that source goes quiet.
 * IPv6 sources count by their /64, which one host can fill with addresses.
 * Credit is kept in thousandths of a reply: no division anywhere.
 */
#include <string.h>

#include "config.h"
#include "mono.h"
#include "ratelimit.h"

#ifndef ECHOD_RL_BUCKETS
#define ECHOD_RL_BUCKETS 64	/* a power of two */
#endif

struct bucket {
	unsigned char key[16];
	unsigned credit;	/* thousandths of a reply */
	unsigned last;		/* mono_ms() of the last update, mod 2^32 */
	int held;		/* a reply was held back since the bucket was last full */
};

static struct bucket table[ECHOD_RL_BUCKETS];
static unsigned rl_rate, rl_full;

void
ratelimit_init(unsigned rate, unsigned burst)
{
	rl_rate = rate;
	rl_full = burst * 1000;
}

static struct bucket *
bucket_of(const unsigned char *key)
{
	unsigned h = 2166136261u, i;	/* FNV-1a */

	for (i = 0; i < 16; i++)
		h = (h ^ key[i]) * 16777619u;
	return &table[h % ECHOD_RL_BUCKETS];
}

int
ratelimit_allow(const union net_addr *src, int *first)
{
	unsigned char key[16];
	unsigned now = (unsigned)mono_ms();
	unsigned long long c;
	struct bucket *b;

	*first = 0;
	if (rl_rate == 0)
		return 1;
	net_host_key(src, key, 64);
	b = bucket_of(key);
	c = b->credit + (unsigned long long)(now - b->last) * rl_rate;
	b->credit = c > rl_full ? rl_full : (unsigned)c;
	b->last = now;
	if (b->credit == rl_full) {
		memcpy(b->key, key, sizeof key);
		b->held = 0;
	}
	if (b->credit >= 1000) {
		b->credit -= 1000;
		return 1;
	}
	*first = !b->held;
	b->held = 1;
	return 0;
}
