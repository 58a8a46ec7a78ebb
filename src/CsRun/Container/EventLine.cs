using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsRun.Cgroups;

namespace CsRun.Container;

/// <summary>
/// One line of `events` output in runc's shape (types.Event): {"type","id","data"}, compact,
/// byte for byte what runc prints for the same numbers.
/// </summary>
internal static class EventLine
{
    // Go escapes none of the characters a container id may hold ('+' among them); the default encoder would.
    static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] Oom(string id) => Encode("oom", id, null);

    public static byte[] Stats(string id, CgroupStats stats) => Encode("stats", id, Data(stats));

    static byte[] Encode(string type, string id, JsonObject? data)
    {
        var e = new JsonObject { ["type"] = type, ["id"] = id };
        if (data != null) e["data"] = data;
        return Encoding.UTF8.GetBytes(e.ToJsonString(Relaxed) + "\n");
    }

    /// <summary>
    /// The cgroup statistics plus what runc reads elsewhere: intel_rdt (empty without resctrl,
    /// which csrun does not manage) and network_interfaces (null: runc fills it only for
    /// interfaces it created, and csrun creates none). Lists are omitempty in runc, "raw" too,
    /// and Go prints map keys sorted.
    /// </summary>
    static JsonObject Data(CgroupStats stats)
    {
        var data = JsonSerializer.SerializeToNode(stats, StatsJson.Default.CgroupStats)!.AsObject();
        DropEmptyLists(data);
        if (data["memory"] is JsonObject memory && memory["raw"] is JsonObject raw)
        {
            if (raw.Count == 0) memory.Remove("raw");
            else SortKeys(raw);
        }
        if (data["hugetlb"] is JsonObject hugetlb) SortKeys(hugetlb);
        data["intel_rdt"] = new JsonObject();
        data["network_interfaces"] = null;
        return data;
    }

    static void DropEmptyLists(JsonObject o)
    {
        foreach (var (name, value) in o.ToList())
        {
            if (value is JsonArray { Count: 0 }) o.Remove(name);
            else if (value is JsonObject child) DropEmptyLists(child);
        }
    }

    static void SortKeys(JsonObject o)
    {
        var items = o.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        o.Clear();
        foreach (var (key, value) in items) o[key] = value;
    }
}
