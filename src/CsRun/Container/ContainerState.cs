using System.Text.Json.Serialization;
using CsRun.Spec;

namespace CsRun.Container;

/// <summary>What csrun remembers about a container, in &lt;root&gt;/&lt;id&gt;/state.json
/// (written and read by <see cref="StateCodec"/>).</summary>
internal sealed record ContainerState
{
    public string Id { get; set; } = "";
    public int InitPid { get; set; }
    /// <summary>Field 22 of /proc/&lt;pid&gt;/stat: tells a recycled pid from our init.</summary>
    public ulong InitStartTime { get; set; }
    public string Bundle { get; set; } = "";
    public string Rootfs { get; set; } = "";
    public string Created { get; set; } = "";
    public string Owner { get; set; } = "";
    public bool SystemdCgroup { get; set; }
    public Dictionary<string, string> CgroupPaths { get; set; } = new();

    Config? _config;
    ConfigSummary? _summary;

    /// <summary>The config the container was created from. A loaded state parses it on first use.</summary>
    public Config Config
    {
        get => _config ??= ConfigLoader.Parse(ConfigJson.Span);
        set => _config = value;
    }

    /// <summary>The config object as state.json holds it, when the state was loaded.</summary>
    public ReadOnlyMemory<byte> ConfigJson { get; set; }

    /// <summary>The config if it has been parsed (or was given at create).</summary>
    public Config? ConfigParsed => _config;

    /// <summary>What start, delete, state and list need from the config, without parsing it whole.</summary>
    public ConfigSummary Summary
    {
        get => _summary ??= new ConfigSummary(Config.OciVersion, Config.Annotations, Config.Hooks);
        set => _summary = value;
    }
}

/// <summary>ociVersion, annotations and hooks of a container's config.</summary>
internal sealed record ConfigSummary(string OciVersion, Dictionary<string, string>? Annotations, HooksConfig? Hooks);

/// <summary>The state `csrun state` prints: runc's shape.</summary>
internal sealed record PublicState
{
    [JsonPropertyName("ociVersion")] public string OciVersion { get; set; } = "";
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("pid")] public int Pid { get; set; }
    [JsonPropertyName("status")] public string Status { get; set; } = "";
    [JsonPropertyName("bundle")] public string Bundle { get; set; } = "";
    [JsonPropertyName("rootfs")] public string Rootfs { get; set; } = "";
    [JsonPropertyName("created")] public string Created { get; set; } = "";
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }
    [JsonPropertyName("owner")] public string Owner { get; set; } = "";
}

/// <summary>The state hooks read on stdin (config.md "state").</summary>
internal sealed record HookState
{
    [JsonPropertyName("ociVersion")] public string OciVersion { get; set; } = "";
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("status")] public string Status { get; set; } = "";
    [JsonPropertyName("pid")] public int? Pid { get; set; }
    [JsonPropertyName("bundle")] public string Bundle { get; set; } = "";
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }
}
