/*
 * start.c: the start-up of echod in our static builds
 * (board/toolchain.mk, LIBC_ECHOD_SRC), in place of musl's
 * crt1, __libc_start_main and errno, for echod only: echoprobe and the unit
 * tests keep musl's (they use stdio, strerror and the vDSO).
 *
 * The entry point is here too: echod is linked with -nostartfiles
 * (ECHOD_LDFLAGS), without musl's crt1.o, crti.o and crtn.o. crt1 would
 * call __libc_start_main with _init and _fini, which crti and crtn make
 * (an empty .init and .fini) and which crt1 reaches through a GOT: 72 to
 * 176 bytes for nothing, as echod has no constructor or destructor. musl's
 * __libc_start_main then reads the auxiliary vector, sets up the thread
 * pointer and its TLS block (whose only use in echod is errno), seeds the
 * stack protector and, for set-id programs, opens /dev/null on a closed
 * fd 0-2: 875 bytes on armhf, 1339 on arm64. echod needs none of it:
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

int main(int, char **, char **);
int *__errno_location(void);
int *___errno_location(void);

/*
 * The kernel enters at _start (__start on MIPS, ld's default there) with
 * argc at the stack pointer, then argv, NULL, envp, NULL, and the stack
 * pointer 16-byte aligned (create_elf_tables), which every ABI here asks
 * for at a call. _start passes that address to start_c; MIPS also loads
 * $gp, which -mno-abicalls code uses for small data, and reserves the 16
 * bytes a callee may store its argument registers in.
 */
#if defined(__aarch64__)
__asm__(".text\n.global _start\n.type _start,%function\n_start:\n"
	"\tmov x0, sp\n\tb start_c\n");
#elif defined(__arm__) && defined(__thumb__)
__asm__(".text\n.syntax unified\n.thumb\n.global _start\n.type _start,%function\n"
	".thumb_func\n_start:\n\tmov r0, sp\n\tbl start_c\n");
#elif defined(__arm__)
__asm__(".text\n.global _start\n.type _start,%function\n_start:\n"
	"\tmov r0, sp\n\tb start_c\n");
#elif defined(__mips__)
__asm__(".text\n.set push\n.set noreorder\n.global __start\n.type __start,@function\n"
	"__start:\n\tlui $gp, %hi(_gp)\n\taddiu $gp, $gp, %lo(_gp)\n\tmove $4, $sp\n"
	"\tjal start_c\n\taddiu $sp, $sp, -16\n.set pop\n");
#else
#error "no _start for this arch"
#endif

__attribute__((used, noreturn)) void start_c(long *sp);
void
start_c(long *sp)
{
	int argc = (int)sp[0];
	char **argv = (char **)(sp + 1);
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
