/*
 * privdrop.h: -u USER, resolved before binding and applied after.
 */
#ifndef ECHOD_PRIVDROP_H
#define ECHOD_PRIVDROP_H

#include <sys/types.h>

#define PRIV_MAXGROUPS 32

struct priv {
	uid_t uid;
	gid_t gid;
	gid_t groups[PRIV_MAXGROUPS];
	int ngroups;
};

/*
 * Looks name (or a number) up in /etc/passwd and its supplementary groups
 * in /etc/group. Returns 0, or -1 if there is no such user.
 */
int priv_lookup(const char *name, struct priv *p);

/* setgroups, setgid, setuid, then proves root cannot come back. 0 or -1. */
int priv_drop(const struct priv *p);

#endif
