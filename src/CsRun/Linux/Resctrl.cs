namespace CsRun.Linux;

/// <summary>Where the resctrl filesystem (Intel RDT) is mounted in csrun's mount namespace.</summary>
internal static class Resctrl
{
    /// <summary>The mount point of the first resctrl mount in /proc/self/mountinfo, or null.</summary>
    public static string? MountPoint()
    {
        if (KernelFile.Read("/proc/self/mountinfo", out string text) != 0) return null;
        foreach (string line in text.Split('\n'))
        {
            string[] f = line.Split(' ');
            int dash = Array.IndexOf(f, "-");
            if (dash > 4 && dash + 1 < f.Length && f[dash + 1] == "resctrl") return f[4];
        }
        return null;
    }
}
