using System.Globalization;
using CsRun.Container;
using CsRun.Errors;
using CsRun.Linux;
using CsRun.Spec;

namespace CsRun.Cli;

internal sealed class UpdateCommand : ICommand
{
    public string Name => "update";
    public string Usage => "update container resource constraints";
    public string ArgsUsage => "<container-id>";

    public FlagSpec[] Flags => new[]
    {
        new FlagSpec("resources", "r", true, "path to the file containing the resources to update or '-' to read from the standard input (all other options are then ignored)"),
        new FlagSpec("blkio-weight", null, true, "Specifies per cgroup weight, range is from 10 to 1000 (default: 0)"),
        new FlagSpec("cpu-period", null, true, "CPU CFS period to be used for hardcapping (in usecs). 0 to use system default"),
        new FlagSpec("cpu-quota", null, true, "CPU CFS hardcap limit (in usecs). Allowed cpu time in a given period"),
        new FlagSpec("cpu-burst", null, true, "CPU CFS hardcap burst limit (in usecs). Allowed accumulated cpu time additionally for burst a given period"),
        new FlagSpec("cpu-share", null, true, "CPU shares (relative weight vs. other containers)"),
        new FlagSpec("cpu-rt-period", null, true, "CPU realtime period to be used for hardcapping (in usecs). 0 to use system default"),
        new FlagSpec("cpu-rt-runtime", null, true, "CPU realtime hardcap limit (in usecs). Allowed cpu time in a given period"),
        new FlagSpec("cpuset-cpus", null, true, "CPU(s) to use"),
        new FlagSpec("cpuset-mems", null, true, "Memory node(s) to use"),
        new FlagSpec("cpu-idle", null, true, "set cgroup SCHED_IDLE or not, 0: default behavior, 1: SCHED_IDLE"),
        new FlagSpec("kernel-memory", null, true, "(obsoleted; do not use)"),
        new FlagSpec("kernel-memory-tcp", null, true, "(obsoleted; do not use)"),
        new FlagSpec("memory", null, true, "Memory limit (in bytes)"),
        new FlagSpec("memory-reservation", null, true, "Memory reservation or soft_limit (in bytes)"),
        new FlagSpec("memory-swap", null, true, "Total memory usage (memory + swap); set '-1' to enable unlimited swap"),
        new FlagSpec("pids-limit", null, true, "Maximum number of pids allowed in the container (default: 0)"),
        new FlagSpec("l3-cache-schema", null, true, "The string of Intel RDT/CAT L3 cache schema"),
        new FlagSpec("mem-bw-schema", null, true, "The string of Intel RDT/MBA memory bandwidth schema"),
    };

    public int Run(GlobalOptions global, ParsedArgs args)
    {
        string id = OneId.From(args, Name);
        var store = new StateStore(global.Root);
        var state = store.Load(id);
        string? file = args.Get("resources");
        var resources = string.IsNullOrEmpty(file) ? FromFlags(args) : FromJson(file);
        CheckIntelRdt(args, state.Config.Linux?.IntelRdt);
        Updater.Update(store, id, resources);
        return 0;
    }

    internal static Resources FromJson(string file)
    {
        byte[] json;
        int errno = file == "-" ? Files.ReadToEnd(0, out json, ConfigLoader.ResourcesLimit) : ConfigLoader.ReadBounded(file, ConfigLoader.ResourcesLimit, out json);
        if (errno == Errno.EFBIG) throw ConfigLoader.TooLarge("stdin", -1, ConfigLoader.ResourcesLimit);
        if (errno != 0) throw new RuntimeError($"{(file == "-" ? "read stdin" : "open " + file)}: {Errno.Message(errno)}");
        return FastConfigReader.ReadResourcesJson(json) ?? new Resources();
    }

