/*
 * privdrop.c: dropping root after binding (so port 7 works). The user
 * database is read directly: getpwnam(3) and getgrouplist(3) in a static
 * musl drag in stdio and nscd support for two colon-separated files.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <sysexits.h>
#include <unistd.h>

#include "fmt.h"
#include "log.h"
#include "net.h"
#include "privdrop.h"

#define DB_MAX 65536

static char db[DB_MAX];
static const char *db_path;

/*
 * Reads path into db, whole: a file of DB_MAX bytes or more is a start-up
 * error, since a cut line could name the wrong uid or gid. Returns the
 * length or -1 (no such file).
 */
static ssize_t
read_db(const char *path)
{
	size_t len = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (len < sizeof db && (n = net_read(fd, db + len, sizeof db - len)) > 0)
		len += n;
	close(fd);
	if (len == sizeof db)
		log_die(EX_NOUSER, "-u: %s is %u bytes or more; not read", path, DB_MAX);
	db[len] = '\0';
	db_path = path;
	return len;
}

/* Splits a line at ':' into at most max fields; returns how many. */
static int
split(char *line, char **field, int max)
{
	int n = 0;

	field[n++] = line;
	for (; *line != '\0' && n < max; line++)
		if (*line == ':') {
			*line = '\0';
			field[n++] = line + 1;
		}
	return n;
}

/* A uid or gid: 0 to 4294967294, since (uid_t)-1 means "unchanged". */
static int
parse_id(const char *s, unsigned long *out)
{
	return fmt_parse_ulong(&s, 4294967294UL, out) == 0 && *s == '\0' ? 0 : -1;
}

/* Field i of an entry as an id; a bad one is warned about, and the entry skipped. */
static int
bad_ids(char **f, int i, unsigned long *id)
{
	if (parse_id(f[i], id) == 0)
		return 0;
	log_warn("-u: %s: entry '%S' has a bad id '%S'; skipped", db_path, f[0], f[i]);
	return 1;
}

/* Whether name is in the comma-separated list. */
static int
in_list(char *list, const char *name)
{
	size_t len = strlen(name), n;
	char *p;

	/* memcmp, not strncmp (36 bytes of libc): the member is len bytes long. */
	for (p = list; *p != '\0'; p += n + (p[n] == ',')) {
		n = strcspn(p, ",");
		if (n == len && memcmp(p, name, len) == 0)
			return 1;
	}
	return 0;
}

/* Calls fn on every line of the db, split at ':'; stops at a non-zero return. */
static int
each_line(int (*fn)(char **f, int n, void *arg), void *arg)
{
	char *line, *next, *f[7];
	int r;

	for (line = db; *line != '\0'; line = next) {
		next = line + strcspn(line, "\n");
		if (*next != '\0')
			*next++ = '\0';
		if ((r = fn(f, split(line, f, 7), arg)) != 0)
			return r;
	}
	return 0;
}

struct user_query {
	const char *name;
	struct priv *p;
	char found[64];
};

static int
match_user(char **f, int n, void *arg)
{
	struct user_query *q = arg;
	unsigned long uid, gid;

	if (n < 4 || bad_ids(f, 2, &uid) || bad_ids(f, 3, &gid))
		return 0;
	if (strcmp(f[0], q->name) != 0 && !(parse_id(q->name, &uid) == 0 &&
	    strcmp(f[2], q->name) == 0))
		return 0;
	q->p->uid = uid;
	q->p->gid = gid;
	fmt(q->found, sizeof q->found, "%s", f[0]);	/* fmt, not strncpy: 116 bytes of libc */
	return 1;
}

static int
match_group(char **f, int n, void *arg)
{
	struct user_query *q = arg;
	unsigned long gid;

	if (n < 4 || bad_ids(f, 2, &gid) || !in_list(f[3], q->found))
		return 0;
	if (gid != q->p->gid && q->p->ngroups < PRIV_MAXGROUPS)
		q->p->groups[q->p->ngroups++] = gid;
	return 0;
}

int
priv_lookup(const char *name, struct priv *p)
{
	struct user_query q = { .name = name, .p = p };

	memset(p, 0, sizeof *p);
	if (read_db("/etc/passwd") < 0 || each_line(match_user, &q) == 0) {
		/* A bare number works without a passwd entry, as chown(1) does. */
		unsigned long id;

		if (parse_id(name, &id) < 0)
			return -1;
		p->uid = p->gid = id;
	}
	p->groups[p->ngroups++] = p->gid;
	if (q.found[0] != '\0' && read_db("/etc/group") >= 0)
		each_line(match_group, &q);
	return 0;
}

/*
 * The set*id calls go straight to the kernel: libc's versions stop every
 * thread to change them all (musl's __synccall, over a kilobyte), and
 * echod has a single thread. 32-bit ARM names the 32-bit-id calls *32.
 */
#ifdef SYS_setuid32
#define SYS_SETUID SYS_setuid32
#define SYS_SETGID SYS_setgid32
#define SYS_SETGROUPS SYS_setgroups32
#define SYS_GETRESUID SYS_getresuid32
#define SYS_GETRESGID SYS_getresgid32
#else
#define SYS_SETUID SYS_setuid
#define SYS_SETGID SYS_setgid
#define SYS_SETGROUPS SYS_setgroups
#define SYS_GETRESUID SYS_getresuid
#define SYS_GETRESGID SYS_getresgid
#endif

/* Whether the real, effective and saved ids read with call are all id. */
static int
all_ids(long call, unsigned id)
{
	unsigned r[3];

	return syscall(call, &r[0], &r[1], &r[2]) == 0 && r[0] == id && r[1] == id && r[2] == id;
}

int
priv_drop(const struct priv *p)
{
	if (syscall(SYS_SETGROUPS, p->ngroups, p->groups) < 0 ||
	    syscall(SYS_SETGID, p->gid) < 0 || syscall(SYS_SETUID, p->uid) < 0)
		return -1;
	if (!all_ids(SYS_GETRESUID, p->uid) || !all_ids(SYS_GETRESGID, p->gid)) {
		errno = EPERM;
		return -1;
	}
	/* If this works, the drop did not take. */
	if (p->uid != 0 && syscall(SYS_SETUID, 0) == 0) {
		errno = EPERM;
		return -1;
	}
	return 0;
}
