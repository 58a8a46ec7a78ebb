using System.Globalization;

namespace CsRun.Cgroups;

/// <summary>The text formats of cgroup statistics files.</summary>
internal static class StatParsers
{
    static readonly char[] SpaceOrColon = { ' ', ':' };

    static readonly char[] Blanks = { ' ', '\t', '\n' };

    /// <summary>"key value" lines (memory.stat, cpu.stat); other lines are skipped.</summary>
    public static Dictionary<string, ulong> KeyValues(string? text)
    {
        var map = new Dictionary<string, ulong>();
        foreach (string line in Lines(text))
        {
            string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length == 2 && TryNumber(f[1], out ulong v)) map[f[0]] = v;
        }
        return map;
    }

    /// <summary>Blank-separated numbers (cpuacct.usage_percpu).</summary>
    public static List<ulong> Numbers(string? text)
    {
        var list = new List<ulong>();
        foreach (string f in (text ?? "").Split(Blanks, StringSplitOptions.RemoveEmptyEntries))
        {
            if (TryNumber(f, out ulong v)) list.Add(v);
        }
        return list;
    }

    /// <summary>A cpuset list, "0-3,8,10-11", expanded.</summary>
    public static List<ushort>? CpuList(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var list = new List<ushort>();
        foreach (string range in text.Trim().Split(','))
        {
            string[] ends = range.Split('-');
            if (!ushort.TryParse(ends[0], NumberStyles.None, CultureInfo.InvariantCulture, out ushort from)) continue;
            ushort to = from;
            if (ends.Length == 2 && !ushort.TryParse(ends[1], NumberStyles.None, CultureInfo.InvariantCulture, out to)) continue;
            for (int i = from; i <= to; i++) list.Add((ushort)i);
        }
        return list;
    }

    /// <summary>v1 blkio lines, "MAJ:MIN OP VALUE" or "MAJ:MIN VALUE"; the "Total N" line is dropped.</summary>
    public static List<BlkioEntry> BlkioLines(string text)
    {
        var list = new List<BlkioEntry>();
        foreach (string line in Lines(text))
        {
            string[] f = line.Split(SpaceOrColon, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 3 || !TryNumber(f[0], out ulong major) || !TryNumber(f[1], out ulong minor)) continue;
            string? op = f.Length >= 4 ? f[2] : null;
            if (TryNumber(f[^1], out ulong value)) list.Add(new BlkioEntry { Major = major, Minor = minor, Op = op, Value = value });
        }
        return list;
    }

    /// <summary>
    /// Huge page sizes the kernel offers, named as the hugetlb files name them ("2MB", "1GB")
    /// from /sys/kernel/mm/hugepages/hugepages-2048kB.
    /// </summary>
    public static List<string> HugePageSizes()
    {
        var sizes = new List<string>();
        string[] dirs;
        try
        {
            dirs = Directory.GetDirectories("/sys/kernel/mm/hugepages", "hugepages-*kB");
        }
        catch (IOException)
        {
            return sizes;
        }
        foreach (string dir in dirs)
        {
            string name = Path.GetFileName(dir);
            if (!ulong.TryParse(name["hugepages-".Length..^2], NumberStyles.None, CultureInfo.InvariantCulture, out ulong kb)) continue;
            sizes.Add(kb >= 1 << 20 ? $"{kb >> 20}GB" : kb >= 1 << 10 ? $"{kb >> 10}MB" : $"{kb}KB");
        }
        sizes.Sort(StringComparer.Ordinal);
        return sizes;
    }

    public static bool TryNumber(string s, out ulong value)
    {
        if (s == "max")
        {
            value = ulong.MaxValue;
            return true;
        }
        return ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    static string[] Lines(string? text) => (text ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
