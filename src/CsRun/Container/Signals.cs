using CsRun.Errors;


namespace CsRun.Container;

/// <summary>Signal names as `kill` takes them: 9, KILL, SIGKILL, kill (and 0, the existence check).</summary>
internal static class Signals
{
    static readonly Dictionary<string, int> ByName = new()
    {
        ["HUP"] = 1, ["INT"] = 2, ["QUIT"] = 3, ["ILL"] = 4, ["TRAP"] = 5, ["ABRT"] = 6, ["IOT"] = 6, ["BUS"] = 7,
        ["FPE"] = 8, ["KILL"] = 9, ["USR1"] = 10, ["SEGV"] = 11, ["USR2"] = 12, ["PIPE"] = 13, ["ALRM"] = 14,
        ["TERM"] = 15, ["STKFLT"] = 16, ["CHLD"] = 17, ["CLD"] = 17, ["CONT"] = 18, ["STOP"] = 19, ["TSTP"] = 20,
        ["TTIN"] = 21, ["TTOU"] = 22, ["URG"] = 23, ["XCPU"] = 24, ["XFSZ"] = 25, ["VTALRM"] = 26, ["PROF"] = 27,
        ["WINCH"] = 28, ["IO"] = 29, ["POLL"] = 29, ["PWR"] = 30, ["SYS"] = 31,
    };

    public static int Parse(string raw)
    {
        if (int.TryParse(raw, out int n))
        {
            // 0 sends nothing and only checks that the init exists, as kill(2) and runc take it.
            if (n < 0 || n > 64) throw new RuntimeError($"unknown signal \"{raw}\"");
            return n;
        }
        string name = raw.ToUpperInvariant();
        if (name.StartsWith("SIG")) name = name[3..];
        if (ByName.TryGetValue(name, out int sig)) return sig;
        if (name.StartsWith("RTMIN")) return RealTime(raw, name[5..], 34, +1);
        if (name.StartsWith("RTMAX")) return RealTime(raw, name[5..], 64, -1);
        throw new RuntimeError($"unknown signal \"{raw}\"");
    }

    static int RealTime(string raw, string offset, int base_, int sign)
    {
        if (offset.Length == 0) return base_;
        if (int.TryParse(offset, out int k) && Math.Abs(k) <= 30) return base_ + k;
        throw new RuntimeError($"unknown signal \"{raw}\"");
    }
}
