using System.Diagnostics;

namespace CsRun.Tests.Integration;

internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}

/// <summary>
/// Runs the real out/csrun binary, as a user or a container manager would. Output goes to
/// files, not pipes: a container started by create or run -d inherits csrun's stdio and would
/// otherwise hold the pipes open long after csrun exited.
/// </summary>
internal static class CsrunCli
{
    public static CliResult Run(IEnumerable<string> args, IDictionary<string, string>? env = null, string? stdin = null, int timeoutMs = 60_000, string? cwd = null) =>
        RunProgram(TestHost.Csrun, args, env, stdin, timeoutMs, cwd);

    /// <summary>Any program the same way (the container managers in the Clients tests).</summary>
    public static CliResult RunProgram(string program, IEnumerable<string> args, IDictionary<string, string>? env = null, string? stdin = null, int timeoutMs = 60_000, string? cwd = null)
    {
        string tmp = Path.Combine(Path.GetTempPath(), "csrun-cli-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(tmp);
        try
        {
            string input = Path.Combine(tmp, "in"), output = Path.Combine(tmp, "out"), error = Path.Combine(tmp, "err");
            File.WriteAllText(input, stdin ?? "");
            var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = cwd ?? "" };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add("exec \"$0\" \"$@\" <\"$CSRUN_IN\" >\"$CSRUN_OUT\" 2>\"$CSRUN_ERR\"");
            psi.ArgumentList.Add(program);
            foreach (var a in args) psi.ArgumentList.Add(a);
            psi.Environment["CSRUN_IN"] = input;
            psi.Environment["CSRUN_OUT"] = output;
            psi.Environment["CSRUN_ERR"] = error;
            if (env != null) foreach (var (k, v) in env) psi.Environment[k] = v;
            using var p = Process.Start(psi)!;
            if (!p.WaitForExit(timeoutMs))
            {
                p.Kill(true);
                throw new TimeoutException($"{program} {string.Join(" ", args)} did not finish in {timeoutMs} ms");
            }
            p.WaitForExit();
            return new CliResult(p.ExitCode, File.ReadAllText(output), File.ReadAllText(error));
        }
        finally
        {
            Directory.Delete(tmp, recursive: true);
        }
    }
}
