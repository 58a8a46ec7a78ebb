using System.Buffers;
using System.Text.Json;

namespace CsRun.Spec;

/// <summary>
/// The spec model written by hand, through the same Utf8JsonWriter the serializer uses, so the
/// bytes are the serializer's (names from [JsonPropertyName], declaration order, nulls left out)
/// without the serializer's start-up cost of rehydrating every type's metadata.
/// </summary>
public static partial class ConfigWriter
{
    /// <summary>`csrun spec`: runc's bytes, tab indentation and no newline at the end (Go's MarshalIndent).</summary>
    public static byte[] Indented(Config c) =>
        ToUtf8(c, new JsonWriterOptions { Indented = true, IndentCharacter = '\t', IndentSize = 1 });

    /// <summary>The config embedded in state.json.</summary>
    public static byte[] Compact(Config c) => ToUtf8(c, default);

    public static byte[] ToUtf8(Config c, JsonWriterOptions options)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var w = new Utf8JsonWriter(buffer, options))
        {
            w.WriteStartObject();
            WriteConfig(w, c);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    static void WriteConfig(Utf8JsonWriter w, Config c)
    {
        String(w, "ociVersion"u8, c.OciVersion);
        Object(w, "process"u8, c.Process, WriteProcess);
        Object(w, "root"u8, c.Root, WriteRoot);
        String(w, "hostname"u8, c.Hostname);
        String(w, "domainname"u8, c.Domainname);
        List(w, "mounts"u8, c.Mounts, WriteMount);
        Object(w, "hooks"u8, c.Hooks, WriteHooks);
        StringMap(w, "annotations"u8, c.Annotations);
        Object(w, "linux"u8, c.Linux, WriteLinux);
    }

    static void WriteRoot(Utf8JsonWriter w, Root r)
    {
        String(w, "path"u8, r.Path);
        Boolean(w, "readonly"u8, r.Readonly);
    }

    static void WriteMount(Utf8JsonWriter w, MountEntry m)
    {
        String(w, "destination"u8, m.Destination);
        String(w, "type"u8, m.Type);
        String(w, "source"u8, m.Source);
        Strings(w, "options"u8, m.Options);
        List(w, "uidMappings"u8, m.UidMappings, WriteIdMapping);
        List(w, "gidMappings"u8, m.GidMappings, WriteIdMapping);
    }

    static void WriteIdMapping(Utf8JsonWriter w, IdMapping m)
    {
        Number(w, "containerID"u8, m.ContainerId);
        Number(w, "hostID"u8, m.HostId);
        Number(w, "size"u8, m.Size);
    }

    static void WriteHooks(Utf8JsonWriter w, HooksConfig h)
    {
        List(w, "prestart"u8, h.Prestart, WriteHook);
        List(w, "createRuntime"u8, h.CreateRuntime, WriteHook);
        List(w, "createContainer"u8, h.CreateContainer, WriteHook);
        List(w, "startContainer"u8, h.StartContainer, WriteHook);
        List(w, "poststart"u8, h.Poststart, WriteHook);
        List(w, "poststop"u8, h.Poststop, WriteHook);
    }

    static void WriteHook(Utf8JsonWriter w, Hook h)
    {
        String(w, "path"u8, h.Path);
        Strings(w, "args"u8, h.Args);
        Strings(w, "env"u8, h.Env);
        Number(w, "timeout"u8, h.Timeout);
    }
}
