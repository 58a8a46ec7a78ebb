using System.Globalization;
using CsRun.Errors;
using CsRun.Linux;

namespace CsRun.Cgroups;

/// <summary>Cgroup directories: make, remove, list and join their processes.</summary>
internal static class CgroupDirs
{
    public static bool Exists(string dir) => KernelFile.Exists(dir);

    /// <summary>
    /// mkdir -p; in cgroupfs each mkdir is a new cgroup that inherits from its parent. Every
    /// directory it makes is added to <paramref name="made"/>, parents first; each missing parent
    /// is announced to it before its mkdir.
    /// </summary>
    public static void MakeAll(string dir, MadeDirs? made = null)
    {
        int r = KernelFile.Mkdir(dir, 0x1ed /* 0755 */);
        string parent = Path.GetDirectoryName(dir) ?? "/";
        if (r == -Errno.ENOENT && parent != dir)
        {
            made?.Announce?.Invoke(parent);
            MakeAll(parent, made);
            r = KernelFile.Mkdir(dir, 0x1ed);
        }
        if (r == 0) made?.Add(dir);
        if (r == 0 || r == -Errno.EEXIST) return;
        throw new RuntimeError($"mkdir {dir}: {Errno.Message(-r)}");
    }

    /// <summary>A level above the container's cgroup: announced to <paramref name="made"/> first if it is missing.</summary>
    public static void MakeParent(string dir, MadeDirs? made)
    {
        if (made?.Announce != null && !Exists(dir)) made.Announce(dir);
        MakeAll(dir, made);
    }

    /// <summary>
    /// Removes the cgroup and its sub-cgroups (a container may make its own), like runc's
    /// RemovePath. A cgroup whose last process just died can stay busy for a moment: EBUSY is
    /// retried with a doubling delay (about a second in all). A missing directory is success.
    /// </summary>
    public static int Remove(string dir)
    {
        int r = KernelFile.Rmdir(dir);
        if (r == 0 || r == -Errno.ENOENT) return 0;
        foreach (string sub in SubCgroups(dir))
        {
            int e = Remove(sub);
            if (e != 0) return e;
        }
        int delay = 1;
        for (int tries = 0; ; tries++)
        {
            r = KernelFile.Rmdir(dir);
            if (r == 0 || r == -Errno.ENOENT) return 0;
            if (r != -Errno.EBUSY || tries == 10) return -r;
            Thread.Sleep(delay);
            delay *= 2;
        }
    }

    /// <summary>
    /// Writes the pid to cgroup.procs. EINVAL can mean the task is still being created
    /// (TASK_NEW), so it is retried a few times as runc does.
    /// </summary>
    public static void Join(string dir, int pid)
    {
        string value = pid.ToString(CultureInfo.InvariantCulture);
        for (int attempt = 0; ; attempt++)
        {
            int errno = CgroupFiles.TryWrite(dir, "cgroup.procs", value);
            if (errno == 0) return;
            if (errno != Errno.EINVAL || attempt == 4)
                throw new RuntimeError($"failed to add pid {pid} to cgroup: write {CgroupFiles.PathOf(dir, "cgroup.procs")}: {Errno.Message(errno)}");
            Thread.Sleep(30);
        }
    }

    /// <summary>Pids in the cgroup and, if asked, in every sub-cgroup. A missing cgroup has none.</summary>
    public static List<int> Procs(string dir, bool recursive)
    {
        var pids = new List<int>();
        Collect(dir, recursive, pids, new HashSet<int>());
        return pids;
    }

    // v1 may list a pid twice in cgroup.procs: `seen` drops the repeats.
    static void Collect(string dir, bool recursive, List<int> pids, HashSet<int> seen)
    {
        string? text;
        try
        {
            text = CgroupFiles.TryRead(dir, "cgroup.procs");
        }
        catch (RuntimeError) when (CgroupFiles.Exists(dir, "cgroup.threads"))
        {
            // A v2 threaded cgroup refuses cgroup.procs (EOPNOTSUPP); its threads are listed instead.
            text = CgroupFiles.TryRead(dir, "cgroup.threads");
        }
        if (text == null) return;
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && seen.Add(pid))
                pids.Add(pid);
        }
        if (!recursive) return;
        foreach (string sub in SubCgroups(dir)) Collect(sub, true, pids, seen);
    }

    static string[] SubCgroups(string dir)
    {
        try
        {
            return Directory.GetDirectories(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Array.Empty<string>(); // gone meanwhile, or unreadable: nothing to descend into
        }
    }
}

/// <summary>
/// The directories a manager's Create made, parents first. <see cref="Announce"/> hears of each
/// parent (a level above the container's own cgroup) before its mkdir: create's journal records
/// it there, so that a create killed right after the mkdir still leaves it findable.
/// </summary>
internal sealed class MadeDirs : List<string>
{
    public Action<string>? Announce { get; set; }
}
