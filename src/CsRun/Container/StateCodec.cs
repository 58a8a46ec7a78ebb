using System.Text.Json;
using CsRun.Spec;

namespace CsRun.Container;

/// <summary>
/// state.json, read and written by hand with Utf8JsonReader/Utf8JsonWriter. Serializing the
/// record through System.Text.Json costs a first-use set-up of every type's metadata (the whole
/// spec model's, for the embedded config, with attribute reflection): about half the CPU time of
/// `csrun state`, `start` and `delete` (bench/README.md). Reading here leaves the embedded config
/// as raw JSON, parsed only if something asks for <see cref="ContainerState.Config"/>; what
/// start, delete, state and list need from it (ociVersion, annotations, hooks) is picked out
/// without parsing the rest. The file's shape is unchanged.
/// </summary>
internal static class StateCodec
{
    public static byte[] Write(ContainerState s)
    {
        var w = new JsonText();
        w.StartObject();
        w.String("id", s.Id);
        w.Number("initPid", s.InitPid);
        w.Number("initStartTime", s.InitStartTime);
        w.String("bundle", s.Bundle);
        w.String("rootfs", s.Rootfs);
        w.String("created", s.Created);
        w.String("owner", s.Owner);
        w.Boolean("systemdCgroup", s.SystemdCgroup);
        w.Name("cgroupPaths");
        w.StartObject();
        foreach (var (k, v) in s.CgroupPaths) w.String(k, v);
        w.EndObject();
        w.Name("config");
        // A config that was not strict JSON (comments, trailing commas) was parsed by the
        // model: write it back from there, so the state file is strict JSON either way.
        w.RawValue(s.ConfigParsed is { } config ? ConfigWriter.Compact(config) : s.ConfigJson.Span);
        w.EndObject();
        return w.ToArray();
    }

    /// <summary>Throws <see cref="JsonException"/> if the file is not a state object.</summary>
    public static ContainerState Read(byte[] json)
    {
        var r = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        var s = new ContainerState();
        Expect(ref r, JsonTokenType.StartObject);
        while (Next(ref r) != JsonTokenType.EndObject)
        {
            string name = r.GetString()!;
            r.Read();
            switch (name)
            {
                case "id": s.Id = Str(ref r); break;
                case "initPid": s.InitPid = r.GetInt32(); break;
                case "initStartTime": s.InitStartTime = r.GetUInt64(); break;
                case "bundle": s.Bundle = Str(ref r); break;
                case "rootfs": s.Rootfs = Str(ref r); break;
                case "created": s.Created = Str(ref r); break;
                case "owner": s.Owner = Str(ref r); break;
                case "systemdCgroup": s.SystemdCgroup = r.GetBoolean(); break;
                case "cgroupPaths": s.CgroupPaths = ReadMap(ref r) ?? new(); break;
                case "config":
                    int start = (int)r.TokenStartIndex;
                    var summary = ReadSummary(ref r);
                    s.ConfigJson = json.AsMemory(start, (int)r.BytesConsumed - start);
                    s.Summary = summary;
                    break;
                default: r.Skip(); break;
            }
        }
        // Another runtime's state.json (runc's has init_process_pid) must not read as a
        // stopped csrun container with pid 0.
        if (s.InitPid <= 0) throw new JsonException("no initPid: not a state file written by csrun");
        return s;
    }

    /// <summary>ociVersion, annotations and hooks of the embedded config; the rest is skipped.</summary>
    static ConfigSummary ReadSummary(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Null) return new ConfigSummary("", null, null);
        if (r.TokenType != JsonTokenType.StartObject) throw new JsonException("config: not an object");
        string version = "";
        Dictionary<string, string>? annotations = null;
        HooksConfig? hooks = null;
        while (Next(ref r) != JsonTokenType.EndObject)
        {
            string name = r.GetString()!;
            r.Read();
            // The config in a state file was written by csrun from the model: exact names.
            switch (name)
            {
                case "ociVersion": version = Str(ref r); break;
                case "annotations": annotations = ReadMap(ref r); break;
                case "hooks": hooks = FastConfigReader.ReadHooksValue(ref r); break;
                default: r.Skip(); break;
            }
        }
        return new ConfigSummary(version, annotations, hooks);
    }

    static Dictionary<string, string>? ReadMap(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        if (r.TokenType != JsonTokenType.StartObject) throw new JsonException("expected an object of strings");
        var map = new Dictionary<string, string>();
        while (Next(ref r) != JsonTokenType.EndObject)
        {
            string key = r.GetString()!;
            r.Read();
            map[key] = Str(ref r);
        }
        return map;
    }

    static string Str(ref Utf8JsonReader r) =>
        r.TokenType == JsonTokenType.String ? r.GetString()! : throw new JsonException($"expected a string, not {r.TokenType}");

    /// <summary>The next token, which must be a property name or the end of the object.</summary>
    static JsonTokenType Next(ref Utf8JsonReader r)
    {
        if (!r.Read()) throw new JsonException("unexpected end of state");
        if (r.TokenType is not (JsonTokenType.PropertyName or JsonTokenType.EndObject))
            throw new JsonException($"unexpected {r.TokenType}");
        return r.TokenType;
    }

    static void Expect(ref Utf8JsonReader r, JsonTokenType type)
    {
        if (!r.Read() || r.TokenType != type) throw new JsonException($"expected {type}");
    }
}