    /// <summary>runc's flags, parsed as runc parses them: sizes may carry a unit, "-1" is unlimited.</summary>
    static Resources FromFlags(ParsedArgs args)
    {
        var r = new Resources
        {
            Memory = new MemoryResources { CheckBeforeUpdate = false },
            Cpu = new CpuResources(),
            BlockIo = new BlockIo(),
        };
        if (args.Get("blkio-weight") is string weight)
        {
            long w = Integer(weight, "blkio-weight");
            if (w != 0) r.BlockIo.Weight = (ushort)w;
        }
        if (args.Get("cpuset-cpus") is { Length: > 0 } cpus) r.Cpu.Cpus = cpus;
        if (args.Get("cpuset-mems") is { Length: > 0 } mems) r.Cpu.Mems = mems;
        r.Cpu.Idle = Value(args, "cpu-idle", Signed);
        r.Cpu.Burst = Value(args, "cpu-burst", Unsigned);
        r.Cpu.Period = Value(args, "cpu-period", Unsigned);
        r.Cpu.RealtimePeriod = Value(args, "cpu-rt-period", Unsigned);
        r.Cpu.Shares = Value(args, "cpu-share", Unsigned);
        r.Cpu.Quota = Value(args, "cpu-quota", Signed);
        r.Cpu.RealtimeRuntime = Value(args, "cpu-rt-runtime", Signed);
        r.Memory.Limit = Value(args, "memory", Size);
        r.Memory.Swap = Value(args, "memory-swap", Size);
        r.Memory.Kernel = Value(args, "kernel-memory", Size);
        r.Memory.KernelTcp = Value(args, "kernel-memory-tcp", Size);
        r.Memory.Reservation = Value(args, "memory-reservation", Size);
        if (args.Get("pids-limit") is string pids) r.Pids = new PidsResources { Limit = Integer(pids, "pids-limit") };
        return r;
    }

    /// <summary>A string flag runc reads only when not empty.</summary>
    static T? Value<T>(ParsedArgs args, string flag, Func<string, string, T> parse) where T : struct =>
        args.Get(flag) is { Length: > 0 } value ? parse(value, flag) : null;

    /// <summary>An int flag: urfave/cli's message on a bad value.</summary>
    static long Integer(string value, string flag) =>
        long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v)
            ? v
            : throw new RuntimeError($"invalid value \"{value}\" for flag -{flag}: parse error");

    static ulong Unsigned(string value, string flag) =>
        ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out ulong v)
            ? v
            : throw new RuntimeError($"invalid value for {flag}: strconv.ParseUint: parsing \"{value}\": {(IsDigits(value) ? "value out of range" : "invalid syntax")}");

    static long Signed(string value, string flag) =>
        long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v)
            ? v
            : throw new RuntimeError($"invalid value for {flag}: strconv.ParseInt: parsing \"{value}\": {(IsDigits(value.TrimStart('-', '+')) ? "value out of range" : "invalid syntax")}");

    static bool IsDigits(string s) => s.Length > 0 && s.All(char.IsAsciiDigit);

    static long Size(string value, string flag)
    {
        if (value == "-1") return -1;
        try
        {
            return RamSize.Parse(value);
        }
        catch (RuntimeError e)
        {
            throw new RuntimeError($"invalid value for {flag}: {e.Message}");
        }
    }

    /// <summary>
    /// csrun does not manage Intel RDT; on hosts without it (the usual case) the errors are
    /// runc's, and with it a schema update is refused rather than silently dropped.
    /// </summary>
    static void CheckIntelRdt(ParsedArgs args, IntelRdt? configured)
    {
        string l3 = args.Get("l3-cache-schema") ?? "", mb = args.Get("mem-bw-schema") ?? "";
        if (l3.Length == 0 && mb.Length == 0) return;
        string? resctrl = Resctrl.MountPoint();
        if (l3.Length > 0 && (resctrl == null || !Directory.Exists(Path.Combine(resctrl, "info", "L3"))))
            throw new RuntimeError("Intel RDT/CAT: l3 cache schema is not enabled");
        if (mb.Length > 0 && (resctrl == null || !Directory.Exists(Path.Combine(resctrl, "info", "MB"))))
            throw new RuntimeError("Intel RDT/MBA: memory bandwidth schema is not enabled");
        if (configured == null) throw new RuntimeError("updating a non-existent Intel RDT configuration is not supported");
        throw new RuntimeError("Intel RDT: csrun does not manage resctrl groups, so schemata cannot be updated");
    }
}
