using System.Text.Json;

namespace CsRun.Spec;

/// <summary>
/// config.json read by hand with Utf8JsonReader: the same <see cref="Config"/> that
/// <c>JsonSerializer.Deserialize(json, SpecJson.Default.Config)</c> builds, without the
/// first-use set-up of System.Text.Json's metadata for the whole spec model (a third of the CPU
/// of `csrun run`, bench/README.md). It follows <see cref="SpecJson"/>'s options: names match
/// case-insensitively (ASCII; any other name falls back), unknown properties are skipped,
/// comments and trailing commas are allowed, the last of a repeated property wins.
/// It never guesses: on anything it does not expect (a wrong token, a null where the model has
/// none or inside an array, a number out of range, a repeated key in a map of objects, a
/// non-ASCII or '$' property name, bad JSON) <see cref="TryRead"/> returns null and
/// <see cref="ConfigLoader"/> parses again with System.Text.Json, which words the error.
/// tests/CsRun.Tests/Spec/FastConfigReaderTests.cs compares the two on every fixture.
/// </summary>
internal static partial class FastConfigReader
{
    /// <summary>The longest property name of the model is shorter; a longer name is unknown.</summary>
    const int NameMax = 32;

    sealed class Unexpected : Exception;

    delegate T ReadFn<T>(ref Utf8JsonReader r);

    public static Config? TryRead(ReadOnlySpan<byte> json)
    {
        if (json.StartsWith("\uFEFF"u8)) return null;
        try
        {
            var r = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (!r.Read()) return null;
            var config = ReadConfig(ref r);
            return r.Read() ? null : config; // anything after the object is the deserializer's error
        }
        catch (Exception)
        {
            return null;
        }
    }

    static Config ReadConfig(ref Utf8JsonReader r)
    {
        Expect(ref r, JsonTokenType.StartObject);
        var o = new Config();
        Span<char> k = stackalloc char[NameMax];
        while (Prop(ref r, k, out int n))
            switch (k[..n])
            {
                case "ociversion": o.OciVersion = Str(ref r); break;
                case "process": o.Process = Opt(ref r, ReadProcess); break;
                case "root": o.Root = Opt(ref r, ReadRoot); break;
                case "hostname": o.Hostname = OptStr(ref r); break;
                case "domainname": o.Domainname = OptStr(ref r); break;
                case "mounts": o.Mounts = OptList(ref r, ReadMount); break;
                case "hooks": o.Hooks = Opt(ref r, ReadHooks); break;
                case "annotations": o.Annotations = OptStrMap(ref r); break;
                case "linux": o.Linux = Opt(ref r, ReadLinux); break;
                default: r.Skip(); break;
            }
        return o;
    }

    static Root ReadRoot(ref Utf8JsonReader r)
    {
        Expect(ref r, JsonTokenType.StartObject);
        var o = new Root();
        Span<char> k = stackalloc char[NameMax];
        while (Prop(ref r, k, out int n))
            switch (k[..n])
            {
                case "path": o.Path = Str(ref r); break;
                case "readonly": o.Readonly = Bool(ref r); break;
                default: r.Skip(); break;
            }
        return o;
    }

    static Mount ReadMount(ref Utf8JsonReader r)
    {
        Expect(ref r, JsonTokenType.StartObject);
        var o = new Mount();
        Span<char> k = stackalloc char[NameMax];
        while (Prop(ref r, k, out int n))
            switch (k[..n])
            {
                case "destination": o.Destination = Str(ref r); break;
                case "type": o.Type = OptStr(ref r); break;
                case "source": o.Source = OptStr(ref r); break;
                case "options": o.Options = OptStrList(ref r); break;
                case "uidmappings": o.UidMappings = OptList(ref r, ReadIdMapping); break;
                case "gidmappings": o.GidMappings = OptList(ref r, ReadIdMapping); break;
                default: r.Skip(); break;
            }
        return o;
    }

    static IdMapping ReadIdMapping(ref Utf8JsonReader r)
    {
        Expect(ref r, JsonTokenType.StartObject);
        var o = new IdMapping();
        Span<char> k = stackalloc char[NameMax];
        while (Prop(ref r, k, out int n))
            switch (k[..n])
            {
                case "containerid": o.ContainerId = U32(ref r); break;
                case "hostid": o.HostId = U32(ref r); break;
                case "size": o.Size = U32(ref r); break;
                default: r.Skip(); break;
            }
        return o;
    }

    static Hooks ReadHooks(ref Utf8JsonReader r)
    {
        Expect(ref r, JsonTokenType.StartObject);
        var o = new Hooks();
        Span<char> k = stackalloc char[NameMax];
        while (Prop(ref r, k, out int n))
            switch (k[..n])
            {
                case "prestart": o.Prestart = OptList(ref r, ReadHook); break;
                case "createruntime": o.CreateRuntime = OptList(ref r, ReadHook); break;
                case "createcontainer": o.CreateContainer = OptList(ref r, ReadHook); break;
                case "startcontainer": o.StartContainer = OptList(ref r, ReadHook); break;
                case "poststart": o.Poststart = OptList(ref r, ReadHook); break;
                case "poststop": o.Poststop = OptList(ref r, ReadHook); break;
                default: r.Skip(); break;
            }
        return o;
    }

