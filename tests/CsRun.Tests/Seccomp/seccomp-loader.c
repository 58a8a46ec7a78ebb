/*
 * Test helper, compiled by the tests with the host's cc: loads a BPF filter the way csrun's
 * child will (no_new_privs, then seccomp(2) on the raw bytes), then either runs a command or
 * makes one raw system call and prints what it returned.
 *
 *   seccomp-loader FILTER FLAGS exec CMD [ARG...]
 *   seccomp-loader FILTER FLAGS call NR [ARG...]    prints "ret N" or "errno N"
 *
 * FILTER is a file of struct sock_filter; an empty path loads nothing (the control run).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static struct sock_filter filter[BPF_MAXINSNS];

static int load(const char *path, unsigned long flags)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) { perror(path); return -1; }
    size_t got = 0;
    for (;;) {
        ssize_t n = read(fd, (char *)filter + got, sizeof filter - got);
        if (n < 0) { perror("read"); return -1; }
        if (n == 0) break;
        got += (size_t)n;
    }
    close(fd);
    struct sock_fprog prog = { .len = (unsigned short)(got / sizeof filter[0]), .filter = filter };
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) { perror("prctl"); return -1; }
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog) != 0) { perror("seccomp"); return -1; }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s FILTER FLAGS exec CMD [ARG...] | call NR [ARG...]\n", argv[0]);
        return 125;
    }
    if (argv[1][0] != '\0' && load(argv[1], strtoul(argv[2], NULL, 0)) != 0) return 125;

    if (strcmp(argv[3], "exec") == 0) {
        execvp(argv[4], argv + 4);
        perror(argv[4]);
        return 127;
    }
    long a[7] = { 0 };
    for (int i = 0; i < 7 && 4 + i < argc; i++) a[i] = (long)strtoull(argv[4 + i], NULL, 0);
    long r = syscall(a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
    /* snprintf and write only: the filter under test may refuse what stdio would call. */
    char out[64];
    int len = r == -1 ? snprintf(out, sizeof out, "errno %d\n", errno) : snprintf(out, sizeof out, "ret %ld\n", r);
    if (write(1, out, (size_t)len) != len) return 126;
    return 0;
}
