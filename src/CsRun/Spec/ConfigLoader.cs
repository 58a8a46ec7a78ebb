using System.Text.Json;
using CsRun.Cli;
using CsRun.Linux;

namespace CsRun.Spec;

/// <summary>Reads config.json into the model. Fields this runtime does not know are ignored, as
/// the spec requires; a value of the wrong JSON type is an error that names its JSON path.</summary>
public static class ConfigLoader
{
    public static Config Load(string path) => Load(path, out _);

    /// <summary>Load, also handing back the file's bytes (create keeps them in state.json as they are).</summary>
    public static Config Load(string path, out byte[] data)
    {
        int errno = Files.ReadAll(path, out data);
        // runc's words for the common case, so that callers matching them keep working.
        if (errno == Errno.ENOENT) throw new RuntimeError($"JSON specification file {path} not found: {Errno.Message(errno)}");
        if (errno != 0) throw new RuntimeError($"open {path}: {Errno.Message(errno)}");
        return Parse(data);
    }

    /// <summary>Strict JSON (no comments, no trailing commas, no byte-order mark): safe to embed
    /// as a raw value.</summary>
    public static bool IsStrictJson(ReadOnlySpan<byte> json)
    {
        if (json.StartsWith("\uFEFF"u8)) return false;
        try
        {
            var r = new Utf8JsonReader(json);
            while (r.Read()) { }
            return true;
        }
        catch (JsonException) { return false; }
    }

    public static Config Parse(ReadOnlySpan<byte> json)
    {
        Config? config = FastConfigReader.ReadConfigJson(json);
        if (config == null) throw new RuntimeError("config cannot be null");
        if (NullElements.FirstPath(json) is string at) throw new RuntimeError($"{at}: must not be null");
        return config;
    }
}