    static Hook ReadHook(ref Utf8JsonReader r)
    {
        Expect(ref r, JsonTokenType.StartObject);
        var o = new Hook();
        Span<char> k = stackalloc char[NameMax];
        while (Prop(ref r, k, out int n))
            switch (k[..n])
            {
                case "path": o.Path = Str(ref r); break;
                case "args": o.Args = OptStrList(ref r); break;
                case "env": o.Env = OptStrList(ref r); break;
                case "timeout": o.Timeout = OptI32(ref r); break;
                default: r.Skip(); break;
            }
        return o;
    }

    // ---- the reader's steps ----

    static Unexpected Fail() => new();

    static void Expect(ref Utf8JsonReader r, JsonTokenType type)
    {
        if (r.TokenType != type) throw Fail();
    }

    /// <summary>At the start of an object or after a value: moves to the next property and
    /// its value, false at the object's end. The name, lower-cased ASCII, goes to
    /// <paramref name="name"/>[..<paramref name="length"/>]; a name too long for any of the
    /// model's is length 0 (unknown); a non-ASCII name, which System.Text.Json's ordinal
    /// case-insensitive match might take for one of ours, or a '$' metadata name, fails.</summary>
    static bool Prop(ref Utf8JsonReader r, scoped Span<char> name, out int length)
    {
        length = 0;
        if (!r.Read()) throw Fail();
        if (r.TokenType == JsonTokenType.EndObject) return false;
        if (r.TokenType != JsonTokenType.PropertyName) throw Fail();
        if (r.ValueIsEscaped || r.ValueSpan.Length > name.Length)
        {
            string s = r.GetString()!;
            foreach (char c in s) if (c >= 0x80) throw Fail();
            if (s.Length > 0 && s[0] == '$') throw Fail();
            if (s.Length <= name.Length) length = System.Text.Ascii.ToLower(s, name, out int written) == System.Buffers.OperationStatus.Done ? written : throw Fail();
        }
        else
        {
            var raw = r.ValueSpan;
            if (raw.Length > 0 && raw[0] == (byte)'$') throw Fail();
            if (System.Text.Ascii.ToLower(raw, name, out length) != System.Buffers.OperationStatus.Done) throw Fail();
        }
        if (!r.Read()) throw Fail();
        return true;
    }

    static T? Opt<T>(ref Utf8JsonReader r, ReadFn<T> read) where T : class =>
        r.TokenType == JsonTokenType.Null ? null : read(ref r);

    static List<T>? OptList<T>(ref Utf8JsonReader r, ReadFn<T> read) =>
        r.TokenType == JsonTokenType.Null ? null : List(ref r, read);

    /// <summary>An array; a null element fails (NullElements words that error).</summary>
    static List<T> List<T>(ref Utf8JsonReader r, ReadFn<T> read)
    {
        Expect(ref r, JsonTokenType.StartArray);
        var list = new List<T>();
        while (r.Read() && r.TokenType != JsonTokenType.EndArray) list.Add(read(ref r));
        Expect(ref r, JsonTokenType.EndArray);
        return list;
    }

    /// <summary>What <see cref="StrictStringList"/> reads.</summary>
    static List<string> StrList(ref Utf8JsonReader r) => List(ref r, Str);

    static List<string>? OptStrList(ref Utf8JsonReader r) => OptList(ref r, Str);

    /// <summary>What <see cref="StrictStringMap"/> reads: string values, the last of a key wins.</summary>
    static Dictionary<string, string>? OptStrMap(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        Expect(ref r, JsonTokenType.StartObject);
        var map = new Dictionary<string, string>();
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            string key = r.GetString()!;
            if (!r.Read()) throw Fail();
            map[key] = Str(ref r);
        }
        Expect(ref r, JsonTokenType.EndObject);
        return map;
    }

    /// <summary>A map of objects (System.Text.Json's own dictionary converter): a repeated key fails.</summary>
    static Dictionary<string, T>? OptMap<T>(ref Utf8JsonReader r, ReadFn<T> read)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        Expect(ref r, JsonTokenType.StartObject);
        var map = new Dictionary<string, T>();
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            string key = r.GetString()!;
            if (!r.Read()) throw Fail();
            if (!map.TryAdd(key, read(ref r))) throw Fail();
        }
        Expect(ref r, JsonTokenType.EndObject);
        return map;
    }

    static string Str(ref Utf8JsonReader r) =>
        r.TokenType == JsonTokenType.String ? r.GetString()! : throw Fail();

    static string? OptStr(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Null ? null : Str(ref r);

    static bool Bool(ref Utf8JsonReader r) => r.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        _ => throw Fail(),
    };

    static bool? OptBool(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Null ? null : Bool(ref r);

    // Numbers through the reader's own TryGet methods: the converters System.Text.Json uses call
    // the same parsers (GetUInt32 ...), so what one accepts the other does.
    static uint U32(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Number && r.TryGetUInt32(out uint v) ? v : throw Fail();
    static uint? OptU32(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Null ? null : U32(ref r);
    static int I32(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Number && r.TryGetInt32(out int v) ? v : throw Fail();
    static int? OptI32(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Null ? null : I32(ref r);
    static ulong U64(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Number && r.TryGetUInt64(out ulong v) ? v : throw Fail();
    static ulong? OptU64(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Null ? null : U64(ref r);
    static long I64(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Number && r.TryGetInt64(out long v) ? v : throw Fail();
    static long? OptI64(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Null ? null : I64(ref r);
    static ushort U16(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Number && r.TryGetUInt16(out ushort v) ? v : throw Fail();
    static ushort? OptU16(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Null ? null : U16(ref r);
}
