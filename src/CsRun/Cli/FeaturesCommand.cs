using System.Text;
using System.Text.Json;
using CsRun.Container;
using CsRun.Diagnostics;
using CsRun.Seccomp;
using CsRun.Spec;

namespace CsRun.Cli;

/// <summary>`csrun features`: what this runtime supports, in runc's features.json shape (runtime-spec features.md).</summary>
internal sealed class FeaturesCommand : ICommand
{
    static readonly string[] HookNames = { "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop" };
    static readonly string[] NamespaceNames = { "cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts" };

    public string Name => "features";
    public string Usage => "show the enabled features";
    public string ArgsUsage => "";
    public FlagSpec[] Flags => Array.Empty<FlagSpec>();

    public int Run(GlobalOptions global, ParsedArgs args)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("ociVersionMin", "1.0.0");
            w.WriteString("ociVersionMax", DefaultSpec.SpecVersion);
            Strings(w, "hooks", HookNames);
            Strings(w, "mountOptions", Rootfs.MountOptions.Known);
            w.WriteStartObject("linux");
            Strings(w, "namespaces", NamespaceNames);
            Strings(w, "capabilities", CapabilityNames.All);
            w.WriteStartObject("cgroup");
            w.WriteBoolean("v1", true);
            w.WriteBoolean("v2", true);
            w.WriteBoolean("systemd", true);
            w.WriteBoolean("systemdUser", true);
            w.WriteBoolean("rdma", true);
            w.WriteEndObject();
            w.WriteStartObject("seccomp");
            w.WriteBoolean("enabled", true);
            Strings(w, "actions", SeccompNames.ActionNames);
            Strings(w, "operators", SeccompNames.OperatorNames);
            Strings(w, "archs", SeccompNames.ArchitectureNames);
            Strings(w, "knownFlags", SeccompNames.FlagNames);
            Strings(w, "supportedFlags", SeccompNames.FlagNames);
            w.WriteEndObject();
            Enabled(w, "apparmor", false);
            Enabled(w, "selinux", false);
            Enabled(w, "intelRdt", false);
            // set_mempolicy with what the config names; the kernel judges the combination.
            w.WriteStartObject("memoryPolicy");
            Strings(w, "modes", SpecNames.MemoryPolicyModes.Keys);
            Strings(w, "flags", SpecNames.MemoryPolicyFlags.Keys);
            w.WriteEndObject();
            // Moved in by the parent with RTM_NEWLINK (Container/NetDevices).
            Enabled(w, "netDevices", true);
            w.WriteStartObject("mountExtensions");
            // open_tree + mount_setattr(MOUNT_ATTR_IDMAP) on bind mounts (Rootfs/IdmapMounts).
            Enabled(w, "idmap", true);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteStartObject("annotations");
            w.WriteString("io.github.csrun.version", CommandLine.Version);
            w.WriteString("io.github.csrun.libseccomp.static", "true");
            w.WriteEndObject();
            w.WriteEndObject();
        }
        Output.OutLine(Encoding.UTF8.GetString(stream.ToArray()));
        return 0;
    }

    static void Strings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }

    static void Enabled(Utf8JsonWriter w, string name, bool enabled)
    {
        w.WriteStartObject(name);
        w.WriteBoolean("enabled", enabled);
        w.WriteEndObject();
    }
}
