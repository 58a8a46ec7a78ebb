using System.Buffers;
using System.Text;
using System.Text.Json;

using CsRun.Spec;

namespace CsRun.Container;

/// <summary>
/// What `csrun state` (indented) and `csrun list --format json` (one compact line, as runc's
/// json.Encoder writes it) print. Written by hand through a Utf8JsonWriter set up as the
/// serializer set up its own (default escaping), so the bytes are the serializer's while no
/// serializer metadata is built at start.
/// </summary>
internal static class PublicStateJson
{
    static readonly JsonWriterOptions Indented = new() { Indented = true };

    public static string Of(PublicState state)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, Indented)) Write(w, state);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static string Of(List<PublicState> states)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartArray();
            foreach (var s in states) Write(w, s);
            w.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    static void Write(Utf8JsonWriter w, PublicState s)
    {
        w.WriteStartObject();
        w.WriteString("ociVersion", s.OciVersion);
        w.WriteString("id", s.Id);
        w.WriteNumber("pid", s.Pid);
        w.WriteString("status", s.Status);
        w.WriteString("bundle", s.Bundle);
        w.WriteString("rootfs", s.Rootfs);
        w.WriteString("created", s.Created);
        ConfigWriter.StringMap(w, "annotations"u8, s.Annotations);
        w.WriteString("owner", s.Owner);
        w.WriteEndObject();
    }
}
