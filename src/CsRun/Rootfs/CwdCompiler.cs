using CsRun.Launch;
using CsRun.Launch.Child;

namespace CsRun.Rootfs;

/// <summary>
/// process.cwd at create: a missing directory is made, as runc and crun make it (runc's
/// MkdirAll(cwd, 0755) in prepareRootfs): after the root switch, so it lands on whatever is
/// mounted there, and before root.readonly and the masked paths apply; owned by the container's
/// root. `exec` creates nothing: its chdir fails on a missing directory, as runc's does.
/// </summary>
internal static class CwdCompiler
{
    public static void Compile(SetupProgram p, CompileContext ctx)
    {
        string? cwd = ctx.Config.Process?.Cwd;
        if (string.IsNullOrEmpty(cwd)) return;
        string clean = RootfsCompiler.Clean(cwd);
        if (clean == "/") return;
        // Resolved in the new root (RESOLVE_IN_ROOT): a symlink on the way stays inside it.
        PrepareTargetStep.Emit(p, "process.cwd", $"mkdir -p {clean} if missing (as runc)",
            p.Arena.Str(RootfsCompiler.InRoot(clean)), ChildFs.TargetDirectory);
    }
}
