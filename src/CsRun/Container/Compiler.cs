using CsRun.Launch;
using CsRun.Launch.Child;
using CsRun.Rootfs;

namespace CsRun.Container;

/// <summary>
/// config.json to the ordered setup program the child runs: the glue above the step compilers of
/// Launch (namespaces, process) and Rootfs (mounts, devices, cwd), which never call each other. Pure: it reads the config and a
/// few host facts in the context and makes no system call that changes anything, so tests can
/// assert the plan for a config without running a container.
/// </summary>
internal static class Compiler
{
    public static SetupProgram Compile(CompileContext ctx)
    {
        var p = new SetupProgram();
        NamespaceCompiler.Compile(p, ctx);
        ProcessCompiler.CompileEarly(p, ctx);
        bool ownMountNamespace = ctx.Config.Linux?.Namespaces?.Any(n => n.Type == "mount") == true;
        if (ownMountNamespace)
        {
            RootfsCompiler.CompileMounts(p, ctx);
        }
        if (HasCreateHooks(ctx))
        {
            SyncSendStep.Emit(p, "hooks", "ask the parent to run prestart, createRuntime and createContainer hooks", SyncType.Hooks);
            SyncWaitStep.Emit(p, "hooks", "wait for the hooks", SyncType.HooksDone);
        }
        var a = p.Arena;
        if (ownMountNamespace && ctx.FifoFd >= 0)
            OpenPrivateProcStep.Emit(p, "", "make a private procfs to reach the exec fifo without the container's /proc");
        if (ownMountNamespace && !ctx.NoPivot)
            PivotRootStep.Emit(p, "root.path", $"pivot_root {ctx.Rootfs}", a.Str(ctx.Rootfs));
        else if (ownMountNamespace)
        {
            // The host's mounts stay under the moved rootfs: a full /proc or /sys among them would
            // let a nested user namespace mount a fresh, unmasked one (runc's msMoveRoot does this too).
            HideHostProcAndSysfsStep.Emit(p, "root.path", "detach the host's proc and sysfs mounts outside the rootfs (--no-pivot)",
                a.Zeroed(ChildHostMounts.BufferSize), ChildHostMounts.BufferSize);
            MoveRootStep.Emit(p, "root.path", $"move {ctx.Rootfs} to / and chroot (--no-pivot)", a.Str(ctx.Rootfs));
        }
        else
        {
            OpenHostProcStep.Emit(p, "", "keep the host's /proc to reach the exec fifo after chroot");
            ChrootStep.Emit(p, "root.path", $"chroot {ctx.Rootfs} (no mount namespace)", a.Str(ctx.Rootfs));
        }
        CwdCompiler.Compile(p, ctx);
        ProcessCompiler.CompileSysctls(p, ctx);
        if (ownMountNamespace) RootfsCompiler.CompileAfterPivot(p, ctx);
        ProcessCompiler.CompileKernelSettings(p, ctx);
        // runc's reOpenDevNull: the host's /dev/null as stdio would make the container impossible to checkpoint.
        ReopenDevNullStep.Emit(p, "", "stdio that is the host's /dev/null: the container's /dev/null instead");
        ProcessCompiler.CompileProcess(p, ctx);
        return p;
    }

    static bool HasCreateHooks(CompileContext ctx)
    {
        var h = ctx.Config.Hooks;
        return h != null && ((h.Prestart?.Count ?? 0) + (h.CreateRuntime?.Count ?? 0) + (h.CreateContainer?.Count ?? 0)) > 0;
    }
}
