using System.Text.Json.Serialization;

namespace CsRun.Cgroups;

/// <summary>Source-generated JSON for <see cref="CgroupStats"/> (runc's events "data"), compact like runc's.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CgroupStats))]
public partial class StatsJson : JsonSerializerContext
{
}
