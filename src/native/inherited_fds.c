/* src/native/inherited_fds.c: which fds csrun's caller handed it, seen before the .NET runtime
 * opens any of its own (it keeps /dev/urandom open, at fd 3 when that is free). --preserve-fds
 * N passes fds 3..3+N-1 to the container; each must be the caller's (PreservedFds.cs), never an
 * fd of ours that filled a hole. Probing stops at the first closed fd: one fcntl when the
 * caller passes nothing. */
#include <fcntl.h>

static int first_closed = 3;

__attribute__((constructor)) static void probe_inherited_fds(void)
{
    while (first_closed < 1 << 20 && fcntl(first_closed, F_GETFD) >= 0) first_closed++;
}

/* The lowest fd from 3 on that was not open when csrun started. */
int csrun_first_closed_fd(void) { return first_closed; }
