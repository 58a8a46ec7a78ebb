using System.Globalization;
using CsRun.Errors;
using CsRun.Linux;

namespace CsRun.Cgroups;

/// <summary>
/// Reads and writes of one cgroup's files. Errors read like runc's, prefixed with the config
/// field that asked for the write:
/// <c>linux.resources.memory.limit: write /sys/fs/cgroup/memory/x/memory.limit_in_bytes: device or resource busy</c>.
/// </summary>
internal static class CgroupFiles
{
    public static string PathOf(string dir, string file) => dir + "/" + file;

    /// <summary>The v1 controller's directory, or an error for a field that needs an absent controller.</summary>
    public static string Need(string? dir, string controller, string field) =>
        dir ?? throw new RuntimeError($"{field}: the {controller} cgroup controller is not mounted on this host");

    public static bool Exists(string dir, string file) => KernelFile.Exists(PathOf(dir, file));

    /// <summary>Writes, or returns the errno (positive) for callers that handle some of them.</summary>
    public static int TryWrite(string dir, string file, string value) => -KernelFile.Write(PathOf(dir, file), value);

    public static void Write(string dir, string file, string value, string field)
    {
        int errno = TryWrite(dir, file, value);
        if (errno != 0) throw WriteError(field, dir, file, errno);
    }

    public static RuntimeError WriteError(string field, string dir, string file, int errno, string detail = "") =>
        new($"{field}: write {PathOf(dir, file)}: {Errno.Message(errno)}{detail}");

    /// <summary>The file's text, or null when it (or its cgroup) does not exist.</summary>
    public static string? TryRead(string dir, string file)
    {
        int r = KernelFile.Read(PathOf(dir, file), out string text);
        if (r == 0) return text;
        // ENODEV: the cgroup was removed while we read it.
        if (r == -Errno.ENOENT || r == -Errno.ENODEV) return null;
        throw new RuntimeError($"read {PathOf(dir, file)}: {Errno.Message(-r)}");
    }

    public static string Read(string dir, string file) =>
        TryRead(dir, file) ?? throw new RuntimeError($"read {PathOf(dir, file)}: {Errno.Message(Errno.ENOENT)}");

    /// <summary>A single-number file; "max" reads as <see cref="ulong.MaxValue"/>.</summary>
    public static ulong ReadUInt(string dir, string file) => ParseUInt(Read(dir, file).Trim(), dir, file);

    public static ulong? TryReadUInt(string dir, string file) =>
        TryRead(dir, file) is string s ? ParseUInt(s.Trim(), dir, file) : null;

    internal static ulong ParseUInt(string s, string dir, string file)
    {
        if (s == "max") return ulong.MaxValue;
        if (ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out ulong v)) return v;
        // v1 reports "unlimited" for some values as a negative number (e.g. -1 in a quota file).
        if (long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n) && n < 0) return 0;
        throw new RuntimeError($"unable to parse {PathOf(dir, file)}: unexpected value {s}");
    }

    public static string Num(long v) => v.ToString(CultureInfo.InvariantCulture);
    public static string Num(ulong v) => v.ToString(CultureInfo.InvariantCulture);
}
