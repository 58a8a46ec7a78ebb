using System.Globalization;
using System.Text.Json;
using CsRun.Container;
using CsRun.Spec;
using Microsoft.Win32.SafeHandles;

namespace CsRun.Cli;

/// <summary>
/// runc's update: new limits from `-r FILE` (or `-r -` for stdin: containerd's shim) as
/// linux.resources JSON, which podman writes to a file, or else from the flags.
/// </summary>
internal sealed class UpdateCommand : ICommand
{
    public string Name => "update";
    public string Usage => "update container resource constraints";
    public string ArgsUsage => "<container-id>";

    public FlagSpec[] Flags => new[]
    {
        new FlagSpec("resources", "r", true, "path to the file containing the resources to update or '-' to read from the standard input"),
        new FlagSpec("blkio-weight", null, true, "Specifies per cgroup weight, range is from 10 to 1000"),
        new FlagSpec("cpu-period", null, true, "CPU CFS period to be used for hardcapping (in usecs). 0 to use system default"),
        new FlagSpec("cpu-quota", null, true, "CPU CFS hardcap limit (in usecs). Allowed cpu time in a given period"),
        new FlagSpec("cpu-burst", null, true, "CPU CFS hardcap burst limit (in usecs)"),
        new FlagSpec("cpu-share", null, true, "CPU shares (relative weight vs. other containers)"),
        new FlagSpec("cpu-rt-period", null, true, "CPU realtime period to be used for hardcapping (in usecs). 0 to use system default"),
        new FlagSpec("cpu-rt-runtime", null, true, "CPU realtime hardcap limit (in usecs). Allowed cpu time in a given period"),
        new FlagSpec("cpuset-cpus", null, true, "CPU(s) to use"),
        new FlagSpec("cpuset-mems", null, true, "Memory node(s) to use"),
        new FlagSpec("cpu-idle", null, true, "set cgroup SCHED_IDLE or not, 0: default behavior, 1: SCHED_IDLE"),
        new FlagSpec("memory", null, true, "Memory limit (in bytes)"),
        new FlagSpec("memory-reservation", null, true, "Memory reservation or soft_limit (in bytes)"),
        new FlagSpec("memory-swap", null, true, "Total memory usage (memory + swap); set '-1' to enable unlimited swap"),
        new FlagSpec("pids-limit", null, true, "Maximum number of pids allowed in the container"),
        new FlagSpec("kernel-memory", null, true, "(obsoleted; do not use)"),
        new FlagSpec("kernel-memory-tcp", null, true, "(obsoleted; do not use)"),
    };

    public int Run(GlobalOptions global, ParsedArgs args)
    {
        string id = OneId.From(args, Name);
        var change = args.Get("resources") is string input ? FromJson(input) : FromFlags(args);
        Updating.Update(new StateStore(global.Root), id, change);
        return 0;
    }

    static Resources FromJson(string input)
    {
        // stdin through its fd: System.Console is not used (see Output).
        using var stream = input == "-" ? new FileStream(new SafeFileHandle(0, ownsHandle: false), FileAccess.Read) : File.OpenRead(input);
        return JsonSerializer.Deserialize(stream, SpecJson.Default.Resources) ?? new Resources();
    }

    static Resources FromFlags(ParsedArgs args)
    {
        foreach (var obsolete in new[] { "kernel-memory", "kernel-memory-tcp" })
            if (args.Has(obsolete)) Log.Warn($"Setting --{obsolete} is ignored and will be removed");
        var r = new Resources
        {
            Memory = new MemoryResources
            {
                Limit = Bytes(args, "memory"), Swap = Bytes(args, "memory-swap"), Reservation = Bytes(args, "memory-reservation"),
            },
            Cpu = new CpuResources
            {
                Shares = Number(args, "cpu-share", ulong.Parse), Period = Number(args, "cpu-period", ulong.Parse),
                Burst = Number(args, "cpu-burst", ulong.Parse), RealtimePeriod = Number(args, "cpu-rt-period", ulong.Parse),
                Quota = Number(args, "cpu-quota", long.Parse), RealtimeRuntime = Number(args, "cpu-rt-runtime", long.Parse),
                Idle = Number(args, "cpu-idle", long.Parse), Cpus = args.Get("cpuset-cpus"), Mems = args.Get("cpuset-mems"),
            },
            Pids = new PidsResources { Limit = args.Int("pids-limit", 0) },
        };
        if (args.Int("blkio-weight", 0) is int weight and not 0) r.BlockIo = new BlockIo { Weight = (ushort)weight };
        return r;
    }

    static T? Number<T>(ParsedArgs args, string flag, Func<string, IFormatProvider, T> parse) where T : struct
    {
        var v = args.Get(flag);
        if (v == null) return null;
        try { return parse(v, CultureInfo.InvariantCulture); }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new RuntimeError($"invalid value for {flag}: {v}");
        }
    }

    /// <summary>A size as docker's RAMInBytes reads it ("64m", "1.5GiB", "1024"; binary units), or -1.</summary>
    internal static long? Bytes(ParsedArgs args, string flag)
    {
        var v = args.Get(flag);
        if (v == null) return null;
        if (v == "-1") return -1;
        string s = v;
        if (s.Length > 0 && s[^1] is 'b' or 'B') s = s[..^1];
        if (s.Length > 0 && s[^1] is 'i' or 'I') s = s[..^1];
        int power = s.Length > 0 ? "kmgtp".IndexOf(char.ToLowerInvariant(s[^1])) + 1 : 0;
        if (power > 0) s = s[..^1];
        if (s.EndsWith(' ')) s = s[..^1];
        bool number = s.Length > 0 && char.IsAsciiDigit(s[0]) && char.IsAsciiDigit(s[^1]) && s.All(ch => char.IsAsciiDigit(ch) || ch == '.') && !s.Contains("..");
        if (!number || !double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double n))
            throw new RuntimeError($"invalid value for {flag}: invalid size: '{v}'");
        return (long)(n * Math.Pow(1024, power));
    }
}
