using CsRun.Errors;
using CsRun.Seccomp;

namespace CsRun.Launch;

/// <summary>linux.seccomp as one step: the parent compiles the BPF, the child only hands it to seccomp(2).</summary>
internal static class SeccompStep
{
    public static unsafe Step? Compile(SetupProgram p, CompileContext ctx)
    {
        var spec = ctx.Config.Linux?.Seccomp;
        if (!SeccompCompiler.IsEnabled(spec)) return null;
        var compiled = SeccompCompiler.Compile(spec!, ctx.StateRoot);
        if (compiled.UsesNotify && string.IsNullOrEmpty(spec!.ListenerPath))
            throw new RuntimeError("linux.seccomp.listenerPath: required when a rule uses SCMP_ACT_NOTIFY");
        var a = p.Arena;
        long filter = a.Bytes(compiled.Bpf);
        // struct sock_fprog { unsigned short len; struct sock_filter *filter; }
        long prog = a.Zeroed(16);
        *(ushort*)prog = (ushort)(compiled.Bpf.Length / 8);
        *(long*)(prog + 8) = filter;
        string what = compiled.UsesNotify ? $", listener to {spec!.ListenerPath}" : "";
        return SeccompLoadStep.Make("linux.seccomp", $"load seccomp filter ({compiled.Bpf.Length / 8} instructions, flags 0x{compiled.Flags:x}{what})",
            prog, compiled.Flags, compiled.UsesNotify);
    }
}
