using CsRun.Cli;
using CsRun.Spec;

namespace CsRun.Launch;

/// <summary>
/// process.apparmorProfile and process.selinuxLabel: an exec-time transition written to the
/// process's procfs attr file (verified to be procfs) right before execve. Asking for an LSM
/// the host does not run is an error, not a silent downgrade.
/// </summary>
internal static class LsmCompiler
{
    public static bool AppArmorEnabled() =>
        File.Exists("/sys/module/apparmor/parameters/enabled") && File.ReadAllText("/sys/module/apparmor/parameters/enabled").Trim() == "Y";

    public static bool SelinuxEnabled() => File.Exists("/sys/fs/selinux/enforce");

    public static void Compile(SetupProgram p, Process proc)
    {
        var a = p.Arena;
        if (!string.IsNullOrEmpty(proc.ApparmorProfile))
        {
            if (!AppArmorEnabled())
                throw new RuntimeError($"process.apparmorProfile: \"{proc.ApparmorProfile}\" requested, but AppArmor is not enabled on this host");
            var bytes = System.Text.Encoding.UTF8.GetBytes("exec " + proc.ApparmorProfile);
            string file = Directory.Exists("/proc/self/attr/apparmor") ? "/proc/self/attr/apparmor/exec" : "/proc/self/attr/exec";
            p.Add(StepKind.WriteFile, "process.apparmorProfile", $"write {file} \"exec {proc.ApparmorProfile}\"", a.Str(file), a.Bytes(bytes), bytes.Length, 1);
        }
        if (!string.IsNullOrEmpty(proc.SelinuxLabel))
        {
            if (!SelinuxEnabled())
                throw new RuntimeError($"process.selinuxLabel: \"{proc.SelinuxLabel}\" requested, but SELinux is not enabled on this host");
            var bytes = System.Text.Encoding.UTF8.GetBytes(proc.SelinuxLabel);
            p.Add(StepKind.WriteFile, "process.selinuxLabel", $"write /proc/self/attr/exec \"{proc.SelinuxLabel}\"", a.Str("/proc/self/attr/exec"), a.Bytes(bytes), bytes.Length, 1);
        }
    }

    /// <summary>linux.mountLabel: SELinux context for the container's mounts; an error without SELinux.</summary>
    public static string WithMountLabel(string data, string? mountLabel)
    {
        if (string.IsNullOrEmpty(mountLabel)) return data;
        if (!SelinuxEnabled())
            throw new RuntimeError($"linux.mountLabel: \"{mountLabel}\" requested, but SELinux is not enabled on this host");
        string context = $"context=\"{mountLabel}\"";
        return data.Length == 0 ? context : data + "," + context;
    }
}
