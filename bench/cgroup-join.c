/* bench/cgroup-join.c: what joining a cgroup costs a new process, from idle (50 ms apart, as
 * container starts are). On cgroup v2: fork and then write its pid to cgroup.procs, against
 * clone3 with CLONE_INTO_CGROUP (csrun on v2). On a v1 hierarchy: the same cgroup.procs write,
 * against the child writing "0" to the cgroup's `tasks` itself (csrun on v1): moving oneself,
 * single-threaded, takes no global lock, while the write for another process waits for an RCU
 * grace period on the first writer.
 * usage: cgroup-join DIR N   (DIR: an empty cgroup directory, v2 or v1) */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void report(const char *what, double *v, int n)
{
    qsort(v, n, sizeof *v, by_value);
    printf("%-40s median %7.3f ms  p10 %7.3f  p90 %7.3f\n", what, v[n / 2], v[n / 10], v[n * 9 / 10]);
}

/* fork; the child writes "0" to DIR/tasks, moving itself. */
static double self_join_ms(const char *tasks)
{
    double t0 = now_ms();
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(tasks, O_WRONLY | O_CLOEXEC);
        _exit(fd < 0 || write(fd, "0", 1) != 1 ? 1 : 0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) { fprintf(stderr, "write 0 to %s failed\n", tasks); exit(1); }
    return now_ms() - t0;
}

int main(int argc, char **argv)
{
    if (argc != 3) { fprintf(stderr, "usage: %s CGROUP_DIR N\n", argv[0]); return 2; }
    int n = atoi(argv[2]);
    if (n < 10 || n > 1000) { fprintf(stderr, "N: 10 to 1000\n"); return 2; }
    char procs[4096];
    snprintf(procs, sizeof procs, "%s/cgroup.procs", argv[1]);
    int dirfd = open(argv[1], O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0) { perror(argv[1]); return 1; }
    struct statfs fs;
    if (statfs(argv[1], &fs) < 0) { perror(argv[1]); return 1; }
    int v1 = fs.f_type != 0x63677270 /* CGROUP2_SUPER_MAGIC */;
    char tasks[4096];
    snprintf(tasks, sizeof tasks, "%s/tasks", argv[1]);
    double *write_ms = calloc(n, sizeof(double)), *clone_ms = calloc(n, sizeof(double));
    for (int i = 0; i < n; i++) {
        usleep(50000);
        int go[2];
        if (pipe(go) < 0) { perror("pipe"); return 1; }
        double t0 = now_ms();
        pid_t pid = fork();
        if (pid == 0) { char c; close(go[1]); if (read(go[0], &c, 1) < 0) _exit(1); _exit(0); }
        int fd = open(procs, O_WRONLY | O_CLOEXEC);
        char s[32];
        int len = snprintf(s, sizeof s, "%d", pid);
        if (fd < 0 || write(fd, s, len) != len) { perror(procs); return 1; }
        close(fd);
        close(go[1]);
        close(go[0]);
        waitpid(pid, NULL, 0);
        write_ms[i] = now_ms() - t0;

        usleep(50000);
        if (v1) {
            clone_ms[i] = self_join_ms(tasks);
            continue;
        }
        struct clone_args args;
        memset(&args, 0, sizeof args);
        args.flags = CLONE_INTO_CGROUP;
        args.exit_signal = SIGCHLD;
        args.cgroup = dirfd;
        t0 = now_ms();
        long child = syscall(SYS_clone3, &args, sizeof args);
        if (child == 0) _exit(0);
        if (child < 0) { perror("clone3 CLONE_INTO_CGROUP"); return 1; }
        waitpid(child, NULL, 0);
        clone_ms[i] = now_ms() - t0;
    }
    report("fork, then write cgroup.procs", write_ms, n);
    report(v1 ? "fork, the child writes 0 to tasks" : "clone3 CLONE_INTO_CGROUP", clone_ms, n);
    return 0;
}
