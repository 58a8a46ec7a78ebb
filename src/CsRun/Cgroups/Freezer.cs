using CsRun.Errors;
using CsRun.Linux;

namespace CsRun.Cgroups;

/// <summary>Pause and resume: v1 freezer.state, v2 cgroup.freeze.</summary>
internal static class Freezer
{
    /// <summary>
    /// v1 can stay in FREEZING while processes keep forking or joining, so this retries as runc
    /// does, thawing now and then to let the stragglers settle. A failed freeze is thawed back:
    /// a cgroup left FREEZING is half-stopped.
    /// </summary>
    public static void FreezeV1(string dir)
    {
        for (int i = 0; i < 1000; i++)
        {
            if (i % 50 == 49)
            {
                CgroupFiles.TryWrite(dir, "freezer.state", "THAWED");
                Thread.Sleep(10);
            }
            int errno = CgroupFiles.TryWrite(dir, "freezer.state", "FROZEN");
            if (errno != 0)
            {
                CgroupFiles.TryWrite(dir, "freezer.state", "THAWED");
                throw CgroupFiles.WriteError("freeze", dir, "freezer.state", errno);
            }
            string state = CgroupFiles.Read(dir, "freezer.state").Trim();
            if (state == "FROZEN") return;
            if (state != "FREEZING")
            {
                CgroupFiles.TryWrite(dir, "freezer.state", "THAWED");
                throw new RuntimeError($"unexpected state {state} while freezing {dir}");
            }
        }
        CgroupFiles.TryWrite(dir, "freezer.state", "THAWED");
        throw new RuntimeError($"unable to freeze {dir}");
    }

    public static void ThawV1(string dir) => CgroupFiles.Write(dir, "freezer.state", "THAWED", "thaw");

    /// <summary>
    /// Frozen by this cgroup itself; frozen only through a frozen ancestor does not count (runc).
    /// FREEZING is asked again for up to a second, then counts as not (yet) frozen.
    /// </summary>
    public static bool IsFrozenV1(string dir)
    {
        for (int i = 0; i < 1000; i++)
        {
            string? state = CgroupFiles.TryRead(dir, "freezer.state")?.Trim();
            if (state != "FREEZING")
                return state == "FROZEN" && (CgroupFiles.TryRead(dir, "freezer.self_freezing")?.Trim() ?? "1") == "1";
            Thread.Sleep(1);
        }
        return false;
    }

    /// <summary>
    /// Writes cgroup.freeze, then for a freeze polls cgroup.events until the kernel reports
    /// "frozen 1" (every process stopped), for up to 10 s as runc does.
    /// </summary>
    public static void SetV2(string dir, bool frozen)
    {
        int errno = CgroupFiles.TryWrite(dir, "cgroup.freeze", frozen ? "1" : "0");
        // Linux < 5.2 has no v2 freezer: thawing is then already true, freezing impossible.
        if (errno == Errno.ENOENT && !frozen) return;
        if (errno != 0) throw CgroupFiles.WriteError(frozen ? "freeze" : "thaw", dir, "cgroup.freeze", errno);
        if (!frozen) return;
        for (int i = 0; i < 1000; i++)
        {
            var events = StatParsers.KeyValues(CgroupFiles.Read(dir, "cgroup.events"));
            if (events.GetValueOrDefault("frozen") == 1) return;
            Thread.Sleep(10);
        }
        throw new RuntimeError($"timeout of 10s reached waiting for the cgroup {dir} to freeze");
    }

    public static bool IsFrozenV2(string dir) => CgroupFiles.TryRead(dir, "cgroup.freeze")?.Trim() == "1";
}
