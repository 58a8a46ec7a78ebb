using System.Diagnostics;
using CsRun.Seccomp;
using FluentAssertions;

namespace CsRun.Tests.Seccomp;

/// <summary>
/// Runs seccomp-loader.c (built once with the host's cc) under a compiled filter. Forking the
/// test host itself is unsafe, so the filter goes into a separate small process.
/// </summary>
internal static class SeccompLoader
{
    static readonly Lazy<string> Binary = new(Build);

    /// <summary>Runs a command under the filter (null: no filter).</summary>
    public static (int Exit, string Out, string Err) Exec(CompiledSeccomp? filter, params string[] command) =>
        Run(filter, "exec", command);

    /// <summary>One raw syscall under the filter: "ret N" or "errno N".</summary>
    public static string Call(CompiledSeccomp? filter, long nr, params long[] args)
    {
        var r = Run(filter, "call", args.Prepend(nr).Select(a => a.ToString()).ToArray());
        r.Exit.Should().Be(0, r.Err);
        return r.Out.Trim();
    }

    /// <summary>The exit status, 128+signal when the kernel killed it (as .NET reports it).</summary>
    public static int CallStatus(CompiledSeccomp filter, long nr, params long[] args) =>
        Run(filter, "call", args.Prepend(nr).Select(a => a.ToString()).ToArray()).Exit;

    static (int Exit, string Out, string Err) Run(CompiledSeccomp? filter, string mode, string[] rest)
    {
        string bpfPath = "";
        if (filter != null)
        {
            bpfPath = Path.GetTempFileName();
            File.WriteAllBytes(bpfPath, filter.Bpf);
        }
        try
        {
            return Start(Binary.Value, new[] { bpfPath, (filter?.Flags ?? 0).ToString(), mode }.Concat(rest));
        }
        finally
        {
            if (bpfPath.Length > 0) File.Delete(bpfPath);
        }
    }

    static string Build()
    {
        string dir = Directory.CreateTempSubdirectory("csrun-seccomp-loader-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(dir, recursive: true);
        string exe = Path.Combine(dir, "seccomp-loader");
        var (exit, _, err) = Start("cc", new[] { "-O2", "-Wall", "-o", exe, Path.Combine(AppContext.BaseDirectory, "Seccomp", "seccomp-loader.c") });
        exit.Should().Be(0, "cc must build the test loader: " + err);
        return exe;
    }

    static (int Exit, string Out, string Err) Start(string file, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout, stderr.Result);
    }
}
