using CsRun.Linux;

namespace CsRun.Launch;

/// <summary>
/// CVE-2019-5736: a container whose entrypoint is csrun's own image (`#!/proc/self/exe`, or
/// /proc/self/exe itself) would run the host binary inside the container, where a process can
/// reopen it for writing once it exits. Before execve the child follows the executable and its
/// chain of #! interpreters and refuses any that is the csrun binary (same device and inode).
/// </summary>
internal static unsafe class ChildExecGuard
{
    const int MaxInterpreterDepth = 5;

    public static long Check(long path, ulong runtimeDev, ulong runtimeIno)
    {
        byte* current = stackalloc byte[256];
        byte* st = stackalloc byte[144];
        byte* head = stackalloc byte[256];
        long p = path;
        for (int depth = 0; depth < MaxInterpreterDepth; depth++)
        {
            if (Libc.Raw(Nr.Stat, p, (long)st) < 0) return 0; // execve will report it
            if (*(ulong*)st == runtimeDev && *(ulong*)(st + 8) == runtimeIno) return -ChildErrors.RuntimeImage;
            long fd = Libc.Raw(Nr.Open, p, O.RdOnly | O.CloExec);
            if (fd < 0) return 0;
            long n = Libc.Raw(Nr.Read, fd, (long)head, 255);
            Libc.Raw(Nr.Close, fd);
            if (n < 3 || head[0] != '#' || head[1] != '!') return 0;
            int i = 2;
            while (i < n && (head[i] == ' ' || head[i] == '\t')) i++;
            int len = 0;
            while (i < n && head[i] != ' ' && head[i] != '\t' && head[i] != '\n' && len < 255) current[len++] = head[i++];
            current[len] = 0;
            if (len == 0) return 0;
            p = (long)current;
        }
        return 0;
    }
}
