using CsRun.Spec;
using System.Reflection;
using System.Text.Json.Serialization;

namespace CsRun.Tests.Spec;

/// <summary>Every leaf field of the runtime-spec model (src/CsRun/Spec), by its JSON path:
/// `process.scheduler.nice`, `mounts[].options`, `linux.netDevices{}.name`. A list or map of
/// spec records is walked into (`[]`, `{}`); a list or map of plain values is a leaf.</summary>
internal static class SpecModelWalk
{
    public static List<string> Paths()
    {
        var paths = new List<string>();
        Walk(typeof(Config), "", paths);
        return paths;
    }

    static void Walk(Type record, string prefix, List<string> paths)
    {
        foreach (var p in record.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            // A public property without a JSON name would be neither read nor written: name it
            // so that the coverage table has to say what it is.
            string name = p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? $"<{record.Name}.{p.Name} has no JsonPropertyName>";
            string path = prefix + name;
            var t = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
            if (IsRecord(t)) Walk(t, path + ".", paths);
            else if (ElementOf(t, typeof(List<>)) is { } item && IsRecord(item)) Walk(item, path + "[].", paths);
            else if (ElementOf(t, typeof(Dictionary<,>)) is { } value && IsRecord(value)) Walk(value, path + "{}.", paths);
            else paths.Add(path);
        }
    }

    static bool IsRecord(Type t) => t.IsClass && t != typeof(string) && t.Namespace == "CsRun.Spec" && !t.IsGenericType;

    /// <summary>The element type of a List&lt;T&gt; or the value type of a Dictionary&lt;K, V&gt;.</summary>
    static Type? ElementOf(Type t, Type generic) =>
        t.IsGenericType && t.GetGenericTypeDefinition() == generic ? t.GetGenericArguments()[^1] : null;
}
