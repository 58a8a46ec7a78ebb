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
    /// The data is the cgroup statistics as runc prints them (<see cref="StatsWriter"/>), then
    /// what runc adds: intel_rdt (empty without resctrl, which csrun does not manage) and
    /// network_interfaces (null: runc fills it only for interfaces it created, and csrun creates none).
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
                w.WriteStartObject("data");
                StatsWriter.WriteMembers(w, stats);
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
}
