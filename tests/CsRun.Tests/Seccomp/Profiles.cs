using System.Text.Json;
using CsRun.Spec;

namespace CsRun.Tests.Seccomp;

/// <summary>linux.seccomp objects from inline JSON or from spec-fixtures/seccomp.</summary>
internal static class Profiles
{
    /// <summary>Parses with System.Text.Json, which (unlike csrun's reader, which refuses them
    /// first) lets nulls inside arrays through, so the compiler's own checks can be tested.</summary>
    public static SeccompConfig Parse(string seccompJson) =>
        CsRun.Tests.Spec.ReferenceJson.Deserialize<Config>(System.Text.Encoding.UTF8.GetBytes("{\"linux\":{\"seccomp\":" + seccompJson + "}}"))!
            .Linux!.Seccomp!;

    public static SeccompConfig Fixture(string file) =>
        Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", "seccomp", file)));
}
