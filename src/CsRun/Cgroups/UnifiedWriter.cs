using CsRun.Errors;
using CsRun.Linux;

namespace CsRun.Cgroups;

/// <summary>
/// linux.resources.unified: raw v2 files, written last so that they override the converted
/// values (runc's order).
/// </summary>
internal static class UnifiedWriter
{
    const string Field = "linux.resources.unified";

    public static void V1(Dictionary<string, string>? unified)
    {
        if (unified is { Count: > 0 }) throw new RuntimeError($"{Field}: invalid configuration: cannot use unified on cgroup v1");
    }

    public static void V2(string dir, Dictionary<string, string>? unified)
    {
        if (unified == null) return;
        foreach (var (file, value) in unified)
        {
            string field = $"{Field}.{file}";
            if (file.Contains('/') || file is "." or "..")
                throw new RuntimeError($"{field}: unified resource \"{file}\" must be a file name (no slashes)");
            int errno = WriteLines(dir, file, value);
            if (errno == 0) continue;
            if (errno is Errno.ENOENT or Errno.EPERM or Errno.EACCES)
            {
                // Name the likely cause: a controller not enabled for this cgroup.
                int dot = file.IndexOf('.');
                if (dot <= 0) throw new RuntimeError($"{field}: unified resource \"{file}\" must be in the form CONTROLLER.PARAMETER");
                string controller = file[..dot];
                string enabled = CgroupFiles.TryRead(dir, "cgroup.controllers") ?? "";
                if (controller != "cgroup" && !enabled.Split(' ', '\n').Contains(controller))
                    throw new RuntimeError($"{field}: unified resource \"{file}\" can't be set: controller \"{controller}\" not available");
            }
            throw CgroupFiles.WriteError(field, dir, file, errno);
        }
    }

    /// <summary>Multi-line values (io.max for two devices) take one write per line.</summary>
    static int WriteLines(string dir, string file, string value)
    {
        if (!value.Contains('\n')) return CgroupFiles.TryWrite(dir, file, value);
        foreach (string line in value.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            int errno = CgroupFiles.TryWrite(dir, file, line);
            if (errno != 0) return errno;
        }
        return 0;
    }
}
