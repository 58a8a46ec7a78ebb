using System.Runtime.InteropServices;
using CsRun.Tests.Integration;

namespace CsRun.Tests.Clients;

/// <summary>What the container managers may leave on the host, found and removed.</summary>
internal static partial class HostCleanup
{
    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int umount2(string target, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int waitpid(int pid, out int status, int options);

    /// <summary>Names of the processes that get re-parented to the test host (a subreaper) when they daemonize.</summary>
    static readonly string[] Adopted = { "conmon", "containerd-shim", "podman" };

    /// <summary>
    /// Reaps exited conmons, shims and podman exit commands: they double-fork away from the
    /// manager that started them, and this host's PID 1 would never reap them.
    /// </summary>
    public static void ReapAdoptedZombies()
    {
        foreach (var (pid, ppid, state, comm) in Processes())
            if (ppid == Environment.ProcessId && state == 'Z' && Adopted.Contains(comm)) waitpid(pid, out _, 1 /*WNOHANG*/);
    }

    /// <summary>Live processes whose command line mentions <paramref name="text"/> (a manager's private dir or socket).</summary>
    public static List<int> LiveProcessesMentioning(string text)
    {
        var found = new List<int>();
        foreach (var (pid, _, state, _) in Processes())
        {
            if (state == 'Z' || pid == Environment.ProcessId) continue;
            try
            {
                if (File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Contains(text)) found.Add(pid);
            }
            catch (IOException) { }
        }
        return found;
    }

    public static void Kill(IEnumerable<int> pids)
    {
        foreach (var pid in pids)
        {
            try { System.Diagnostics.Process.GetProcessById(pid).Kill(); }
            catch (ArgumentException) { }
            catch (InvalidOperationException) { }
        }
    }

    static IEnumerable<(int Pid, int Ppid, char State, string Comm)> Processes()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
            string stat;
            try { stat = File.ReadAllText(Path.Combine(dir, "stat")); }
            catch (IOException) { continue; }
            int open = stat.IndexOf('('), close = stat.LastIndexOf(')');
            var rest = stat[(close + 2)..].Split(' ');
            yield return (pid, int.Parse(rest[1]), rest[0][0], stat[(open + 1)..close]);
        }
    }

    /// <summary>Mount points at or below <paramref name="dir"/>, deepest first.</summary>
    public static List<string> MountsUnder(string dir) =>
        File.ReadAllLines("/proc/self/mountinfo")
            .Select(l => l.Split(' ')[4].Replace("\\040", " "))
            .Where(m => m == dir || m.StartsWith(dir + "/"))
            .Reverse()
            .ToList();

    public static void UnmountUnder(string dir)
    {
        foreach (var m in MountsUnder(dir)) umount2(m, 2 /*MNT_DETACH*/);
    }

    /// <summary>Every cgroup directory named <paramref name="name"/> directly below a hierarchy root (v1) or the v2 root.</summary>
    public static List<string> CgroupRoots(string name)
    {
        var tops = new List<string> { "/sys/fs/cgroup" };
        tops.AddRange(Directory.EnumerateDirectories("/sys/fs/cgroup"));
        return tops.Select(t => Path.Combine(t, name)).Where(Directory.Exists).ToList();
    }

    /// <summary>The cgroups below <paramref name="name"/> in every hierarchy, without the roots themselves.</summary>
    public static List<string> CgroupsBelow(string name) =>
        CgroupRoots(name).SelectMany(r => Directory.EnumerateDirectories(r, "*", SearchOption.AllDirectories)).ToList();

    /// <summary>Removes the cgroup trees a manager made under a parent of ours, leaves first. Throws if one is still in use.</summary>
    public static void RemoveCgroupTree(string name)
    {
        var busy = new List<string>();
        foreach (var root in CgroupRoots(name))
        {
            var dirs = Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories).OrderByDescending(d => d.Length).Append(root);
            foreach (var d in dirs)
            {
                try { Directory.Delete(d); }
                catch (IOException) { busy.Add(d); }
            }
        }
        if (busy.Count > 0) throw new IOException("cgroups still in use: " + string.Join(", ", busy));
    }

    /// <summary>The containers' state dirs under a csrun --root: every directory but csrun's
    /// compiled-seccomp cache, which outlives containers.</summary>
    public static IEnumerable<string> CsrunStateDirs(string root) =>
        Directory.Exists(root)
            ? Directory.GetDirectories(root).Where(d => Path.GetFileName(d) != CsRun.Seccomp.SeccompCache.DirName)
            : Array.Empty<string>();

    /// <summary>Removes the directories in <paramref name="paths"/> (deepest first) that did not exist before and are empty now.</summary>
    public static void RemoveEmptyDirsCreatedSince(IEnumerable<string> paths, ISet<string> existedBefore)
    {
        foreach (var p in paths.OrderByDescending(p => p.Length))
        {
            if (existedBefore.Contains(p) || !Directory.Exists(p) || Directory.EnumerateFileSystemEntries(p).Any()) continue;
            try { Directory.Delete(p); }
            catch (IOException) { }
        }
    }

    /// <summary>Container inits whose root is inside <paramref name="dir"/> (the managers' storage).</summary>
    public static List<int> ContainerProcessesUnder(string dir) => Leftovers.ProcessesUnder(dir);
}
