/* syscall-probe NR...: makes each raw system call NR (all arguments 0) and prints
 * "NR ret VALUE" or "NR errno E", one line each: a seccomp test's view from inside a container. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        long nr = strtol(argv[i], NULL, 10);
        errno = 0;
        long r = syscall(nr, 0, 0, 0, 0, 0, 0);
        if (r < 0)
            printf("%ld errno %d\n", nr, errno);
        else
            printf("%ld ret %ld\n", nr, r);
    }
    return 0;
}
