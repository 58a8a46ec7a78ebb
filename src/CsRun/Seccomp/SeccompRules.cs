using CsRun.Diagnostics;
using CsRun.Errors;
using CsRun.Linux;
using CsRun.Spec;

namespace CsRun.Seccomp;

/// <summary>Turns one linux.seccomp.syscalls[] entry into libseccomp rules, as runc does.</summary>
internal static class SeccompRules
{
    const int MaxArgs = 6;

    /// <summary>Adds the entry's rules and returns how many it added.</summary>
    public static int Add(SeccompFilter filter, SeccompSyscall? call, string path, uint defaultAction)
    {
        if (call == null) throw new RuntimeError($"{path}: must be an object, not null");
        uint action = SeccompNames.Action(call.Action, call.ErrnoRet, $"{path}.action", $"{path}.errnoRet");
        var conditions = Conditions(call.Args, path);
        if (call.Names.Count == 0) throw new RuntimeError($"{path}.names: must name at least one syscall");
        for (int j = 0; j < call.Names.Count; j++)
        {
            if (call.Names[j].Length == 0) throw new RuntimeError($"{path}.names[{j}]: empty syscall name");
            // The child reports the listener fd to the parent with write(2) on the sync socket;
            // a notified write would wait for an agent that cannot have the fd yet (runc's rule).
            if (action == ScmpAct.Notify && call.Names[j] == "write")
                throw new RuntimeError($"{path}.names[{j}]: SCMP_ACT_NOTIFY cannot be used for the write syscall");
        }
        // libseccomp refuses a rule whose action is the default one; it would change nothing.
        if (action == defaultAction) return 0;

        // Conditions on different arguments must all hold (one rule). Several on the same
        // argument could never hold together, so runc, whose behaviour profiles rely on, adds
        // each condition as its own rule: any one of them matches.
        bool shareIndex = conditions.GroupBy(c => c.Arg).Any(g => g.Count() > 1);
        int added = 0;
        for (int j = 0; j < call.Names.Count; j++)
        {
            string name = call.Names[j];
            int nr = LibSeccomp.SyscallResolveName(name);
            if (nr == LibSeccomp.NrError)
            {
                // Likely newer than this libseccomp; runc skips it the same way.
                Log.Debug($"unknown seccomp syscall \"{name}\" ignored");
                continue;
            }
            if (shareIndex)
                for (int k = 0; k < conditions.Length; k++)
                    added += AddOne(filter, action, nr, conditions.AsSpan(k, 1), $"{path}.names[{j}]", name);
            else
                added += AddOne(filter, action, nr, conditions, $"{path}.names[{j}]", name);
        }
        return added;
    }

    static int AddOne(SeccompFilter filter, uint action, int nr, ReadOnlySpan<LibSeccomp.ArgCmp> conditions,
        string path, string name)
    {
        int rc = filter.AddRule(action, nr, conditions);
        if (rc < 0)
            throw new RuntimeError($"{path}: libseccomp refused the rule for syscall \"{name}\": {Errno.Message(-rc)}");
        return 1;
    }

    static LibSeccomp.ArgCmp[] Conditions(List<SeccompArg>? args, string path)
    {
        if (args == null) return Array.Empty<LibSeccomp.ArgCmp>();
        var result = new LibSeccomp.ArgCmp[args.Count];
        for (int k = 0; k < args.Count; k++)
        {
            var a = args[k];
            string at = $"{path}.args[{k}]";
            if (a == null) throw new RuntimeError($"{at}: must be an object, not null");
            if (a.Index >= MaxArgs)
                throw new RuntimeError($"{at}.index: {a.Index} is out of range (a syscall has arguments 0 to {MaxArgs - 1})");
            result[k] = new LibSeccomp.ArgCmp
            {
                Arg = a.Index,
                Op = SeccompNames.Operator(a.Op, $"{at}.op"),
                DatumA = a.Value,
                DatumB = a.ValueTwo,
            };
        }
        return result;
    }
}
