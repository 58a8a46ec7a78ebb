using CsRun.Diagnostics;
using CsRun.Errors;
using CsRun.Spec;

namespace CsRun.Cgroups;

/// <summary>Device access bits, with the values of the kernel's BPF_DEVCG_ACC_*.</summary>
[Flags]
internal enum DeviceAccess : byte
{
    None = 0,
    Mknod = 1,
    Read = 2,
    Write = 4,
    All = Mknod | Read | Write,
}

/// <summary>A device rule's match: type 'b' or 'c', major and minor with -1 for "any".</summary>
internal readonly record struct DeviceMatch(char Type, long Major, long Minor);

/// <summary>One exception to the default policy, as the emulator reduces the rules to.</summary>
internal readonly record struct DeviceException(DeviceMatch Match, DeviceAccess Access, bool Allow)
{
    /// <summary>"c 1:3 rwm", the cgroup v1 line.</summary>
    public override string ToString() =>
        $"{Match.Type} {(Match.Major < 0 ? "*" : Match.Major.ToString())}:{(Match.Minor < 0 ? "*" : Match.Minor.ToString())} {DeviceEmulator.AccessText(Access)}";
}

/// <summary>
/// The v1 devices controller replayed in memory, as runc does for v2 and systemd: a rule of
/// type "a" resets everything to allow-all or deny-all; any other rule adds an exception to
/// the default or takes one away. Later rules override earlier ones. The result is a default
/// plus a set of exceptions that all go the other way, so their order no longer matters.
/// Like runc, a rule that would punch a hole into a wildcard exception (deny c 1:3 after
/// allowing c 1:*) is an error: v1 ignores it silently, which would be a false sense of safety.
/// </summary>
internal sealed class DeviceEmulator
{
    const string Field = "linux.resources.devices";

    readonly Dictionary<DeviceMatch, DeviceAccess> _exceptions = new();

    /// <summary>True once an "allow a" rule put the emulator in deny-list mode (all devices
    /// allowed but the exceptions). A new emulator denies everything (allow-list mode).</summary>
    public bool DefaultAllow { get; private set; }

    public bool AllowsAll => DefaultAllow && _exceptions.Count == 0;

    public static DeviceEmulator From(IReadOnlyList<DeviceRule>? rules)
    {
        var emu = new DeviceEmulator();
        if (rules == null) return emu;
        for (int i = 0; i < rules.Count; i++) emu.Apply(rules[i], $"{Field}[{i}]");
        return emu;
    }

    public void Apply(DeviceRule rule, string field)
    {
        string type = string.IsNullOrEmpty(rule.Type) ? "a" : rule.Type;
        if (type is not ("a" or "b" or "c")) throw new RuntimeError($"{field}.type: invalid device type \"{type}\"");
        DeviceAccess access = ParseAccess(rule.Access, field);
        if (type == "a")
        {
            DefaultAllow = rule.Allow;
            _exceptions.Clear();
            return;
        }
        long major = Number(rule.Major, field + ".major"), minor = Number(rule.Minor, field + ".minor");
        var match = new DeviceMatch(type[0], major, minor);
        // An allow in allow-list mode (or a deny in deny-list mode) adds an exception;
        // the other way round it takes one away.
        if (rule.Allow != DefaultAllow) Add(match, access);
        else Remove(match, access, field);
    }

    /// <summary>The exceptions, sorted by major, minor, type (runc's order), wildcards first.</summary>
    public List<DeviceException> Exceptions()
    {
        var list = _exceptions.Select(e => new DeviceException(e.Key, e.Value, !DefaultAllow)).ToList();
        list.Sort((a, b) =>
        {
            int c = a.Match.Major.CompareTo(b.Match.Major);
            if (c == 0) c = a.Match.Minor.CompareTo(b.Match.Minor);
            return c != 0 ? c : a.Match.Type.CompareTo(b.Match.Type);
        });
        return list;
    }

    void Add(DeviceMatch match, DeviceAccess access) =>
        _exceptions[match] = _exceptions.GetValueOrDefault(match) | access;

    void Remove(DeviceMatch match, DeviceAccess access, string field)
    {
        ReadOnlySpan<DeviceMatch> wider = stackalloc DeviceMatch[]
        {
            match with { Major = -1 },
            match with { Minor = -1 },
            match with { Major = -1, Minor = -1 },
        };
        foreach (var w in wider)
        {
            if (w == match) continue;
            DeviceAccess overlap = _exceptions.GetValueOrDefault(w) & access;
            if (overlap != DeviceAccess.None)
            {
                var hole = new DeviceException(match, access, false);
                var existing = new DeviceException(w, _exceptions[w], false);
                throw new RuntimeError($"{field}: rule \"{hole}\" would punch a hole in the wider rule \"{existing}\", which cgroup devices rules cannot express");
            }
        }
        if (!_exceptions.TryGetValue(match, out DeviceAccess old)) return;
        DeviceAccess left = old & ~access;
        if (left == DeviceAccess.None) _exceptions.Remove(match);
        else _exceptions[match] = left;
    }

    static long Number(long? value, string field)
    {
        if (value is not long v || v < 0) return -1;
        if (v > uint.MaxValue) throw new RuntimeError($"{field}: {v} is out of range");
        return v;
    }

    /// <summary>
    /// r, w and m in any order, repeats allowed; any other character is ignored with a warning,
    /// as runc 1.1.5 does ("rwa" is rw), but one of r, w, m must be there.
    /// </summary>
    internal static DeviceAccess ParseAccess(string? text, string field)
    {
        DeviceAccess access = DeviceAccess.None;
        string ignored = "";
        foreach (char ch in text ?? "")
        {
            access |= ch switch
            {
                'r' => DeviceAccess.Read,
                'w' => DeviceAccess.Write,
                'm' => DeviceAccess.Mknod,
                _ => DeviceAccess.None,
            };
            if (ch is not ('r' or 'w' or 'm')) ignored += ch;
        }
        if (access == DeviceAccess.None)
            throw new RuntimeError($"{field}.access: invalid device access \"{text}\" (want a combination of r, w, m)");
        if (ignored.Length > 0)
            Log.Warn($"{field}.access: ignoring \"{ignored}\" in \"{text}\": device access is made of r, w and m (taken as \"{AccessText(access)}\")");
        return access;
    }

    /// <summary>"rwm" order, as devices.list and systemd's DeviceAllow write it.</summary>
    public static string AccessText(DeviceAccess a) =>
        ((a & DeviceAccess.Read) != 0 ? "r" : "") + ((a & DeviceAccess.Write) != 0 ? "w" : "") + ((a & DeviceAccess.Mknod) != 0 ? "m" : "");
}
