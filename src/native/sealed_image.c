/* src/native/sealed_image.c: CVE-2019-5736. csrun forks its container processes without an
 * exec, so each of them has csrun's executable as its /proc/<pid>/exe; so does a process in the
 * container that manages to exec /proc/self/exe. Whoever opens that link gets the file csrun
 * was started from, and can write it once no csrun runs. So `create`, `run` and `exec` never
 * run from a writable file: before the .NET runtime starts (a constructor runs before main),
 * csrun re-executes itself from a read-only view of its own binary, a detached bind mount
 * (open_tree + mount_setattr: in no mount namespace, gone with the last process that holds it),
 * or, where the caller may not make mounts, from a sealed memfd copy. Every child inherits
 * that view as its exe. A binary already on a read-only mount or in a sealed memfd is used as
 * it is (no re-exec).
 *
 * The view is marked (read-only, nosuid, nodev, nosymfollow) and the re-executed csrun gets
 * CSRUN_IMAGE_VIEW in its environment, which it removes at once. A csrun started from a view
 * without that variable was exec'd through /proc/self/exe inside a container: it refuses to
 * run, so csrun's code never runs there either. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#define VIEW_ENV "CSRUN_IMAGE_VIEW"
#define ST_NOSYMFOLLOW_FLAG 0x2000
#define VIEW_FLAGS (ST_RDONLY | ST_NOSUID | ST_NODEV | ST_NOSYMFOLLOW_FLAG)
#define TMPFS_MAGIC_NUMBER 0x01021994
#define HUGETLBFS_MAGIC_NUMBER 0x958458f6
#define SEAL_EXEC_FLAG 0x0020 /* F_SEAL_EXEC (6.3): the mode cannot change either */
#define REQUIRED_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

static void say(const char *a, const char *b, int err)
{
    char msg[256];
    size_t n = 0;
    const char *parts[] = { "csrun: ", a, b, err ? ": " : "", err ? strerrorname_np(err) : "", "\n" };
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        for (const char *p = parts[i]; p && *p && n < sizeof msg; p++) msg[n++] = *p;
    ssize_t w = write(2, msg, n);
    (void)w;
}

static __attribute__((noreturn)) void die(const char *what, int err)
{
    say("cannot protect the runtime image (CVE-2019-5736): ", what, err);
    _exit(1);
}

/* Only the commands that put a process of ours into a container need the view. Any argument
 * equal to one of them counts (a container named "run" costs a re-exec, never a hole). */
static int spawns_into_container(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "create") || !strcmp(argv[i], "run") || !strcmp(argv[i], "exec"))
            return 1;
    return 0;
}

/* A memfd that can no longer be written or resized. */
static int is_sealed_memfd(const struct statfs *fs)
{
    if (fs->f_type != TMPFS_MAGIC_NUMBER && (unsigned)fs->f_type != HUGETLBFS_MAGIC_NUMBER) return 0;
    int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    int seals = fcntl(fd, F_GET_SEALS);
    close(fd);
    return seals >= 0 && (seals & REQUIRED_SEALS) == REQUIRED_SEALS;
}

static char **with_marker(char **envp)
{
    size_t n = 0;
    while (envp && envp[n]) n++;
    char **env = malloc((n + 2) * sizeof *env);
    if (!env) die("malloc", ENOMEM);
    for (size_t i = 0; i < n; i++) env[i] = envp[i];
    env[n] = VIEW_ENV "=1";
    env[n + 1] = NULL;
    return env;
}

/* A detached read-only bind mount of the binary; -errno when mounts cannot be made here. */
static int mount_view(int exe)
{
    int tree = (int)syscall(SYS_open_tree, exe, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
    if (tree < 0) return -errno;
    struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSYMFOLLOW };
    if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0)
    {
        int err = errno;
        close(tree);
        return -err;
    }
    return tree;
}

/* A sealed copy in memory (runc's older way): for callers that may not mount. */
static int memfd_copy(void)
{
    int fd = (int)syscall(SYS_memfd_create, "csrun-image-view", MFD_CLOEXEC | MFD_ALLOW_SEALING | 0x0010 /* MFD_EXEC */);
    if (fd < 0 && errno == EINVAL) fd = (int)syscall(SYS_memfd_create, "csrun-image-view", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0) die("memfd_create", errno);
    int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (src < 0) die("open /proc/self/exe", errno);
    struct stat st;
    if (fstat(src, &st) < 0) die("fstat /proc/self/exe", errno);
    for (off_t done = 0; done < st.st_size;)
    {
        ssize_t n = sendfile(fd, src, NULL, (size_t)(st.st_size - done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) die("copy the binary into a memfd", n < 0 ? errno : EIO);
        done += n;
    }
    close(src);
    if (fcntl(fd, F_ADD_SEALS, REQUIRED_SEALS | SEAL_EXEC_FLAG) < 0 && fcntl(fd, F_ADD_SEALS, REQUIRED_SEALS) < 0)
        die("seal the memfd", errno);
    return fd;
}

__attribute__((constructor)) static void run_from_sealed_image(int argc, char **argv, char **envp)
{
    int exe = open("/proc/self/exe", O_PATH | O_CLOEXEC);
    if (exe < 0)
    {
        if (spawns_into_container(argc, argv)) die("open /proc/self/exe", errno);
        return;
    }
    struct statfs fs;
    int known = fstatfs(exe, &fs) == 0;
    int marked = getenv(VIEW_ENV) != NULL;
    if (marked) unsetenv(VIEW_ENV);
    int view = known && (((fs.f_flags & VIEW_FLAGS) == VIEW_FLAGS) || is_sealed_memfd(&fs));
    if (view && !marked)
    {
        /* Only a process in a container reaches this binary through another's exe link. */
        say("refusing to run from another csrun's image (", "/proc/self/exe in a container)", 0);
        _exit(127);
    }
    if (view || (known && (fs.f_flags & ST_RDONLY)) || !spawns_into_container(argc, argv))
    {
        close(exe);
        return;
    }
    if (marked) die("the re-executed binary is still writable", EROFS);
    int target = mount_view(exe);
    if (target < 0) target = memfd_copy();
    close(exe);
    syscall(SYS_execveat, target, "", argv, with_marker(envp), AT_EMPTY_PATH);
    die("execveat of the read-only view", errno);
}
