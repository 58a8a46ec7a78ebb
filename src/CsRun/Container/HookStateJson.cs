using System.Buffers;
using System.Text.Json;

using CsRun.Spec;

namespace CsRun.Container;

/// <summary>
/// The state hooks read on stdin, compact, with null members left out: the serializer's bytes,
/// written by hand so no serializer metadata is built at start.
/// </summary>
internal static class HookStateJson
{
    public static byte[] Of(HookState s)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("ociVersion", s.OciVersion);
            w.WriteString("id", s.Id);
            w.WriteString("status", s.Status);
            if (s.Pid is int pid) w.WriteNumber("pid", pid);
            w.WriteString("bundle", s.Bundle);
            ConfigWriter.StringMap(w, "annotations"u8, s.Annotations);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
