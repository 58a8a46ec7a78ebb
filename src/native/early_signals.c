/* src/native/early_signals.c: the signals `run` and `exec` forward to the container, blocked
 * before the .NET runtime starts its first thread (a constructor runs before main, and so before
 * the runtime's finalizer thread exists). Every thread then inherits the mask, so a signalfd
 * sees a process-directed signal without any code run on the finalizer thread (the other way,
 * a finalizer and a forced collection, cost ~0.1 ms per `run`). Main unblocks them at once on its
 * own thread (EarlySignals.cs), so every other command dies of them as it always did.
 * The list must be SignalForwarder.Forwarded's (a test compares them). */
#include <signal.h>
#include <stddef.h>

static const int forwarded[] = {
    SIGHUP, SIGINT, SIGQUIT, SIGABRT, SIGUSR1, SIGUSR2, SIGALRM, SIGTERM, SIGCONT, SIGTSTP,
    SIGTTIN, SIGTTOU, SIGURG, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGWINCH, SIGIO, SIGPWR, SIGSYS,
};

__attribute__((constructor)) static void block_forwarded_signals(void)
{
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++) sigaddset(&set, forwarded[i]);
    sigprocmask(SIG_BLOCK, &set, NULL);
}
