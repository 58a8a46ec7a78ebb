using CsRun.Cli;

namespace CsRun.Launch;

/// <summary>linux.seccomp as a step that loads a BPF program compiled in the parent.</summary>
internal static class SeccompStep
{
    public static Step? Compile(SetupProgram p, CompileContext ctx)
    {
        if (ctx.Config.Linux?.Seccomp == null) return null;
        ctx.Warnings.Add("linux.seccomp: not supported yet; the container runs without a seccomp filter");
        return null;
    }
}
