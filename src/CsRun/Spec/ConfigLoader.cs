using System.Text.Json;
using CsRun.Cli;

namespace CsRun.Spec;

/// <summary>Placeholder loader (replaced by the spec layer's full one).</summary>
public static class ConfigLoader
{
    public static Config Load(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (FileNotFoundException) { throw new RuntimeError($"open {path}: no such file or directory"); }
        return Parse(bytes);
    }

    public static Config Parse(ReadOnlySpan<byte> json)
    {
        try { return JsonSerializer.Deserialize(json, SpecJson.Default.Config) ?? throw new RuntimeError("config.json: empty"); }
        catch (JsonException e) { throw new RuntimeError($"config.json: {e.Message}"); }
    }
}
