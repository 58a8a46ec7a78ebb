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
        string stat;
        try { stat = File.ReadAllText($"/proc/{pid}/stat"); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
        // comm may hold spaces and parentheses: parse from the last ')'.
        int close = stat.LastIndexOf(')');
        if (close < 0) return null;
        var fields = stat[(close + 2)..].Split(' ');
        // fields[0] is field 3 (state); start time is field 22.
        if (fields.Length < 20 || !ulong.TryParse(fields[19], out ulong start)) return null;
        uint.TryParse(fields[6], out uint flags);
        return new ProcessInfo(fields[0][0], start, flags);
    }

    /// <summary>Is <paramref name="pid"/> still the process that started at <paramref name="startTime"/>, and not a zombie?</summary>
    public static bool IsAlive(int pid, ulong startTime)
    {
        var info = Read(pid);
        return info is { } i && i.StartTime == startTime && !i.IsZombie;
    }
}
