namespace CsRun.Linux;

// System call numbers, one set per target architecture, chosen at compile time: CsRun.csproj
// defines ARM64 when the RuntimeIdentifier is linux-arm64. Only calls both architectures have
// are listed (arm64 has no open, stat, poll, dup2, mkdir, fork...: the *at, ppoll, dup3 and
// clone forms stand in for them), so code that compiles for one compiles for both.
// Values: asm/unistd_64.h (x86_64) and asm-generic/unistd.h (arm64); tests/CsRun.Tests/Linux/NrTests checks them.

#if ARM64
/// <summary>arm64 system call numbers (asm-generic/unistd.h).</summary>
internal static class Nr
{
    public const long Read = 63, Write = 64, Close = 57, Fstat = 80, Munmap = 215, Pread64 = 67;
    public const long RtSigaction = 134, RtSigprocmask = 135, Ioctl = 29, Dup = 23, Nanosleep = 101;
    public const long Getpid = 172, Sendfile = 71, Socket = 198, Sendmsg = 211, Recvmsg = 212, Socketpair = 199;
    public const long Clone = 220, Execve = 221, Exit = 93, Wait4 = 260, Kill = 129, Uname = 160, Fcntl = 25;
    public const long Flock = 32, Fsync = 82, Getcwd = 17, Chdir = 49, Fchdir = 50, Fchmod = 52, Fchown = 55;
    public const long Umask = 166, Getrlimit = 163, Getuid = 174, Setuid = 146, Setgid = 144, Setpgid = 154;
    public const long Getppid = 173, Setsid = 157, Setgroups = 159, Setresuid = 147, Setresgid = 149;
    public const long Capget = 90, Capset = 91, Personality = 92, Statfs = 43, Fstatfs = 44, Prctl = 167;
    public const long Chroot = 51, Setrlimit = 164, Mount = 40, Umount2 = 39, Sethostname = 161;
    public const long Setdomainname = 162, Gettid = 178, Tkill = 130, SchedSetaffinity = 122;
    public const long SchedGetaffinity = 123, Getcpu = 168, ExitGroup = 94, Tgkill = 131, Openat = 56;
    public const long Mkdirat = 34, Mknodat = 33, Fchownat = 54, Newfstatat = 79, Unlinkat = 35, Renameat = 38;
    public const long Symlinkat = 36, Readlinkat = 78, Fchmodat = 53, Faccessat = 48, Unshare = 97;
    public const long Signalfd4 = 74, Dup3 = 24, Pipe2 = 59, Getdents64 = 61, Prlimit64 = 261, Setns = 268;
    public const long Seccomp = 277, Memfd = 279, Execveat = 281, Statx = 291, PidfdSendSignal = 424;
    public const long OpenTree = 428, MoveMount = 429, Fsopen = 430, Fsconfig = 431, Fsmount = 432, Fspick = 433;
    public const long PidfdOpen = 434, Clone3 = 435, CloseRange = 436, Openat2 = 437, PidfdGetfd = 438;
    public const long Faccessat2 = 439, MountSetattr = 442, PivotRoot = 41, InotifyAddWatch = 27, Eventfd2 = 19;
    public const long InotifyInit1 = 26, SetMempolicy = 237, IoprioSet = 30, SchedSetattr = 274, Ppoll = 73;
    public const long Lseek = 62, Connect = 203, Sendto = 206, Keyctl = 219, Recvfrom = 207, Bpf = 280;
    public const long Geteuid = 175, Getegid = 177, Utimensat = 88, Linkat = 37;
}
#else
/// <summary>x86_64 system call numbers (asm/unistd_64.h).</summary>
internal static class Nr
{
    public const long Read = 0, Write = 1, Close = 3, Fstat = 5, Munmap = 11, Pread64 = 17, RtSigaction = 13;
    public const long RtSigprocmask = 14, Ioctl = 16, Dup = 32, Nanosleep = 35, Getpid = 39, Sendfile = 40;
    public const long Socket = 41, Sendmsg = 46, Recvmsg = 47, Socketpair = 53, Clone = 56, Execve = 59;
    public const long Exit = 60, Wait4 = 61, Kill = 62, Uname = 63, Fcntl = 72, Flock = 73, Fsync = 74;
    public const long Getcwd = 79, Chdir = 80, Fchdir = 81, Fchmod = 91, Fchown = 93, Umask = 95, Getrlimit = 97;
    public const long Getuid = 102, Setuid = 105, Setgid = 106, Setpgid = 109, Getppid = 110, Setsid = 112;
    public const long Setgroups = 116, Setresuid = 117, Setresgid = 119, Capget = 125, Capset = 126;
    public const long Personality = 135, Statfs = 137, Fstatfs = 138, Prctl = 157, Chroot = 161, Setrlimit = 160;
    public const long Mount = 165, Umount2 = 166, Sethostname = 170, Setdomainname = 171, Gettid = 186;
    public const long Tkill = 200, SchedSetaffinity = 203, SchedGetaffinity = 204, Getcpu = 309, ExitGroup = 231;
    public const long Tgkill = 234, Openat = 257, Mkdirat = 258, Mknodat = 259, Fchownat = 260, Newfstatat = 262;
    public const long Unlinkat = 263, Renameat = 264, Symlinkat = 266, Readlinkat = 267, Fchmodat = 268;
    public const long Faccessat = 269, Unshare = 272, Signalfd4 = 289, Dup3 = 292, Pipe2 = 293, Getdents64 = 217;
    public const long Prlimit64 = 302, Setns = 308, Seccomp = 317, Memfd = 319, Execveat = 322, Statx = 332;
    public const long PidfdSendSignal = 424, OpenTree = 428, MoveMount = 429, Fsopen = 430, Fsconfig = 431;
    public const long Fsmount = 432, Fspick = 433, PidfdOpen = 434, Clone3 = 435, CloseRange = 436;
    public const long Openat2 = 437, PidfdGetfd = 438, Faccessat2 = 439, MountSetattr = 442, PivotRoot = 155;
    public const long InotifyAddWatch = 254, Eventfd2 = 290, InotifyInit1 = 294, SetMempolicy = 238;
    public const long IoprioSet = 251, SchedSetattr = 314, Ppoll = 271, Lseek = 8, Connect = 42, Sendto = 44;
    public const long Keyctl = 250, Recvfrom = 45, Bpf = 321, Geteuid = 107, Getegid = 108, Utimensat = 280;
    public const long Linkat = 265;
}
#endif
