using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CsRun.Tests.Integration;

/// <summary>
/// Facts and set-up shared by the integration tests: where the csrun binary is, and a child
/// subreaper (this host's PID 1 does not reap orphans, so the test host adopts container inits
/// whose `csrun create` exited, and reaps them).
/// </summary>
internal static partial class TestHost
{
    [LibraryImport("libc", SetLastError = true)]
    private static partial int prctl(int option, ulong arg2, ulong arg3, ulong arg4, ulong arg5);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int waitpid(int pid, out int status, int options);

    public static string RepoRoot { get; } = FindRepoRoot();
    public static string Csrun { get; } = Path.Combine(RepoRoot, "out", "csrun");

    [ModuleInitializer]
    internal static void BecomeSubreaper()
    {
        prctl(36 /*PR_SET_CHILD_SUBREAPER*/, 1, 0, 0, 0);
        // Adopted inits we did not reap would become PID 1's zombies when we exit, and this
        // host's PID 1 never reaps: reap every exited child on the way out.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { while (waitpid(-1, out _, 1 /*WNOHANG*/) > 0) { } };
    }

    /// <summary>Reap an adopted container init if it has exited (WNOHANG).</summary>
    public static void Reap(int pid)
    {
        if (pid > 0) waitpid(pid, out _, 1 /*WNOHANG*/);
    }

    static string FindRepoRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (dir != null && !File.Exists(Path.Combine(dir, "CsRun.sln"))) dir = Path.GetDirectoryName(dir);
        return dir ?? throw new InvalidOperationException("CsRun.sln not found above " + AppContext.BaseDirectory);
    }

    public static string UniqueId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(40, prefix.Length + 33)];
}
