namespace CsRun.Spec.Validation;

/// <summary>linux.seccomp: known names (config-linux.md's lists), errnoRet only where an
/// errno is returned, and runc's limits on SCMP_ACT_NOTIFY.</summary>
internal static class SeccompRules
{
    // Syscalls take at most six arguments.
    const uint MaxArgs = 6;

    public static void Validate(Context ctx)
    {
        var s = ctx.Linux.Seccomp;
        const string at = "linux.seccomp";
        // runc reads an empty object as "no seccomp".
        if (s == null || string.IsNullOrEmpty(s.DefaultAction) && (s.Syscalls == null || s.Syscalls.Count == 0)) return;

        Check.OneOf(s.DefaultAction, SpecNames.SeccompActions, $"{at}.defaultAction");
        // The notify fd is handed out by the filter's first load; a default NOTIFY would trap
        // the very syscalls that hand it over.
        if (s.DefaultAction == "SCMP_ACT_NOTIFY") throw Check.Fail($"{at}.defaultAction", "must not be SCMP_ACT_NOTIFY");
        if (s.DefaultErrnoRet != null && !SpecNames.SeccompErrnoActions.Contains(s.DefaultAction))
            throw Check.Fail($"{at}.defaultErrnoRet", $"can only be set with SCMP_ACT_ERRNO or SCMP_ACT_TRACE (defaultAction is {s.DefaultAction})");
        if (s.Architectures != null)
            for (int i = 0; i < s.Architectures.Count; i++) Check.OneOf(s.Architectures[i], SpecNames.SeccompArchitectures, $"{at}.architectures[{i}]");
        if (s.Flags != null)
            for (int i = 0; i < s.Flags.Count; i++) Check.OneOf(s.Flags[i], SpecNames.SeccompFlags, $"{at}.flags[{i}]");
        if (!string.IsNullOrEmpty(s.ListenerMetadata) && string.IsNullOrEmpty(s.ListenerPath))
            throw Check.Fail($"{at}.listenerMetadata", "must not be set without listenerPath");

        var calls = s.Syscalls ?? new List<SeccompSyscall>();
        for (int i = 0; i < calls.Count; i++) Syscall(s, calls[i], $"{at}.syscalls[{i}]");
    }

    static void Syscall(SeccompConfig s, SeccompSyscall call, string at)
    {
        if (call.Names.Count == 0) throw Check.Fail($"{at}.names", "must not be empty");
        for (int j = 0; j < call.Names.Count; j++)
            if (call.Names[j].Length == 0) throw Check.Fail($"{at}.names[{j}]", "must not be empty");
        Check.OneOf(call.Action, SpecNames.SeccompActions, $"{at}.action");
        if (call.ErrnoRet != null && !SpecNames.SeccompErrnoActions.Contains(call.Action))
            throw Check.Fail($"{at}.errnoRet", $"can only be set with SCMP_ACT_ERRNO or SCMP_ACT_TRACE (action is {call.Action})");
        if (call.Action == "SCMP_ACT_NOTIFY")
        {
            if (string.IsNullOrEmpty(s.ListenerPath)) throw Check.Fail($"{at}.action", "SCMP_ACT_NOTIFY needs linux.seccomp.listenerPath");
            // After the filter is loaded the child still reports to the parent with write(2);
            // trapping it would wait on a listener that only gets the fd from that very report.
            if (call.Names.Contains("write")) throw Check.Fail($"{at}.names", "SCMP_ACT_NOTIFY cannot be used for write");
        }
        if (call.Args == null) return;
        for (int k = 0; k < call.Args.Count; k++)
        {
            if (call.Args[k].Index >= MaxArgs) throw Check.Fail($"{at}.args[{k}].index", $"must be from 0 to {MaxArgs - 1} (got {call.Args[k].Index})");
            Check.OneOf(call.Args[k].Op, SpecNames.SeccompOperators, $"{at}.args[{k}].op");
        }
    }
}
