using System.Buffers;
using System.Text;
using System.Text.Json;

namespace CsRun.Spec;

/// <summary>
/// The JSON path of the value that starts at a byte offset, written as System.Text.Json writes
/// it in its errors (minus the leading "$."): names as the document spells them, unescaped,
/// joined by dots, or in ['brackets'] if they hold one of its special characters; [index] for
/// array elements. For an offset at a property name, the path of the object holding it.
/// Only errors need a path, so this reads the document again rather than make the reader keep one.
/// </summary>
internal static class JsonPathAt
{
    static readonly SearchValues<char> Special = SearchValues.Create(". '/\"[]()\t\n\r\f\b\\\u0085\u2028\u2029");

    /// <summary>A container the walk is inside: its own segment of the path, and for an array the
    /// index its next element gets (-1 for an object).</summary>
    record struct Frame(string Segment, int Next);

    /// <summary>"" for the root value.</summary>
    public static string Find(ReadOnlySpan<byte> json, long offset, JsonReaderOptions options)
    {
        var r = new Utf8JsonReader(json, options);
        var frames = new List<Frame>();
        string pending = "";
        while (r.Read() && r.TokenStartIndex <= offset)
        {
            switch (r.TokenType)
            {
                case JsonTokenType.PropertyName:
                    if (r.TokenStartIndex == offset) return Join(frames, "");
                    pending = Segment(ref r);
                    continue;
                case JsonTokenType.EndObject:
                case JsonTokenType.EndArray:
                    frames.RemoveAt(frames.Count - 1);
                    continue;
            }
            // A value: an object's property or the next element of an array.
            string segment = pending;
            if (frames.Count > 0 && frames[^1].Next >= 0)
            {
                segment = $"[{frames[^1].Next}]";
                frames[^1] = frames[^1] with { Next = frames[^1].Next + 1 };
            }
            if (r.TokenStartIndex == offset) return Join(frames, segment);
            if (r.TokenType == JsonTokenType.StartObject) frames.Add(new Frame(segment, -1));
            else if (r.TokenType == JsonTokenType.StartArray) frames.Add(new Frame(segment, 0));
        }
        return "";
    }

    static string Segment(ref Utf8JsonReader r)
    {
        string name;
        try { name = r.GetString()!; }
        catch (InvalidOperationException) { return ".?"; } // not text: never on the path of a value the reader took
        return name.AsSpan().ContainsAny(Special) ? $"['{name}']" : "." + name;
    }

    static string Join(List<Frame> frames, string last)
    {
        var path = new StringBuilder();
        foreach (var f in frames) path.Append(f.Segment);
        path.Append(last);
        return path.Length > 0 && path[0] == '.' ? path.ToString(1, path.Length - 1) : path.ToString();
    }
}
