using CsRun.Errors;
using CsRun.Spec;

namespace CsRun.Container;

/// <summary>A bundle's config.json, validated, with its rootfs resolved: what create and restore start from.</summary>
internal sealed record BundleConfig(string Bundle, Config Config, byte[] Bytes, string Rootfs)
{
    /// <summary><paramref name="what"/> names the command in "process: must be set to ...".</summary>
    public static BundleConfig Load(string bundleArg, bool systemdCgroup, string what)
    {
        string bundle = Path.GetFullPath(bundleArg);
        var config = ConfigLoader.Load(Path.Combine(bundle, "config.json"), out byte[] configBytes);
        ConfigValidator.Validate(config, bundle, new ValidationOptions { SystemdCgroup = systemdCgroup, Rootless = GlobalOptions.RootlessEuid });
        if (config.Process == null) throw new RuntimeError($"process: must be set to {what} a container");
        if (config.Root == null || string.IsNullOrEmpty(config.Root.Path)) throw new RuntimeError("root.path: must be set");
        string rootfs = Path.GetFullPath(Path.Combine(bundle, config.Root.Path));
        if (!Directory.Exists(rootfs)) throw new RuntimeError($"root.path: stat {rootfs}: no such file or directory");
        return new BundleConfig(bundle, config, configBytes, rootfs);
    }

    /// <summary>Saves the state of a container whose init is <paramref name="pid"/>.</summary>
    public ContainerState SaveState(StateStore store, string id, int pid, ulong startTime, bool systemdCgroup, IReadOnlyDictionary<string, string> cgroupPaths)
    {
        var saved = new ContainerState
        {
            Id = id, InitPid = pid, InitStartTime = startTime, Bundle = Bundle, Rootfs = Rootfs,
            Created = Rfc3339.Now(), Owner = "", SystemdCgroup = systemdCgroup,
            CgroupPaths = new Dictionary<string, string>(cgroupPaths),
            Summary = new ConfigSummary(Config.OciVersion, Config.Annotations, Config.Hooks),
        };
        // state.json embeds config.json's own bytes: serializing the model again would set up
        // System.Text.Json's metadata on the create path (about 1 ms of CPU).
        if (ConfigLoader.IsStrictJson(Bytes)) saved.ConfigJson = Bytes;
        else saved.Config = Config;
        store.Save(saved);
        return saved;
    }
}
