using CsRun.Errors;


namespace CsRun.Spec.Validation;

/// <summary>The building blocks of the rules: each failure is `json.path: what must hold`.</summary>
internal static class Check
{
    public static RuntimeError Fail(string path, string rule) => new($"{path}: {rule}");

    /// <summary>A path inside the container or on the host: set, and starting at '/'.</summary>
    public static void Absolute(string? value, string path)
    {
        if (string.IsNullOrEmpty(value)) throw Fail(path, "must be set");
        if (value[0] != '/') throw Fail(path, $"must be absolute (got \"{value}\")");
    }

    public static void OneOf(string value, IEnumerable<string> allowed, string path)
    {
        if (!allowed.Contains(value)) throw Fail(path, $"must be one of {string.Join(", ", allowed)} (got \"{value}\")");
    }

    /// <summary>No two entries share a key; the message points at both.</summary>
    public static void Unique<T>(IReadOnlyList<T>? items, Func<T, string> key, string listPath, string field)
    {
        if (items == null) return;
        var seen = new Dictionary<string, int>();
        for (int i = 0; i < items.Count; i++)
        {
            string k = key(items[i]);
            if (seen.TryGetValue(k, out int first))
                throw Fail($"{listPath}[{i}].{field}", $"must not repeat \"{k}\" (also at {listPath}[{first}])");
            seen[k] = i;
        }
    }

    public static void NoNul(string? value, string path)
    {
        if (value != null && value.Contains('\0')) throw Fail(path, "must not contain a NUL byte");
    }

    /// <summary>The JSON path of a map entry, in System.Text.Json's spelling.</summary>
    public static string Key(string mapPath, string key) =>
        key.Length > 0 && key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_' || c == '-')
            ? $"{mapPath}.{key}"
            : $"{mapPath}['{key}']";

    /// <summary>A cpu or node list as the kernel reads it: "0-3,7" (empty: none).</summary>
    public static void CpuList(string? value, string path)
    {
        if (string.IsNullOrEmpty(value)) return;
        foreach (var part in value.Split(','))
        {
            var ends = part.Trim().Split('-');
            bool ok = ends.Length is 1 or 2 && ends.All(e => e.All(char.IsAsciiDigit) && ulong.TryParse(e, out _));
            if (ok && ends.Length == 2 && ulong.Parse(ends[0]) > ulong.Parse(ends[1])) ok = false;
            if (!ok) throw Fail(path, $"must be a list of numbers and ranges such as 0-3,7 (got \"{value}\")");
        }
    }

    /// <summary>How many ids or cpus a list such as "0-3,7" names (after <see cref="CpuList"/>).</summary>
    public static ulong CountList(string? value)
    {
        if (string.IsNullOrEmpty(value)) return 0;
        ulong n = 0;
        foreach (var part in value.Split(','))
        {
            var ends = part.Trim().Split('-');
            n += ends.Length == 2 ? ulong.Parse(ends[1]) - ulong.Parse(ends[0]) + 1 : 1;
        }
        return n;
    }
}
