using System.Collections;
using System.Text;
using CsRun.Errors;
using CsRun.Launch;
using CsRun.Linux;

namespace CsRun.Container;

/// <summary>
/// Runs a host program (ps) with csrun's environment and returns its exit code and combined
/// output, as Go's exec.Command(...).CombinedOutput() does for runc. System.Diagnostics.Process
/// would start threads; this spawns through the setup interpreter like hooks do, so no managed
/// code runs in the fork.
/// </summary>
internal static unsafe class HostCommand
{
    public static (int ExitCode, string Output) Run(string file, IReadOnlyList<string> args)
    {
        var env = new List<string>();
        foreach (DictionaryEntry e in Environment.GetEnvironmentVariables()) env.Add($"{e.Key}={e.Value}");
        var program = new SetupProgram();
        var a = program.Arena;
        int* pipe = stackalloc int[2];
        long r = Libc.Sys(Nr.Pipe2, (long)pipe, O.CloExec);
        if (r < 0) throw new RuntimeError($"pipe: {Errno.Message((int)-r)}");
        int readEnd = pipe[0], writeEnd = pipe[1];
        try
        {
            Dup2Step.Emit(program, "", "stdout to csrun", writeEnd, 1);
            Dup2Step.Emit(program, "", "stderr to csrun", writeEnd, 2);
            ResetSignalsStep.Emit(program, "", "default signal dispositions, empty mask");
            FindExecutableStep.Emit(program, "", $"find {file}", a.StrArray(ProcessCompiler.ExecCandidates(file, env)), subject: file);
            ExecveStep.Emit(program, "", $"execve {file}", a.StrArray(new[] { file }.Concat(args)), a.StrArray(env));
            using var child = SpawnedChild.Start(program);
            Files.Close(writeEnd);
            writeEnd = -1;
            // Read to EOF first: a child blocked on a full pipe would never exit.
            int errno = Files.ReadToEnd(readEnd, out byte[] output);
            string? failed = child.ExecOutcome();
            int status = child.Reap();
            if (failed != null) throw new RuntimeError(failed);
            if (errno != 0) throw new RuntimeError($"read output of {file}: {Errno.Message(errno)}");
            return (Spawner.ExitCode(status), Encoding.UTF8.GetString(output));
        }
        finally
        {
            Files.Close(readEnd);
            Files.Close(writeEnd);
        }
    }
}
