using System.Text.Json.Serialization;

namespace CsRun.Spec;

/// <summary>linux: properties in the order specs-go declares them, so that what we write
/// (`csrun spec`) is byte for byte what runc writes.</summary>
public sealed record LinuxConfig
{
    [JsonPropertyName("uidMappings")] public List<IdMapping>? UidMappings { get; set; }
    [JsonPropertyName("gidMappings")] public List<IdMapping>? GidMappings { get; set; }
    [JsonPropertyName("sysctl")] public Dictionary<string, string>? Sysctl { get; set; }
    [JsonPropertyName("resources")] public Resources? Resources { get; set; }
    [JsonPropertyName("cgroupsPath")] public string? CgroupsPath { get; set; }
    [JsonPropertyName("namespaces")] public List<Namespace>? Namespaces { get; set; }
    [JsonPropertyName("devices")] public List<Device>? Devices { get; set; }
    [JsonPropertyName("netDevices")] public Dictionary<string, NetDevice>? NetDevices { get; set; }
    [JsonPropertyName("seccomp")] public SeccompConfig? Seccomp { get; set; }
    [JsonPropertyName("rootfsPropagation")] public string? RootfsPropagation { get; set; }
    [JsonPropertyName("maskedPaths")] public List<string>? MaskedPaths { get; set; }
    [JsonPropertyName("readonlyPaths")] public List<string>? ReadonlyPaths { get; set; }
    [JsonPropertyName("mountLabel")] public string? MountLabel { get; set; }
    [JsonPropertyName("intelRdt")] public IntelRdt? IntelRdt { get; set; }
    [JsonPropertyName("memoryPolicy")] public MemoryPolicy? MemoryPolicy { get; set; }
    [JsonPropertyName("personality")] public Personality? Personality { get; set; }
    [JsonPropertyName("timeOffsets")] public Dictionary<string, TimeOffset>? TimeOffsets { get; set; }
}

public sealed record Namespace
{
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("path")] public string? Path { get; set; }
}

public sealed record TimeOffset
{
    [JsonPropertyName("secs")] public long Secs { get; set; }
    [JsonPropertyName("nanosecs")] public uint Nanosecs { get; set; }
}

public sealed record Device
{
    [JsonPropertyName("path")] public string Path { get; set; } = "";
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("major")] public long Major { get; set; }
    [JsonPropertyName("minor")] public long Minor { get; set; }
    [JsonPropertyName("fileMode")] public uint? FileMode { get; set; }
    [JsonPropertyName("uid")] public uint? Uid { get; set; }
    [JsonPropertyName("gid")] public uint? Gid { get; set; }
}

public sealed record NetDevice
{
    [JsonPropertyName("name")] public string? Name { get; set; }
}

public sealed record Personality
{
    [JsonPropertyName("domain")] public string Domain { get; set; } = "";
    [JsonPropertyName("flags")] public List<string>? Flags { get; set; }
}

public sealed record IntelRdt
{
    [JsonPropertyName("closID")] public string? ClosId { get; set; }
    [JsonPropertyName("l3CacheSchema")] public string? L3CacheSchema { get; set; }
    [JsonPropertyName("memBwSchema")] public string? MemBwSchema { get; set; }
    [JsonPropertyName("enableCMT")] public bool? EnableCmt { get; set; }
    [JsonPropertyName("enableMBM")] public bool? EnableMbm { get; set; }
}

public sealed record MemoryPolicy
{
    [JsonPropertyName("mode")] public string Mode { get; set; } = "";
    [JsonPropertyName("nodes")] public string? Nodes { get; set; }
    [JsonPropertyName("flags")] public List<string>? Flags { get; set; }
}

public sealed record SeccompConfig
{
    [JsonPropertyName("defaultAction")] public string DefaultAction { get; set; } = "";
    [JsonPropertyName("defaultErrnoRet")] public uint? DefaultErrnoRet { get; set; }
    [JsonPropertyName("architectures")] public List<string>? Architectures { get; set; }
    [JsonPropertyName("flags")] public List<string>? Flags { get; set; }
    [JsonPropertyName("listenerPath")] public string? ListenerPath { get; set; }
    [JsonPropertyName("listenerMetadata")] public string? ListenerMetadata { get; set; }
    [JsonPropertyName("syscalls")] public List<SeccompSyscall>? Syscalls { get; set; }
}

public sealed record SeccompSyscall
{
    [JsonPropertyName("names")] public List<string> Names { get; set; } = new();
    [JsonPropertyName("action")] public string Action { get; set; } = "";
    [JsonPropertyName("errnoRet")] public uint? ErrnoRet { get; set; }
    [JsonPropertyName("args")] public List<SeccompArg>? Args { get; set; }
}

public sealed record SeccompArg
{
    [JsonPropertyName("index")] public uint Index { get; set; }
    [JsonPropertyName("value")] public ulong Value { get; set; }
    [JsonPropertyName("valueTwo")] public ulong ValueTwo { get; set; }
    [JsonPropertyName("op")] public string Op { get; set; } = "";
}
