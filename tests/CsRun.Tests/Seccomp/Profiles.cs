using System.Text.Json;
using CsRun.Spec;

namespace CsRun.Tests.Seccomp;

/// <summary>linux.seccomp objects from inline JSON or from spec-fixtures/seccomp.</summary>
internal static class Profiles
{
    /// <summary>Parses through the real config.json reader, as csrun will.</summary>
    public static CsRun.Spec.Seccomp Parse(string seccompJson) =>
        JsonSerializer.Deserialize("{\"linux\":{\"seccomp\":" + seccompJson + "}}", SpecJson.Default.Config)!
            .Linux!.Seccomp!;

    public static CsRun.Spec.Seccomp Fixture(string file) =>
        Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", "seccomp", file)));
}
