using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace CsRun.Spec;

/// <summary>
/// Turns System.Text.Json's JsonException into `process.args: must be an array of strings`.
/// The exception only carries a JSON path ("$.linux.uidMappings[0].size"); the expected type
/// comes from walking that path through the source-generated metadata, and the value found
/// there in the document tells "must be a number" from "out of range". This runs only on the
/// error path, so its extra parse costs nothing on a good config.
/// </summary>
internal static class JsonErrorText
{
    readonly record struct Segment(string? Name, int Index, int End);

    public static string Describe(ReadOnlySpan<byte> json, JsonException e, JsonTypeInfo root)
    {
        // A reader failure (bad syntax) is wrapped with the reader's own JsonException inside.
        if (e.InnerException is JsonException || e.Path == null)
            return $"invalid JSON at line {e.LineNumber + 1}, column {e.BytePositionInLine + 1}";

        string path = e.Path;
        var segments = Split(path);
        Type type = root.Type;
        int shown = 0; // segments that name where the bad value is
        foreach (var seg in segments)
        {
            var child = Child(root.Options, type, seg);
            // No child: the segment is inside a value read as a whole (a string list), so the
            // error belongs to that value.
            if (child == null) break;
            type = child;
            shown++;
        }
        string where = shown == 0 ? "config.json" : path[(path[1] == '.' ? 2 : 1)..segments[shown - 1].End];
        JsonValueKind? actual = KindAt(json, segments.Take(shown));
        return $"{where}: {Rule(root.Options, type, actual)}";
    }

    static Type? Child(JsonSerializerOptions options, Type type, Segment seg)
    {
        var info = options.GetTypeInfo(Nullable.GetUnderlyingType(type) ?? type);
        return info.Kind switch
        {
            JsonTypeInfoKind.Object when seg.Name != null =>
                info.Properties.FirstOrDefault(p => string.Equals(p.Name, seg.Name, StringComparison.OrdinalIgnoreCase))?.PropertyType,
            JsonTypeInfoKind.Enumerable when seg.Name == null => info.ElementType,
            JsonTypeInfoKind.Dictionary when seg.Name != null => info.ElementType,
            _ => null,
        };
    }

    static string Rule(JsonSerializerOptions options, Type type, JsonValueKind? actual)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string)) return "must be a string";
        if (type == typeof(bool)) return "must be a boolean";
        if (IntegerRange(type) is var (min, max))
            return actual == JsonValueKind.Number ? $"must be an integer from {min} to {max}" : "must be a number";
        if (type == typeof(List<string>)) return "must be an array of strings";
        if (type == typeof(Dictionary<string, string>)) return "must be an object with string values";
        var info = options.GetTypeInfo(type);
        return info.Kind == JsonTypeInfoKind.Enumerable ? $"must be an array of {Plural(info.ElementType!)}" : "must be an object";
    }

    static string Plural(Type element)
    {
        element = Nullable.GetUnderlyingType(element) ?? element;
        if (element == typeof(string)) return "strings";
        return IntegerRange(element) != null ? "numbers" : "objects";
    }

    static (string Min, string Max)? IntegerRange(Type t) =>
        t == typeof(byte) ? ("0", byte.MaxValue.ToString()) :
        t == typeof(ushort) ? ("0", ushort.MaxValue.ToString()) :
        t == typeof(uint) ? ("0", uint.MaxValue.ToString()) :
        t == typeof(ulong) ? ("0", ulong.MaxValue.ToString()) :
        t == typeof(short) ? (short.MinValue.ToString(), short.MaxValue.ToString()) :
        t == typeof(int) ? (int.MinValue.ToString(), int.MaxValue.ToString()) :
        t == typeof(long) ? (long.MinValue.ToString(), long.MaxValue.ToString()) :
        null;

    /// <summary>Splits "$.a.b[3]['c.d']" into a, b, [3], c.d.</summary>
    static List<Segment> Split(string path)
    {
        var list = new List<Segment>();
        int i = 1; // after '$'
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                int end = path.IndexOfAny(new[] { '.', '[' }, i + 1);
                if (end < 0) end = path.Length;
                list.Add(new Segment(path[(i + 1)..end], -1, end));
                i = end;
            }
            else if (path[i] == '[' && i + 1 < path.Length && path[i + 1] == '\'')
            {
                int end = path.IndexOf("']", i + 2, StringComparison.Ordinal);
                if (end < 0) break;
                list.Add(new Segment(path[(i + 2)..end].Replace("\\'", "'"), -1, end + 2));
                i = end + 2;
            }
            else if (path[i] == '[')
            {
                int end = path.IndexOf(']', i);
                if (end < 0 || !int.TryParse(path.AsSpan(i + 1, end - i - 1), out int index)) break;
                list.Add(new Segment(null, index, end + 1));
                i = end + 1;
            }
            else break;
        }
        return list;
    }

    /// <summary>The JSON kind of the value at the path (null if the path is not there).</summary>
    static JsonValueKind? KindAt(ReadOnlySpan<byte> json, IEnumerable<Segment> segments)
    {
        try
        {
            var options = new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
            using var doc = JsonDocument.Parse(json.ToArray(), options);
            var element = doc.RootElement;
            foreach (var seg in segments)
            {
                JsonElement? next = null;
                if (seg.Name == null && element.ValueKind == JsonValueKind.Array && seg.Index < element.GetArrayLength())
                    next = element[seg.Index];
                else if (seg.Name != null && element.ValueKind == JsonValueKind.Object)
                    foreach (var p in element.EnumerateObject())
                        if (string.Equals(p.Name, seg.Name, StringComparison.OrdinalIgnoreCase)) next = p.Value;
                if (next == null) return null;
                element = next.Value;
            }
            return element.ValueKind;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
