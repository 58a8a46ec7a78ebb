using CsRun.Diagnostics;
using CsRun.Errors;
using CsRun.Launch;
using CsRun.Linux;
using CsRun.Spec;

namespace CsRun.Container;

/// <summary>
/// Runs OCI hooks from the parent: the state on stdin, `timeout` honoured. Hooks that must run
/// in the container's namespaces (createContainer) are spawned by a child that first joins
/// them with setns; the spawn reuses the setup interpreter, so there is no fork of managed code.
/// Where a hook runs and what it gets without `env` follow runc 1.1.5 (which runs
/// createContainer hooks from its init, in the container's mount namespace before pivot_root,
/// and the others from the runc process on the host): see <see cref="Where"/>.
/// </summary>
internal static class HookRunner
{
    static readonly string[] JoinOrder = { "user", "ipc", "uts", "net", "pid", "cgroup", "mnt" };

    /// <summary>
    /// The working directory (null: csrun's own) and the environment a hook without `env` gets.
    /// runc: prestart and createRuntime run in the bundle (runc chdirs there) with runc's
    /// environment; createContainer in the rootfs (its init chdirs there before the hooks) with
    /// process.env; poststart and poststop on the host with runc's environment.
    /// </summary>
    public sealed record Where(string? Cwd, IReadOnlyList<string> Env)
    {
        /// <summary>csrun's own environment (runc's hooks inherit runc's: Go's exec with a nil Env).</summary>
        public static IReadOnlyList<string> HostEnv() =>
            System.Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
                .Select(e => $"{e.Key}={e.Value}").OrderBy(e => e, StringComparer.Ordinal).ToList();

        public static Where Host(string? cwd = null) => new(cwd, HostEnv());
    }

    public static void Run(List<Hook>? hooks, string phase, HookState state, Where where, int containerPid = 0) =>
        RunAll(hooks, phase, state, where, containerPid, error => throw new RuntimeError(error));

    /// <summary>
    /// Poststop failures are warnings: the spec lets "the remaining hooks and lifecycle
    /// continue as if the hook had succeeded", so every hook still runs. (Poststart ones are
    /// errors since spec 1.3, as runc has always made them.)
    /// </summary>
    public static void RunWarnOnly(List<Hook>? hooks, string phase, HookState state, Where where) =>
        RunAll(hooks, phase, state, where, 0, Log.Warn);

    static void RunAll(List<Hook>? hooks, string phase, HookState state, Where where, int containerPid, Action<string> onError)
    {
        if (hooks == null || hooks.Count == 0) return;
        byte[] payload = HookStateJson.Of(state);
        for (int i = 0; i < hooks.Count; i++)
        {
            string error = RunOne(hooks[i], payload, where, containerPid);
            if (error.Length > 0) onError($"hooks.{phase}[{i}]: {hooks[i].Path}: {error}");
        }
    }

    static unsafe string RunOne(Hook hook, byte[] payload, Where where, int containerPid)
    {
        var p = new SetupProgram();
        var a = p.Arena;
        int* pair = stackalloc int[2];
        long r = Libc.Sys(Nr.Socketpair, 1, 1 /*SOCK_STREAM*/ | O.CloExec, 0, (long)pair);
        if (r < 0) return $"socketpair: {Errno.Message((int)-r)}";
        var fds = new List<int>();
        try
        {
            if (containerPid > 0)
            {
                foreach (var ns in JoinOrder)
                {
                    string path = $"/proc/{containerPid}/ns/{ns}";
                    if (SameAsOurs(path, ns)) continue;
                    int fd = Files.TryOpen(path, O.RdOnly);
                    if (fd < 0) continue;
                    fds.Add(fd);
                    SetnsStep.Emit(p, "", $"join {ns} namespace of the container", fd, 0);
                }
            }
            if (where.Cwd != null) ChdirStep.Emit(p, "", $"chdir {where.Cwd}", a.Str(where.Cwd));
            Dup2Step.Emit(p, "", "state on stdin", pair[1], 0);
            ResetSignalsStep.Emit(p, "", "default signal dispositions, empty mask");
            FindExecutableStep.Emit(p, "", $"find {hook.Path}", a.StrArray(new[] { hook.Path }));
            var args = hook.Args is { Count: > 0 } ? hook.Args : new List<string> { hook.Path };
            ExecveStep.Emit(p, "", $"execve {hook.Path}", a.StrArray(args), a.StrArray(hook.Env ?? where.Env.ToList()));
            // The child's own step errors come back on its sync socket (stdin is the hook's).
            using var child = SpawnedChild.Start(p);
            Libc.Sys(Nr.Close, pair[1]);
            pair[1] = -1;
            fixed (byte* b = payload) Libc.Sys(Nr.Sendto, pair[0], (long)b, payload.Length, Launch.SyncChannel.MsgNoSignal, 0, 0);
            Libc.Sys(Nr.Close, pair[0]);
            pair[0] = -1;
            int timeoutMs = hook.Timeout is > 0 ? hook.Timeout.Value * 1000 : -1;
            if (child.ReapWithin(timeoutMs) is not int status) return $"timed out after {hook.Timeout}s";
            int code = Spawner.ExitCode(status);
            if (code == 0) return "";
            // A step of ours that failed before the execve names itself (chdir, setns, find).
            if (child.Receive() is { Type: (int)SyncType.Error } m && m.Step >= 0 && m.Step < p.Steps.Count)
                return $"{p.Steps[m.Step].Text}: {ReportedErrorText.Describe(m.Errno)}";
            return $"exit status {code}";
        }
        finally
        {
            if (pair[0] >= 0) Libc.Sys(Nr.Close, pair[0]);
            if (pair[1] >= 0) Libc.Sys(Nr.Close, pair[1]);
            foreach (var fd in fds) Libc.Sys(Nr.Close, fd);
        }
    }

    static bool SameAsOurs(string path, string ns)
    {
        try
        {
            // "mnt:[4026532177]": equal targets mean the same namespace (setns into our own user namespace is EINVAL).
            var theirs = new FileInfo(path).LinkTarget;
            var ours = new FileInfo($"/proc/self/ns/{ns}").LinkTarget;
            return theirs != null && theirs == ours;
        }
        catch (IOException) { return false; }
    }
}
