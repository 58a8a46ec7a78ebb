namespace CsRun.Linux;

/// <summary>Flags and numbers from the kernel's uapi headers (asm-generic, and x86_64's or arm64's where they differ).</summary>
internal static class O
{
    public const int RdOnly = 0, WrOnly = 1, RdWr = 2, Creat = 0x40, Excl = 0x80, NoCtty = 0x100;
    public const int Trunc = 0x200, Append = 0x400, NonBlock = 0x800, CloExec = 0x80000, Path = 0x200000;
#if ARM64
    // arch/arm64/include/uapi/asm/fcntl.h
    public const int Directory = 0x4000, NoFollow = 0x8000;
#else
    public const int Directory = 0x10000, NoFollow = 0x20000;
#endif
    /// <summary>O_TMPFILE: __O_TMPFILE with O_DIRECTORY.</summary>
    public const int TmpFile = 0x400000 | Directory;
    public const int AtFdCwd = -100;
    public const int AtSymlinkNoFollow = 0x100, AtRemoveDir = 0x200, AtEmptyPath = 0x1000;
}

/// <summary>openat2(2) resolve flags.</summary>
internal static class Resolve
{
    public const ulong NoXdev = 0x01, NoMagicLinks = 0x02, NoSymlinks = 0x04, Beneath = 0x08, InRoot = 0x10;
}

internal static class Ms
{
    public const ulong RdOnly = 1, NoSuid = 2, NoDev = 4, NoExec = 8, Synchronous = 16, Remount = 32;
    public const ulong Mandlock = 64, DirSync = 128, NoSymFollow = 256, NoAtime = 1024, NoDirAtime = 2048;
    public const ulong Bind = 4096, Move = 8192, Rec = 16384, Silent = 32768, PosixAcl = 1 << 16;
    public const ulong Unbindable = 1 << 17, Private = 1 << 18, Slave = 1 << 19, Shared = 1 << 20;
    public const ulong RelAtime = 1 << 21, KernMount = 1 << 22, IVersion = 1 << 23, StrictAtime = 1 << 24;
    public const ulong LazyTime = 1 << 25;
    public const ulong PropagationMask = Shared | Slave | Private | Unbindable;
    public const int MntDetach = 2;
}

internal static class CloneFlags
{
    public const long NewTime = 0x80, NewNs = 0x20000, NewCgroup = 0x02000000, NewUts = 0x04000000;
    public const long NewIpc = 0x08000000, NewUser = 0x10000000, NewPid = 0x20000000, NewNet = 0x40000000;
    public const long Parent = 0x8000;
}

internal static class Pr
{
    public const int SetPdeathsig = 1, SetDumpable = 4, SetKeepCaps = 8, SetName = 15, CapbsetRead = 23, CapbsetDrop = 24;
    public const int SetChildSubreaper = 36, SetNoNewPrivs = 38, CapAmbient = 47;
    public const int CapAmbientRaise = 2, CapAmbientClearAll = 4;
}

internal static class Sig
{
    public const int Hup = 1, Int = 2, Quit = 3, Kill = 9, Usr1 = 10, Pipe = 13, Alrm = 14, Term = 15;
    public const int Chld = 17, Cont = 18, Stop = 19, Tstp = 20, Winch = 28;
    public const int Max = 64;
}

internal static class S
{
    public const uint IfMt = 0xF000, IfDir = 0x4000, IfReg = 0x8000, IfLnk = 0xA000, IfChr = 0x2000;
    public const uint IfBlk = 0x6000, IfIfo = 0x1000, IfSock = 0xC000;
}

internal static class Magic
{
    public const long Proc = 0x9fa0, Sysfs = 0x62656572, Tmpfs = 0x01021994, Cgroup = 0x27e0eb, Cgroup2 = 0x63677270;
    public const long Nsfs = 0x6e736673;
}

/// <summary>seccomp(2) operations and SECCOMP_FILTER_FLAG_* (linux/seccomp.h).</summary>
internal static class SeccompConst
{
    public const uint SetModeFilter = 1;
    public const uint FlagTsync = 1, FlagLog = 2, FlagSpecAllow = 4, FlagNewListener = 8, FlagTsyncEsrch = 16;
    public const uint FlagWaitKillableRecv = 32;
    /// <summary>BPF_MAXINSNS: the kernel refuses a longer classic BPF program.</summary>
    public const int MaxInstructions = 4096;
}

internal static class Mfd
{
    public const uint CloExec = 1;
}

/// <summary>
/// Offsets in the kernel's struct stat (fstat, newfstatat), which differs between x86_64
/// (arch/x86/include/uapi/asm/stat.h, 144 bytes) and arm64 (asm-generic/stat.h, 128 bytes).
/// st_dev, st_ino, st_size and the timestamps are at the same place on both; st_nlink is 8 bytes
/// on x86_64 and 4 on arm64 (read its low 4 bytes: little-endian on both).
/// </summary>
internal static class KStat
{
    /// <summary>A buffer this large holds either layout.</summary>
    public const int Size = 144;
    public const int Dev = 0, Ino = 8, FileSize = 48, Atime = 72, Mtime = 88;
#if ARM64
    public const int Mode = 16, Nlink = 20, Uid = 24, Gid = 28, Rdev = 32;
#else
    public const int Mode = 24, Nlink = 16, Uid = 28, Gid = 32, Rdev = 40;
#endif
}
