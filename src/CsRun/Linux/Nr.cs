namespace CsRun.Linux;

/// <summary>x86_64 system call numbers (asm/unistd_64.h).</summary>
internal static class Nr
{
    public const long Read = 0, Write = 1, Open = 2, Close = 3, Stat = 4, Fstat = 5, Lstat = 6, Poll = 7;
    public const long Munmap = 11, Pread64 = 17;
    public const long RtSigaction = 13, RtSigprocmask = 14, Ioctl = 16, Access = 21, Pipe = 22;
    public const long Dup = 32, Dup2 = 33, Nanosleep = 35, Getpid = 39, Sendfile = 40, Socket = 41;
    public const long Sendmsg = 46, Recvmsg = 47, Socketpair = 53;
    public const long Clone = 56, Fork = 57, Execve = 59, Exit = 60, Wait4 = 61, Kill = 62, Uname = 63;
    public const long Fcntl = 72, Flock = 73, Fsync = 74, Getcwd = 79, Chdir = 80, Fchdir = 81;
    public const long Rename = 82, Mkdir = 83, Rmdir = 84, Unlink = 87, Symlink = 88, Readlink = 89, Chmod = 90, Fchmod = 91;
    public const long Chown = 92, Fchown = 93, Umask = 95, Getrlimit = 97, Getuid = 102;
    public const long Setuid = 105, Setgid = 106, Setpgid = 109, Getppid = 110, Setsid = 112;
    public const long Setgroups = 116, Setresuid = 117, Setresgid = 119;
    public const long Capget = 125, Capset = 126, Mknod = 133, Personality = 135, Statfs = 137, Fstatfs = 138;
    public const long Prctl = 157, Chroot = 161, Setrlimit = 160, Mount = 165, Umount2 = 166;
    public const long Sethostname = 170, Setdomainname = 171, Gettid = 186, Tkill = 200;
    public const long SchedSetaffinity = 203, SchedGetaffinity = 204, Getcpu = 309;
    public const long ExitGroup = 231, Tgkill = 234, Openat = 257, Mkdirat = 258, Mknodat = 259;
    public const long Fchownat = 260, Newfstatat = 262, Unlinkat = 263, Renameat = 264, Symlinkat = 266, Readlinkat = 267;
    public const long Fchmodat = 268, Faccessat = 269, Unshare = 272, Signalfd4 = 289, Dup3 = 292, Pipe2 = 293;
    public const long Getdents64 = 217, Prlimit64 = 302, Setns = 308, Seccomp = 317, Memfd = 319, Execveat = 322;
    public const long Statx = 332, PidfdSendSignal = 424, OpenTree = 428, MoveMount = 429;
    public const long Fsopen = 430, Fsconfig = 431, Fsmount = 432, Fspick = 433, PidfdOpen = 434;
    public const long Clone3 = 435, CloseRange = 436, Openat2 = 437, PidfdGetfd = 438, Faccessat2 = 439;
    public const long MountSetattr = 442, PivotRoot = 155;
    public const long InotifyAddWatch = 254, Eventfd2 = 290, InotifyInit1 = 294;
    public const long SetMempolicy = 238, IoprioSet = 251, SchedSetattr = 314;
}
