using CsRun.Errors;
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

    public static void Compile(SetupProgram p, ProcessConfig proc)
    {
        var a = p.Arena;
        if (!string.IsNullOrEmpty(proc.ApparmorProfile))
        {
            if (!AppArmorEnabled())
                throw new RuntimeError($"process.apparmorProfile: \"{proc.ApparmorProfile}\" requested, but AppArmor is not enabled on this host");
            var bytes = System.Text.Encoding.UTF8.GetBytes("exec " + proc.ApparmorProfile);
            string file = Directory.Exists("/proc/self/attr/apparmor") ? "/proc/self/attr/apparmor/exec" : "/proc/self/attr/exec";
            WriteFileStep.Emit(p, "process.apparmorProfile", $"write {file} \"exec {proc.ApparmorProfile}\"", a.Str(file), a.Bytes(bytes), bytes.Length, true);
        }
        if (!string.IsNullOrEmpty(proc.SelinuxLabel))
        {
            if (!SelinuxEnabled())
                throw new RuntimeError($"process.selinuxLabel: \"{proc.SelinuxLabel}\" requested, but SELinux is not enabled on this host");
            var bytes = System.Text.Encoding.UTF8.GetBytes(proc.SelinuxLabel);
            WriteFileStep.Emit(p, "process.selinuxLabel", $"write /proc/self/attr/exec \"{proc.SelinuxLabel}\"", a.Str("/proc/self/attr/exec"), a.Bytes(bytes), bytes.Length, true);
        }
    }

    /// <summary>
    /// linux.mountLabel, or null when it is unset or the host has no SELinux. Without SELinux
    /// there is no policy that a file label could feed, so unlike a process label (which would
    /// leave the process unconfined) nothing is lost: a warning, and the mounts go unlabelled,
    /// as crun does. runc passes context= anyway and its tmpfs mounts fail with EINVAL.
    /// </summary>
    public static string? MountLabel(CompileContext ctx)
    {
        string? label = ctx.Config.Linux?.MountLabel;
        if (string.IsNullOrEmpty(label)) return null;
        if (SelinuxEnabled()) return label;
        ctx.Warnings.Add($"linux.mountLabel: \"{label}\" ignored: SELinux is not enabled on this host");
        return null;
    }

    /// <summary>Mount data with the SELinux context option added for <paramref name="mountLabel"/>.</summary>
    public static string WithMountLabel(string data, string? mountLabel)
    {
        if (string.IsNullOrEmpty(mountLabel)) return data;
        string context = $"context=\"{mountLabel}\"";
        return data.Length == 0 ? context : data + "," + context;
    }
}
