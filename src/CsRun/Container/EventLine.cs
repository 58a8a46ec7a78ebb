using System.Text.Json;
using CsRun.Cgroups;

namespace CsRun.Container;

/// <summary>
/// One line of `events` output in runc's shape (types.Event): {"type","id","data"}, compact,
/// byte for byte what runc prints for the same numbers.
/// </summary>
internal static class EventLine
{
    // Go escapes none of the characters a container id may hold ('+' among them); the default encoder would.
    static readonly JsonWriterOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] Oom(string id) => Encode("oom", id, null);

    public static byte[] Stats(string id, CgroupStats stats) => Encode("stats", id, stats);

    /// <summary>
    /// The data is the cgroup statistics rewritten the way runc prints them: lists and "raw" are
    /// omitempty in runc, Go prints map keys sorted, and runc adds intel_rdt (empty without
    /// resctrl, which csrun does not manage) and network_interfaces (null: runc fills it only
    /// for interfaces it created, and csrun creates none).
    /// </summary>
    static byte[] Encode(string type, string id, CgroupStats? stats)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, Relaxed))
        {
            w.WriteStartObject();
            w.WriteString("type", type);
            w.WriteString("id", id);
            if (stats != null)
            {
                using var doc = JsonDocument.Parse(JsonSerializer.SerializeToUtf8Bytes(stats, StatsJson.Default.CgroupStats));
                w.WriteStartObject("data");
                WriteMembers(w, doc.RootElement, sorted: false);
                w.WriteStartObject("intel_rdt");
                w.WriteEndObject();
                w.WriteNull("network_interfaces");
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    static void WriteMembers(Utf8JsonWriter w, JsonElement obj, bool sorted)
    {
        var members = obj.EnumerateObject().ToList();
        if (sorted) members.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        foreach (var m in members)
        {
            var v = m.Value;
            bool empty = v.ValueKind == JsonValueKind.Array ? v.GetArrayLength() == 0 : v.ValueKind == JsonValueKind.Object && !v.EnumerateObject().Any();
            if (empty && (v.ValueKind == JsonValueKind.Array || m.Name == "raw")) continue;
            if (v.ValueKind != JsonValueKind.Object)
            {
                m.WriteTo(w);
                continue;
            }
            w.WriteStartObject(m.Name);
            WriteMembers(w, v, sorted: m.Name is "raw" or "hugetlb");
            w.WriteEndObject();
        }
    }
}
