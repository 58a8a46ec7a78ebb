using CsRun.Launch;
using CsRun.Linux;
using CsRun.Spec;

namespace CsRun.Launch;

/// <summary>
/// Namespaces. With nothing to join, or only network, IPC and UTS namespaces and no user
/// namespace, one clone creates every new namespace (the fast path) and the child joins right
/// after. Other joins must come first (setns into a namespace owned by another user namespace
/// fails from inside a new one; a pid namespace is entered by the next fork), so then the child
/// is cloned plain, joins, unshares, and forks the init once more if a pid namespace is involved. cgroup and time namespaces are always
/// unshared late: the cgroup one must be rooted at the container's cgroup, and time offsets
/// must be written before any process enters the namespace.
/// </summary>
internal static class NamespaceCompiler
{
    public static readonly Dictionary<string, long> Flags = new()
    {
        ["mount"] = CloneFlags.NewNs, ["uts"] = CloneFlags.NewUts, ["ipc"] = CloneFlags.NewIpc,
        ["network"] = CloneFlags.NewNet, ["pid"] = CloneFlags.NewPid, ["user"] = CloneFlags.NewUser,
        ["cgroup"] = CloneFlags.NewCgroup, ["time"] = CloneFlags.NewTime,
    };

    /// <summary>Join order: the user namespace first, so the rest are joined with its privileges.</summary>
    static readonly string[] JoinOrder = { "user", "ipc", "uts", "network", "pid", "cgroup", "time", "mount" };

    static void NotDumpable(SetupProgram p) => PrctlStep.Emit(p, "", "not dumpable now the id maps are written", Pr.SetDumpable, 0);

    /// <summary>The steps up to and including the moment the container init exists in all its namespaces.</summary>
    public static void Compile(SetupProgram p, CompileContext ctx)
    {
        var a = p.Arena;
        var nss = ctx.Config.Linux?.Namespaces ?? new List<Namespace>();
        long create = 0;
        foreach (var ns in nss.Where(n => string.IsNullOrEmpty(n.Path))) create |= Flags[ns.Type];
        var joins = JoinOrder.SelectMany(t => nss.Where(n => n.Type == t && !string.IsNullOrEmpty(n.Path))).ToList();
        p.NewUserNamespace = (create & CloneFlags.NewUser) != 0;
        long late = CloneFlags.NewCgroup | CloneFlags.NewTime;
        // Joining a network, IPC or UTS namespace works from a child already in its new pid and
        // mount namespaces (setns needs CAP_SYS_ADMIN over the target, which a child without a
        // new user namespace keeps): such joins (podman's network namespace) stay on the fast
        // path, one clone with the new namespaces, the joins right after it.
        bool joinAfterClone = joins.Count > 0 && !p.NewUserNamespace && joins.TrueForAll(n => n.Type is "network" or "ipc" or "uts");
        bool plainClone = joins.Count > 0 && !joinAfterClone;

        // A child born in a new user namespace has no ids there until the parent writes its
        // maps, so the parent joins its cgroups for it.
        bool selfJoin = ctx.CgroupSelfJoin.Count > 0 && (plainClone || !p.NewUserNamespace);
        // On the fast path a self-joining child needs nothing from the parent before go, so the
        // parent makes the cgroup after the clone while the child creates its network namespace
        // itself (0.3 ms, ten times any other namespace), and the two overlap.
        p.CgroupAfterClone = selfJoin && !plainClone;
        long childUnshares = p.CgroupAfterClone ? create & CloneFlags.NewNet : 0;
        if (childUnshares != 0)
            UnshareStep.Emit(p, "linux.namespaces", $"unshare {Describe(childUnshares)} (while the parent makes the cgroup)", childUnshares);
        if (joinAfterClone) AddJoins(p, nss, joins);
        if (selfJoin && !p.CgroupAfterClone) CgroupJoinCompiler.Compile(p, ctx);
        // Without root the parent can write the maps only to a dumpable child's /proc files.
        p.DumpableUntilMaps = p.NewUserNamespace && Identity.EffectiveUid != 0;
        SyncWaitStep.Emit(p, "", "wait for the parent's go (cgroups made or joined, id maps written)", SyncType.Go);
        if (p.DumpableUntilMaps && joins.Count == 0) NotDumpable(p);
        if (p.CgroupAfterClone) CgroupJoinCompiler.Compile(p, ctx);
        // In every cgroup now: drop the affinity csrun was given (or CpuHandoff's) for the cpuset's.
        ScheduleCompiler.ResetAffinity(p);
        if (!plainClone)
        {
            p.CloneFlags = create & ~late & ~childUnshares;
            if (p.NewUserNamespace) BecomeRoot(p);
        }
        else
        {
            p.CloneFlags = 0;
            AddJoins(p, nss, joins);
            if (p.NewUserNamespace)
            {
                UnshareStep.Emit(p, "linux.namespaces", "unshare user namespace", CloneFlags.NewUser);
                SyncSendStep.Emit(p, "", "ask the parent for the id maps", SyncType.NeedMaps);
                SyncWaitStep.Emit(p, "", "wait for the id maps", SyncType.MapsDone);
                if (p.DumpableUntilMaps) NotDumpable(p);
            }
            if (p.NewUserNamespace || joins.Any(n => n.Type == "user")) BecomeRoot(p);
            long rest = create & ~late & ~CloneFlags.NewUser;
            if (rest != 0) UnshareStep.Emit(p, "linux.namespaces", $"unshare {Describe(rest)}", rest);
        }
        if (p.NewUserNamespace)
        {
            // Until now we run as the host's root, which has no id in the new namespace: become its root.
            SetgidStep.Emit(p, "linux.gidMappings", "setresgid 0 in the user namespace", 0);
            SetuidStep.Emit(p, "linux.uidMappings", "setresuid 0 in the user namespace", 0);
        }
        if ((create & CloneFlags.NewTime) != 0) CompileTime(p, ctx);
        if ((create & CloneFlags.NewCgroup) != 0)
            UnshareStep.Emit(p, "linux.namespaces", "unshare cgroup namespace (rooted at the container's cgroup)", CloneFlags.NewCgroup);
        if ((create & CloneFlags.NewNet) != 0)
            LoopbackUpStep.Emit(p, "linux.namespaces", "bring lo up in the new network namespace");
        if (ctx.Config.Linux?.NetDevices?.Count > 0)
        {
            // The parent moves them (Container/NetDevices) while the child, its init-to-be, waits.
            SyncSendStep.Emit(p, "linux.netDevices", "ask the parent to move the network devices in", SyncType.NetDevices);
            SyncWaitStep.Emit(p, "linux.netDevices", "wait for the network devices", SyncType.NetDevicesDone);
        }
        bool pidInvolved = nss.Any(n => n.Type == "pid");
        if (plainClone && pidInvolved)
            ForkInitStep.Emit(p, "linux.namespaces", "fork the init into the pid namespace");
    }

