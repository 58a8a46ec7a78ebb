using System.Diagnostics;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>
/// A non-root user made for one test: a unique name, a home and an $XDG_RUNTIME_DIR under a temp
/// directory, and 65536 subordinate uids and gids (/etc/subuid, /etc/subgid). Commands run as
/// it through setpriv. Dispose kills what still runs as it, deletes the user, its subid lines,
/// its home and the directory, even after a failed test.
/// </summary>
internal sealed class RootlessUser : IDisposable
{
    public string Name { get; }
    public uint Uid { get; }
    public uint Gid { get; }
    public string Dir { get; }
    public string Home => Path.Combine(Dir, "home");
    public string RuntimeDir => Path.Combine(Dir, "run");
    /// <summary>The first of its 65536 subordinate ids (the same for uids and gids).</summary>
    public uint SubBase { get; }

    public RootlessUser()
    {
        Name = "csrl" + Guid.NewGuid().ToString("N")[..10];
        Dir = Path.Combine(Path.GetTempPath(), "csrun-rl-" + Name);
        Directory.CreateDirectory(Dir);
        try
        {
            // The directory holds the bundles the user reads: searchable, not writable, by others.
            File.SetUnixFileMode(Dir, (UnixFileMode)0x1ed);
            Root("useradd", "-m", "-d", Home, "-s", "/bin/sh", "-K", "SUB_UID_COUNT=0", "-K", "SUB_GID_COUNT=0", Name);
            Uid = uint.Parse(Root("id", "-u", Name).Trim());
            Gid = uint.Parse(Root("id", "-g", Name).Trim());
            // A range no other test user takes: above every id a Debian system hands out.
            SubBase = 0x10000000u + (uint)Random.Shared.Next(0, 0x0fff) * 0x10000u;
            Root("usermod", "--add-subuids", $"{SubBase}-{SubBase + 65535}", "--add-subgids", $"{SubBase}-{SubBase + 65535}", Name);
            Directory.CreateDirectory(RuntimeDir);
            Root("chown", $"{Uid}:{Gid}", RuntimeDir);
            File.SetUnixFileMode(RuntimeDir, (UnixFileMode)0x1c0);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public static string? SkipUnlessTools() =>
        new[] { "useradd", "userdel", "usermod", "setpriv", "newuidmap", "newgidmap" }.Where(p => !File.Exists("/usr/sbin/" + p) && !File.Exists("/usr/bin/" + p)).ToList()
            is { Count: > 0 } missing ? $"{string.Join(", ", missing)} not installed (./build.sh deps installs uidmap)" : null;

    /// <summary>csrun as this user, its environment a login's: HOME, USER, XDG_RUNTIME_DIR.</summary>
    public CliResult Csrun(params string[] args) => As(TestHost.Csrun, args);

    /// <summary>csrun as this user with its process first moved into <paramref name="cgroupProcs"/> (cgroup.procs files), as root.</summary>
    public CliResult CsrunIn(IEnumerable<string> cgroupProcs, params string[] args)
    {
        var script = string.Concat(cgroupProcs.Select(f => $"echo $$ > '{f}' && ")) + "exec \"$@\"";
        return CsrunCli.RunProgram("/bin/sh", new[] { "-c", script, "sh" }.Concat(Setpriv(TestHost.Csrun, args)), Env);
    }

    public CliResult As(string program, params string[] args) => CsrunCli.RunProgram("/usr/bin/setpriv", Setpriv(program, args).Skip(1), Env);

    IEnumerable<string> Setpriv(string program, IEnumerable<string> args) =>
        new[] { "/usr/bin/setpriv", $"--reuid={Uid}", $"--regid={Gid}", "--init-groups", "--reset-env", "env", $"HOME={Home}", $"USER={Name}", $"LOGNAME={Name}", $"XDG_RUNTIME_DIR={RuntimeDir}", "PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", program }.Concat(args);

    Dictionary<string, string> Env => new() { ["XDG_RUNTIME_DIR"] = RuntimeDir };

    /// <summary>Live processes running as this user. Its zombies the test host adopted (a
    /// subreaper) are reaped on the way: a killed pid-namespace init waits for them.</summary>
    public List<int> Processes()
    {
        var pids = new List<int>();
        foreach (var p in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(p), out int pid)) continue;
            try
            {
                var status = File.ReadAllLines(Path.Combine(p, "status"));
                string Field(string name) => status.FirstOrDefault(l => l.StartsWith(name + ":"))?[(name.Length + 1)..].Trim() ?? "";
                if (!Field("Uid").Split('\t', StringSplitOptions.RemoveEmptyEntries).Contains(Uid.ToString())) continue;
                if (!Field("State").StartsWith('Z')) pids.Add(pid);
                else if (Field("PPid") == Environment.ProcessId.ToString()) TestHost.Reap(pid);
            }
            catch (IOException) { }
        }
        return pids;
    }

    public static string Root(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string stdout = p.StandardOutput.ReadToEnd(), stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(" ", args)}: exit {p.ExitCode}: {stderr}");
        return stdout;
    }

    public void Dispose()
    {
        // Only this test's user's processes, by its uid.
        for (int i = 0; i < 50 && Uid != 0; i++)
        {
            var left = Processes();
            if (left.Count == 0) break;
            foreach (int pid in left) { try { Process.GetProcessById(pid).Kill(); } catch (Exception) { } }
            Thread.Sleep(20);
        }
        try { Root("userdel", "-r", Name); } catch (InvalidOperationException) { }
        foreach (var file in new[] { "/etc/subuid", "/etc/subgid" })
        {
            // userdel drops them; a user made half-way may have left one.
            var lines = File.ReadAllLines(file);
            if (lines.Any(l => l.StartsWith(Name + ":"))) File.WriteAllLines(file, lines.Where(l => !l.StartsWith(Name + ":")));
        }
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>Nothing of the user is left: no process, no subid line, no user.</summary>
    public static void AssertGone(string name)
    {
        File.ReadAllText("/etc/passwd").Should().NotContain(name + ":");
        File.ReadAllText("/etc/subuid").Should().NotContain(name + ":");
        File.ReadAllText("/etc/subgid").Should().NotContain(name + ":");
    }
}

/// <summary>A test run as a created non-root user; skipped where the tools for that are missing.</summary>
public sealed class RootlessFactAttribute : FactAttribute
{
    public RootlessFactAttribute() => Skip = RootlessUser.SkipUnlessTools();
}
