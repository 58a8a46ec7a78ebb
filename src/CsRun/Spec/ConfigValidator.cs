using CsRun.Spec.Validation;

namespace CsRun.Spec;

/// <summary>How the config will be used, which changes a few rules.</summary>
public sealed record ValidationOptions
{
    /// <summary>--systemd-cgroup: cgroupsPath is "slice:prefix:name".</summary>
    public bool SystemdCgroup { get; init; }

    /// <summary>Not root on the host: runc's rootless rules (own user namespace, mapped ids).</summary>
    public bool Rootless { get; init; }

    /// <summary>Also check what the host says: the rootfs exists, a joined network namespace
    /// is not the host's, the kernel has the namespaces asked for. Off for pure config checks.</summary>
    public bool CheckHost { get; init; } = true;

    public static readonly ValidationOptions Default = new();
}

/// <summary>
/// The rules of the runtime spec and of runc for a config that is about to be created: the first
/// broken rule is thrown as a RuntimeError `json.path: what must hold`. Capabilities that map to
/// nothing are not errors (config.md: warn and go on).
/// </summary>
public static class ConfigValidator
{
    public static void Validate(Config c, string bundleDir) => Validate(c, bundleDir, ValidationOptions.Default);

    public static void Validate(Config c, string bundleDir, ValidationOptions options)
    {
        var ctx = new Context(c, bundleDir, options);
        TopLevelRules.Validate(ctx);
        ProcessRules.Validate(ctx);
        MountRules.Validate(ctx);
        HookRules.Validate(ctx);
        NamespaceRules.Validate(ctx);
        SysctlRules.Validate(ctx);
        LinuxRules.Validate(ctx);
        ResourceRules.Validate(ctx);
        SeccompRules.Validate(ctx);
        RootlessRules.Validate(ctx);
        if (options.CheckHost) HostRules.Validate(ctx);
    }
}
