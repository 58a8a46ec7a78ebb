namespace CsRun.Container;

/// <summary>Facts about a pid from /proc/&lt;pid&gt;/stat.</summary>
internal readonly record struct ProcessInfo(char State, ulong StartTime, uint Flags)
{
    /// <summary>PF_EXITING: killed and on its way out. A pid-namespace init stays in this state
    /// until every process of its namespace has been reaped, which may be by someone else.</summary>
    const uint PfExiting = 0x4;

    public bool IsZombie => State is 'Z' or 'X' or 'x' || (Flags & PfExiting) != 0;

    public static ProcessInfo? Read(int pid)
    {
        if (pid <= 0) return null;
        if (Linux.KernelFile.Read($"/proc/{pid}/stat", out string stat) < 0) return null;
        // comm may hold spaces and parentheses: parse from the last ')'. Then field 3 is the
        // state, 9 the flags, 22 the start time.
        int close = stat.LastIndexOf(')');
        if (close < 0 || close + 2 >= stat.Length) return null;
        var rest = stat.AsSpan(close + 2);
        char state = rest[0];
        ulong flags = 0, start = 0;
        for (int field = 3; field <= 22; field++)
        {
            int end = rest.IndexOf(' ');
            var token = end < 0 ? rest : rest[..end];
            if (field == 9 && !ulong.TryParse(token, out flags)) return null;
            if (field == 22) return ulong.TryParse(token, out start) ? new ProcessInfo(state, start, (uint)flags) : null;
            if (end < 0) return null;
            rest = rest[(end + 1)..];
        }
        return null;
    }

    /// <summary>Is <paramref name="pid"/> still the process that started at <paramref name="startTime"/>, and not a zombie?</summary>
    public static bool IsAlive(int pid, ulong startTime)
    {
        var info = Read(pid);
        return info is { } i && i.StartTime == startTime && !i.IsZombie;
    }
}