    static void AddJoins(SetupProgram p, List<Namespace> nss, List<Namespace> joins)
    {
        foreach (var ns in joins)
        {
            int index = p.Joins.Count;
            p.Joins.Add((ns.Type, ns.Path!));
            // A: the fd slot; the launcher patches in the real fd number once it has opened the file.
            SetnsStep.Emit(p, $"linux.namespaces[{nss.IndexOf(ns)}].path", $"join {ns.Type} namespace {ns.Path}", index, Flags[ns.Type]);
        }
    }

    /// <summary>
    /// In a user namespace the init keeps the host's ids, which the maps may not cover: files it
    /// creates (mkdir /dev/pts on the new /dev) would fail with EOVERFLOW. Become the namespace's
    /// root once the maps are written, as runc's nsexec does.
    /// </summary>
    static void BecomeRoot(SetupProgram p)
    {
        SetgidStep.Emit(p, "linux.gidMappings", "setresgid 0 (root of the user namespace)", 0);
        SetuidStep.Emit(p, "linux.uidMappings", "setresuid 0 (root of the user namespace)", 0);
    }

    static void CompileTime(SetupProgram p, CompileContext ctx)
    {
        var a = p.Arena;
        UnshareStep.Emit(p, "linux.namespaces", "unshare time namespace", CloneFlags.NewTime);
        var offsets = ctx.Config.Linux?.TimeOffsets;
        if (offsets == null || offsets.Count == 0) return;
        string text = string.Concat(offsets.Select(kv => $"{kv.Key} {kv.Value.Secs} {kv.Value.Nanosecs}\n"));
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        WriteFileStep.Emit(p, "linux.timeOffsets", $"write /proc/self/timens_offsets \"{text.TrimEnd().Replace("\n", "; ")}\"",
            a.Str("/proc/self/timens_offsets"), a.Bytes(bytes), bytes.Length, true);
    }

    /// <summary>"network,pid" for the flags, in <see cref="Flags"/>' order. A plain loop: LINQ over
    /// the dictionary resolves generic virtual methods at run time (1% of a `run`'s CPU, measured).</summary>
    public static string Describe(long flags)
    {
        string names = "";
        foreach (var (name, flag) in Flags)
            if ((flags & flag) != 0) names = names.Length == 0 ? name : names + "," + name;
        return names;
    }
}
