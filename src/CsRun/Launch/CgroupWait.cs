namespace CsRun.Launch;

/// <summary>
/// Where the child waits for the parent to have put it in the container's cgroup.
///
/// Writing a pid to cgroup.procs takes cgroup_threadgroup_rwsem for writing, which waits for an
/// RCU grace period: about 3 ms on an idle machine here, 10 to 40 ms under load (bench/README.md),
/// and every runtime pays it. The mount set-up does not depend on the cgroup, so on the fast path
/// (one clone creates every namespace, no user namespace, nothing to join) the child mounts while
/// the parent writes, and waits just before the first step that is not in <see cref="Before"/>:
/// typically creating the device nodes (the devices controller checks mknod). Unsharing a cgroup
/// namespace, hooks, any message to the parent and the exec all come after the wait. With a user
/// namespace the wait stays first (the id maps are written before it), and so it does when
/// namespaces are joined (a later fork must happen inside the cgroup).
/// </summary>
internal static class CgroupWait
{
    public const string Text = "wait for the parent to join the cgroup";

    /// <summary>Steps that may run before the child is in its cgroup: nothing in them is
    /// accounted to, limited by or visible through the cgroup.</summary>
    static readonly HashSet<StepKind> Before = new()
    {
        StepKind.Setsid, StepKind.Sethostname, StepKind.Setdomainname, StepKind.JoinKeyring, StepKind.Umask,
        StepKind.MountHost, StepKind.OpenRoot, StepKind.PrepareTarget, StepKind.MountTarget, StepKind.BindTarget,
        StepKind.RemountTarget, StepKind.PropagateTarget, StepKind.SetattrTarget, StepKind.SymlinkInRoot,
    };

    /// <summary>Move the wait (compiled as step 0) down past the steps that need no cgroup.</summary>
    public static void Place(SetupProgram p)
    {
        if (p.Steps.Count == 0 || p.Steps[0].Kind != StepKind.SyncWait || p.Steps[0].Text != Text) return;
        if (p.Joins.Count > 0 || p.NewUserNamespace) return;
        int at = 1;
        while (at < p.Steps.Count && Before.Contains(p.Steps[at].Kind)) at++;
        if (at == 1) return;
        var wait = p.Steps[0];
        p.Steps.RemoveAt(0);
        p.Steps.Insert(at - 1, wait);
    }
}
