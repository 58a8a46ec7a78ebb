using FluentAssertions;

namespace CsRun.Tests.Integration;

/// <summary>Checks that a container left nothing on the host: no state dir, mount, cgroup or process.</summary>
internal static class Leftovers
{
    public static void AssertNone(Bundle bundle, string id)
    {
        Directory.Exists(Path.Combine(bundle.StateRoot, id)).Should().BeFalse("the state dir of {0} must be gone", id);
        File.ReadAllText("/proc/self/mountinfo").Should().NotContain(bundle.Dir, "no mount may stay behind");
        CgroupDirs(id).Should().BeEmpty("no cgroup may stay behind");
        ProcessesUnder(bundle.Dir).Should().BeEmpty("no process may stay behind");
    }

    public static List<string> CgroupDirs(string id)
    {
        var found = new List<string>();
        foreach (var top in Directory.EnumerateDirectories("/sys/fs/cgroup"))
        {
            try
            {
                found.AddRange(Directory.EnumerateDirectories(top, id, new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 4 }));
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return found;
    }

    /// <summary>Live (not zombie) processes whose root or cwd is inside <paramref name="dir"/>.</summary>
    public static List<int> ProcessesUnder(string dir) =>
        LiveProcesses(p => (new FileInfo(Path.Combine(p, "root")).LinkTarget ?? "").StartsWith(dir));

    /// <summary>Live processes in a cgroup named <paramref name="id"/>: a child killed before its pivot_root has the host's root.</summary>
    public static List<int> ProcessesInCgroup(string id) =>
        LiveProcesses(p => File.ReadAllText(Path.Combine(p, "cgroup")).Contains("/" + id + "\n"));

    static List<int> LiveProcesses(Func<string, bool> match)
    {
        var pids = new List<int>();
        foreach (var p in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(p), out int pid)) continue;
            try
            {
                string stat = File.ReadAllText(Path.Combine(p, "stat"));
                if (stat[(stat.LastIndexOf(')') + 2)..].StartsWith("Z")) continue;
                if (match(p)) pids.Add(pid);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return pids;
    }
}
