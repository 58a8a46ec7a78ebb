using System.Text;
using CsRun.Cli;
using CsRun.Launch;
using CsRun.Linux;
using Microsoft.Win32.SafeHandles;

namespace CsRun.Container;

/// <summary>
/// Runs a host program (`ps` for `csrun ps`) with stdout and stderr captured in a memfd. The
/// child is spawned by the setup interpreter, like hooks, so managed code never forks.
/// </summary>
internal static unsafe class HostCommand
{
    public static (int ExitCode, string Output) Run(IReadOnlyList<string> argv)
    {
        long mem;
        fixed (byte* name = "csrun-output\0"u8) mem = Libc.Sys(Nr.Memfd, (long)name, Mfd.CloExec);
        if (mem < 0) throw new RuntimeError($"memfd_create: {Errno.Message((int)-mem)}");
        using var output = new SafeFileHandle((nint)mem, ownsHandle: true);
        var (parent, child) = SyncChannel.CreatePair();
        int* pair = stackalloc int[2] { parent, child };
        try
        {
            var env = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
                .Select(e => $"{e.Key}={e.Value}").ToList();
            var p = new SetupProgram();
            var a = p.Arena;
            p.Add(StepKind.Dup2, "", "stdout to the memfd", mem, 1);
            p.Add(StepKind.Dup2, "", "stderr to the memfd", mem, 2);
            p.Add(StepKind.FindExecutable, "", $"find {argv[0]}", a.StrArray(ProcessCompiler.ExecCandidates(argv[0], env)), subject: argv[0]);
            p.Add(StepKind.Execve, "", $"execve {argv[0]}", a.StrArray(argv), a.StrArray(env));
            int pid = Spawner.Spawn(p, 0, pair[1], pair[0]);
            Libc.Sys(Nr.Close, pair[1]);
            pair[1] = -1;
            var error = SyncChannel.Receive(pair[0]);
            int code = Spawner.ExitCode(Spawner.Reap(pid));
            if (error is { } e && e.Type == (int)SyncType.Error)
                throw new RuntimeError(StepError.Describe(p, e.Step, e.Errno));
            var bytes = new byte[RandomAccess.GetLength(output)];
            for (int done = 0; done < bytes.Length;)
            {
                int n = RandomAccess.Read(output, bytes.AsSpan(done), done);
                if (n <= 0) break;
                done += n;
            }
            return (code, Encoding.UTF8.GetString(bytes));
        }
        finally
        {
            if (pair[0] >= 0) Libc.Sys(Nr.Close, pair[0]);
            if (pair[1] >= 0) Libc.Sys(Nr.Close, pair[1]);
        }
    }
}
