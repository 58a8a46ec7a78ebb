using CsRun.Linux;

namespace CsRun.Container;

/// <summary>
/// A container's processes found without a cgroup (a rootless one the caller owned no cgroup
/// for): the init's descendants, and every process in its pid namespace when it has its own
/// (an exec'd process is no descendant of the init). runc's ps and kill --all fail there.
/// </summary>
internal static class ProcessTree
{
    public static IReadOnlyList<int> Of(ContainerState s)
    {
        if (!ProcessInfo.IsAlive(s.InitPid, s.InitStartTime)) return Array.Empty<int>();
        string? initNs = NsLink(s.InitPid);
        bool ownNs = initNs != null && initNs != NsLink(Environment.ProcessId);
        var children = new Dictionary<int, List<int>>();
        var found = new SortedSet<int> { s.InitPid };
        foreach (int pid in AllPids())
        {
            if (ownNs && NsLink(pid) == initNs) found.Add(pid);
            if (ParentOf(pid) is int parent)
            {
                if (!children.TryGetValue(parent, out var list)) children[parent] = list = new List<int>();
                list.Add(pid);
            }
        }
        var queue = new Queue<int>(new[] { s.InitPid });
        while (queue.Count > 0)
            foreach (int child in children.GetValueOrDefault(queue.Dequeue()) ?? new List<int>())
                if (found.Add(child)) queue.Enqueue(child);
        return found.ToList();
    }

    static IEnumerable<int> AllPids()
    {
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
            if (int.TryParse(Path.GetFileName(dir), out int pid)) yield return pid;
    }

    /// <summary>The pid namespace link ("pid:[4026531836]"), null where we may not read it.</summary>
    static string? NsLink(int pid)
    {
        try { return new FileInfo($"/proc/{pid}/ns/pid").LinkTarget; }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    /// <summary>Field 4 of /proc/PID/stat, read after the last ')' as comm may hold anything.</summary>
    static int? ParentOf(int pid)
    {
        if (KernelFile.Read($"/proc/{pid}/stat", out string stat) < 0) return null;
        int close = stat.LastIndexOf(')');
        if (close < 0) return null;
        var fields = stat[(close + 2)..].Split(' ', 3);
        return fields.Length > 1 && int.TryParse(fields[1], out int ppid) ? ppid : null;
    }
}
