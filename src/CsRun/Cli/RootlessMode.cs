using CsRun.Errors;
using CsRun.Linux;

namespace CsRun.Cli;

/// <summary>
/// Whether csrun runs rootless, decided as runc 1.1.5 decides it (rootless_linux.go): the
/// cgroup manager's leniency from --rootless (auto: not root, or root inside a user
/// namespace), and the default --root from $XDG_RUNTIME_DIR.
/// </summary>
internal static class RootlessMode
{
    /// <summary>--rootless, read as runc's parseBoolOrAuto reads it: null is "auto".</summary>
    public static bool? Parse(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Equals("auto", StringComparison.OrdinalIgnoreCase)) return null;
        return value switch
        {
            "1" or "t" or "T" or "true" or "TRUE" or "True" => true,
            "0" or "f" or "F" or "false" or "FALSE" or "False" => false,
            _ => throw new RuntimeError($"strconv.ParseBool: parsing \"{value}\": invalid syntax"),
        };
    }

    /// <summary>runc's shouldUseRootlessCgroupManager: cgroup permission errors are ignored
    /// (and device rules skipped) when this is true.</summary>
    public static bool RootlessCgroups(string? flag)
    {
        if (Parse(flag) is bool given) return given;
        if (Identity.EffectiveUid != 0) return true;
        // Root in a user namespace: whether it owns the cgroup it is given is unknown, so lenient.
        return UserNamespace.CallerIsInOne;
    }

    /// <summary>runc's shouldHonorXDGRuntimeDir: the state of a non-root caller goes under
    /// $XDG_RUNTIME_DIR; real root keeps /run/csrun even when the variable is set.</summary>
    public static string DefaultRoot()
    {
        string? xdg = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        if (string.IsNullOrEmpty(xdg)) return "/run/csrun";
        bool honor = Identity.EffectiveUid != 0
            || UserNamespace.CallerIsInOne && Environment.GetEnvironmentVariable("USER") != "root";
        return honor ? Path.Combine(xdg, "csrun") : "/run/csrun";
    }
}
