/*
 * start.c: the start-up of echod in our static builds
 * (board/toolchain.mk, LIBC_ECHOD_SRC), in place of musl's
 * __libc_start_main and errno, for echod only: echoprobe and the unit
 * tests keep musl's (they use stdio, strerror and the vDSO).
 *
 * musl's crt1.o calls __libc_start_main(main, argc, argv, ...), the entry
 * every libc's crt1 uses. musl's own then reads the auxiliary vector,
 * sets up the thread pointer and its TLS block (whose only use in echod
 * is errno), seeds the stack protector and, for set-id programs, opens
 * /dev/null on a closed fd 0-2: 875 bytes on armhf, 1339 on arm64.
 * echod needs none of it:
 * - errno is the only thread-local variable it reads, and it never
 *   creates a thread (a forked child has its own copy), so errno is a
 *   static int below, which musl's system-call wrappers (__syscall_ret)
 *   write through ___errno_location like every other caller;
 * - nothing it links reads the auxiliary vector (__hwcap, __sysinfo,
 *   libc.auxv for the vDSO, libc.page_size; its clocks are system calls,
 *   src/lib/mono.c) or __progname (it logs with its own name);
 * - it is built with -fno-stack-protector, and musl's objects it links
 *   have no canary either;
 * - it is not installed set-id.
 * tests/cross disassembles every arch's echod and fails on any read of
 * the thread pointer (and on a constructor or destructor, which nothing
 * here would run), so a change in musl or in what echod links cannot
 * reach an unset thread pointer unnoticed.
 *
 * exit() is _exit() here: musl's runs atexit's functions, the fini
 * array and stdio's flush, and echod links none of them (tests/cross
 * checks that too). _exit() is the exit_group system call alone (musl's
 * _Exit follows it with exit in a loop, which a call that never returns
 * does not need; the loop here only tells the compiler so).
 */
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int __libc_start_main(int (*main)(int, char **, char **), int argc, char **argv);
int *__errno_location(void);
int *___errno_location(void);

/*
 * crt1 passes three more arguments (init, fini, the dynamic linker's
 * hook), which every ABI we build for lets the callee ignore.
 */
int
__libc_start_main(int (*main)(int, char **, char **), int argc, char **argv)
{
	char **envp = argv + argc + 1;

	environ = envp;
	exit(main(argc, argv, envp));
}

void
_exit(int code)
{
	for (;;)
		syscall(SYS_exit_group, (long)code);
}

void
exit(int code)
{
	_exit(code);
}

static int errno_value;

int *
__errno_location(void)
{
	return &errno_value;
}

/* The name musl's own code uses (hidden in libc.a). */
int *___errno_location(void) __attribute__((alias("__errno_location")));
