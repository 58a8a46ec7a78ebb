using CsRun.Diagnostics;
using CsRun.Errors;
using CsRun.Linux;
using CsRun.Spec;

namespace CsRun.Seccomp;

/// <summary>
/// Compiles linux.seccomp to classic BPF in the parent, with libseccomp, so that the forked
/// child only has to hand the bytes to seccomp(2).
/// </summary>
public static class SeccompCompiler
{
    const string P = "linux.seccomp";

    // runc turns on libseccomp's binary-tree layout past this many rules: long allow lists then
    // cost a few comparisons per syscall instead of one per rule. libseccomp 2.5.4 mishandles
    // the layout with no rules at all, hence a threshold rather than always.
    const int OptimizeAbove = 32;

    /// <summary>
    /// runc's rule: a seccomp object with neither a default action nor syscalls means no filter.
    /// </summary>
    public static bool IsEnabled(SeccompConfig? s) =>
        s != null && (!string.IsNullOrEmpty(s.DefaultAction) || s.Syscalls is { Count: > 0 });

    /// <summary>
    /// <see cref="Compile(SeccompConfig)"/> through the cache under <paramref name="stateRoot"/>
    /// (null: none): a profile met before is read back instead of compiled. Only a profile that
    /// compiled is ever stored, and its key covers every input, so a hit skips no check that
    /// could fail.
    /// </summary>
    public static CompiledSeccomp Compile(SeccompConfig s, string? stateRoot)
    {
        using var cache = stateRoot == null ? null : SeccompCache.Open(stateRoot);
        byte[]? key = cache == null ? null : SeccompCacheKey.For(s);
        if (key != null && cache!.Load(key) is { } hit)
        {
            Log.Debug("seccomp filter read from the cache");
            return hit;
        }
        var compiled = Compile(s);
        if (key != null) cache!.Store(key, compiled);
        return compiled;
    }

    /// <summary>Throws <see cref="RuntimeError"/> naming the offending field.</summary>
    public static CompiledSeccomp Compile(SeccompConfig s)
    {
        if (string.IsNullOrEmpty(s.DefaultAction)) throw new RuntimeError($"{P}.defaultAction: must be set");
        uint defaultAction = SeccompNames.Action(s.DefaultAction, s.DefaultErrnoRet, $"{P}.defaultAction", $"{P}.defaultErrnoRet");
        // Every syscall would wait for an agent, including the child's own report of the
        // listener fd that the agent needs (runc refuses it too).
        if (defaultAction == ScmpAct.Notify)
            throw new RuntimeError($"{P}.defaultAction: SCMP_ACT_NOTIFY cannot be the default action");
        bool usesNotify = s.Syscalls?.Any(c => c?.Action == "SCMP_ACT_NOTIFY") == true;
        if (usesNotify && string.IsNullOrEmpty(s.ListenerPath))
            throw new RuntimeError($"{P}.listenerPath: must be set when SCMP_ACT_NOTIFY is used");
        uint flags = Flags(s.Flags, usesNotify);

        using var filter = SeccompFilter.Create(defaultAction)
            ?? throw new RuntimeError($"{P}.defaultAction: libseccomp or the kernel does not support {s.DefaultAction}");
        // no_new_privs follows process.noNewPrivileges and the child sets it. libseccomp's
        // default (on) only acts in seccomp_load, which csrun never calls; clear it as runc does
        // so that no future caller of seccomp_load sets it behind the spec's back.
        Check(filter.SetAttr(ScmpAttr.CtlNnp, 0), $"{P}: clearing SCMP_FLTATR_CTL_NNP");
        var archTokens = AddArchitectures(filter, s.Architectures);

        int rules = 0;
        for (int i = 0; i < (s.Syscalls?.Count ?? 0); i++)
            rules += SeccompRules.Add(filter, s.Syscalls![i], $"{P}.syscalls[{i}]", defaultAction);
        if (rules > OptimizeAbove && filter.SetAttr(ScmpAttr.CtlOptimize, 2) < 0)
            Log.Debug("seccomp binary tree optimization not available");

        byte[] bpf = filter.ExportBpf();
        if (bpf.Length == 0 || bpf.Length % 8 != 0)
            throw new RuntimeError($"{P}: libseccomp exported {bpf.Length} bytes, not whole BPF instructions");
        if (EnosysStub.Wanted(defaultAction))
            bpf = [.. EnosysStub.Build(EnosysStub.LastSyscalls(archTokens, s.Syscalls)), .. bpf];
        if (bpf.Length / 8 > SeccompConst.MaxInstructions)
            throw new RuntimeError($"{P}: the filter has {bpf.Length / 8} BPF instructions, the kernel allows {SeccompConst.MaxInstructions}");
        return new CompiledSeccomp(bpf, flags, usesNotify);
    }

    static List<uint> AddArchitectures(SeccompFilter filter, List<string>? architectures)
    {
        var tokens = new List<uint>();
        for (int i = 0; i < (architectures?.Count ?? 0); i++)
        {
            string path = $"{P}.architectures[{i}]";
            uint token = SeccompNames.ArchToken(architectures![i], path);
            int rc = filter.AddArch(token);
            // The native architecture is in every new filter; naming it again is fine.
            if (rc != -Errno.EEXIST) Check(rc, $"{path}: adding architecture {architectures[i]}");
            tokens.Add(token);
        }
        return tokens;
    }

    /// <summary>
    /// The seccomp(2) flags. Without a flags list runc and crun both ask for SPEC_ALLOW (no
    /// forced speculative-store-bypass mitigation), runc only where the kernel supports it
    /// (libseccomp API level 4); an empty list means none.
    /// </summary>
    static uint Flags(List<string>? names, bool usesNotify)
    {
        if (names == null) return LibSeccomp.ApiGet() >= 4 ? SeccompConst.FlagSpecAllow : 0;
        uint flags = 0;
        for (int i = 0; i < names.Count; i++) flags |= SeccompNames.Flag(names[i], $"{P}.flags[{i}]");
        // The kernel refuses TSYNC together with NEW_LISTENER unless told to report a thread
        // it cannot sync as ESRCH rather than by its tid.
        if (usesNotify && (flags & SeccompConst.FlagTsync) != 0) flags |= SeccompConst.FlagTsyncEsrch;
        return flags;
    }

    static void Check(int rc, string what)
    {
        if (rc < 0) throw new RuntimeError($"{what}: {Errno.Message(-rc)}");
    }
}
