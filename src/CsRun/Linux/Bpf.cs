using System.Text;

namespace CsRun.Linux;

/// <summary>
/// bpf(2) for cgroup device programs: load, attach, replace, query and detach
/// (linux/bpf.h). Every call returns its result or -errno. For the parent only: these allocate.
/// </summary>
internal static unsafe class Bpf
{
    const int ProgLoad = 5, ProgAttach = 8, ProgDetach = 9, ProgGetFdById = 13, ProgQuery = 16;

    /// <summary>BPF_PROG_TYPE_CGROUP_DEVICE.</summary>
    public const int ProgTypeCgroupDevice = 15;

    /// <summary>BPF_CGROUP_DEVICE, the attach type of device programs.</summary>
    public const int AttachCgroupDevice = 6;

    /// <summary>BPF_F_ALLOW_MULTI: the cgroup may hold several programs (all must allow).
    /// BPF_F_REPLACE: swap one attached program for another in one step.</summary>
    public const uint FlagAllowMulti = 2, FlagReplace = 4;

    const int RlimitMemlock = 8;

    /// <summary>
    /// BPF_PROG_LOAD of a cgroup device program; returns the program's fd or -errno. On
    /// failure <paramref name="verifierLog"/> holds what the verifier said (a second load with
    /// the log on). Kernels before 5.11 charge programs to RLIMIT_MEMLOCK: on EPERM the limit
    /// is lifted for the load and put back after, so that the container (forked later) does
    /// not inherit it.
    /// </summary>
    public static int LoadCgroupDevice(ReadOnlySpan<ulong> insns, string license, out string verifierLog)
    {
        verifierLog = "";
        int fd = Load(insns, license, null);
        if (fd == -Errno.EPERM)
        {
            long* old = stackalloc long[2];
            long* inf = stackalloc long[2] { -1, -1 };
            if (Libc.Sys(Nr.Prlimit64, 0, RlimitMemlock, (long)inf, (long)old) == 0)
            {
                fd = Load(insns, license, null);
                Libc.Sys(Nr.Prlimit64, 0, RlimitMemlock, (long)old, 0);
            }
        }
        if (fd < 0 && fd != -Errno.EPERM && fd != -Errno.ENOSYS)
        {
            var log = new byte[64 * 1024];
            if (Load(insns, license, log) < 0)
            {
                int len = Array.IndexOf(log, (byte)0);
                verifierLog = Encoding.UTF8.GetString(log, 0, len < 0 ? log.Length : len).Trim();
            }
        }
        return fd;
    }

    static int Load(ReadOnlySpan<ulong> insns, string license, byte[]? log)
    {
        // union bpf_attr, the BPF_PROG_LOAD part up to expected_attach_type (72 bytes).
        byte* attr = stackalloc byte[72];
        new Span<byte>(attr, 72).Clear();
        byte[] lic = Encoding.ASCII.GetBytes(license + "\0");
        fixed (ulong* code = insns)
        fixed (byte* l = lic)
        fixed (byte* logBuf = log)
        {
            *(uint*)(attr + 0) = ProgTypeCgroupDevice;
            *(uint*)(attr + 4) = (uint)insns.Length;
            *(ulong*)(attr + 8) = (ulong)code;
            *(ulong*)(attr + 16) = (ulong)l;
            if (log != null)
            {
                *(uint*)(attr + 24) = 1; // log_level
                *(uint*)(attr + 28) = (uint)log.Length;
                *(ulong*)(attr + 32) = (ulong)logBuf;
            }
            return (int)Call(ProgLoad, attr, 72);
        }
    }

    /// <summary>
    /// BPF_PROG_ATTACH of <paramref name="progFd"/> to the cgroup directory fd, with
    /// BPF_F_ALLOW_MULTI; with <paramref name="replaceFd"/> ≥ 0 it atomically replaces that
    /// attached program (BPF_F_REPLACE, Linux 5.6). Returns 0 or -errno.
    /// </summary>
    public static int Attach(int cgroupFd, int progFd, int attachType, int replaceFd = -1)
    {
        byte* attr = stackalloc byte[24];
        new Span<byte>(attr, 24).Clear();
        *(uint*)(attr + 0) = (uint)cgroupFd;
        *(uint*)(attr + 4) = (uint)progFd;
        *(uint*)(attr + 8) = (uint)attachType;
        *(uint*)(attr + 12) = FlagAllowMulti | (replaceFd >= 0 ? FlagReplace : 0);
        if (replaceFd >= 0) *(uint*)(attr + 16) = (uint)replaceFd;
        return (int)Call(ProgAttach, attr, 24);
    }

    /// <summary>BPF_PROG_DETACH of one program from a multi-program cgroup. Returns 0 or -errno.</summary>
    public static int Detach(int cgroupFd, int progFd, int attachType)
    {
        byte* attr = stackalloc byte[24];
        new Span<byte>(attr, 24).Clear();
        *(uint*)(attr + 0) = (uint)cgroupFd;
        *(uint*)(attr + 4) = (uint)progFd;
        *(uint*)(attr + 8) = (uint)attachType;
        return (int)Call(ProgDetach, attr, 24);
    }

    /// <summary>
    /// BPF_PROG_QUERY: ids of the programs of that attach type attached to this very cgroup
    /// (not the ones inherited from ancestors). Returns 0 or -errno.
    /// </summary>
    public static int Query(int cgroupFd, int attachType, out uint[] ids)
    {
        ids = Array.Empty<uint>();
        // A cgroup holds at most 64 programs per attach type; ENOSPC reports the real count.
        for (int size = 64, tries = 0; tries < 10; tries++)
        {
            var buf = new uint[size];
            byte* attr = stackalloc byte[32];
            new Span<byte>(attr, 32).Clear();
            long r;
            fixed (uint* p = buf)
            {
                *(uint*)(attr + 0) = (uint)cgroupFd;
                *(uint*)(attr + 4) = (uint)attachType;
                *(ulong*)(attr + 16) = (ulong)p;
                *(uint*)(attr + 24) = (uint)size;
                r = Call(ProgQuery, attr, 32);
            }
            int count = (int)*(uint*)(attr + 24);
            if (r == -Errno.ENOSPC && count > size)
            {
                size = count;
                continue;
            }
            if (r < 0) return (int)r;
            ids = buf.AsSpan(0, Math.Min(count, size)).ToArray();
            return 0;
        }
        return -Errno.ENOSPC;
    }

    /// <summary>BPF_PROG_GET_FD_BY_ID: an fd of a loaded program, or -errno.</summary>
    public static int ProgramFd(uint id)
    {
        byte* attr = stackalloc byte[12];
        new Span<byte>(attr, 12).Clear();
        *(uint*)attr = id;
        return (int)Call(ProgGetFdById, attr, 12);
    }

    /// <summary>bpf(2); EINTR is retried, and EAGAIN (a load the verifier gave up on for now) a few times.</summary>
    static long Call(int cmd, byte* attr, int size)
    {
        long r;
        int again = 0;
        do r = Libc.Sys(Nr.Bpf, cmd, (long)attr, size);
        while (r == -Errno.EINTR || r == -Errno.EAGAIN && ++again < 5);
        return r;
    }
}
