using System.Diagnostics;
using CsRun.Tests.Integration;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace CsRun.Tests.Security;

/// <summary>
/// `csrun create` SIGKILLed at a random point (a container manager's timeout, the OOM killer)
/// must leave nothing that `delete --force` cannot find and remove: no cgroup directory, no
/// process, no state dir, no mount. A second create of the same id must not fail forever.
/// The kill lands after a random delay from 0 to 30 ms, or to a little more than a whole create
/// takes here if that is longer, so that every step of create is hit, the last ones too.
/// CSRUN_CRASH_ITERATIONS sets how many kills (default 40); CSRUN_CRASH_SEED the seed.
/// </summary>
[Collection(Serial.Name)]
public class CrashSafetyTests
{
    readonly ITestOutputHelper _out;
    public CrashSafetyTests(ITestOutputHelper output) { _out = output; }

    static int Iterations => int.TryParse(Environment.GetEnvironmentVariable("CSRUN_CRASH_ITERATIONS"), out int n) && n > 0 ? n : 40;
    static int Seed => int.TryParse(Environment.GetEnvironmentVariable("CSRUN_CRASH_SEED"), out int s) ? s : 20240611;

    [Fact]
    public void Delete_force_removes_everything_a_killed_create_left()
    {
        using var b = new Bundle("sleep", "100");
        b.Save();
        var rng = new Random(Seed);
        double range = DelayRange(b);
        var leaks = new List<string>();
        int finished = 0;
        for (int i = 0; i < Iterations; i++)
        {
            var id = b.NewId("crash");
            double delayMs = rng.NextDouble() * range;
            if (KillCreateAfter(b, id, delayMs)) finished++;
            if (DeleteForce(b, id) is string leak) leaks.Add($"kill after {delayMs:F1} ms: {leak}");
        }
        _out.WriteLine($"{Iterations} kills (seed {Seed}) after 0 to {range:F0} ms, {finished} creates finished before the kill, {leaks.Count} left something behind");
        foreach (var l in leaks) _out.WriteLine(l);
        leaks.Should().BeEmpty();
    }

    [Fact]
    public void A_create_of_the_same_id_after_a_killed_create_cleans_up_and_works()
    {
        using var b = new Bundle("sleep", "100");
        b.Save();
        var rng = new Random(Seed + 1);
        double range = DelayRange(b);
        var problems = new List<string>();
        int n = Math.Max(10, Iterations / 2);
        for (int i = 0; i < n; i++)
        {
            var id = b.NewId("again");
            double delayMs = rng.NextDouble() * range;
            bool finished = KillCreateAfter(b, id, delayMs);
            var again = b.Csrun("create", "-b", b.Dir, id);
            // A create that got as far as recording "done" made a whole container, and took the
            // id (as runc says it), even if it was killed before it could exit.
            bool taken = again.ExitCode == 1 && again.Stderr.Contains($"container with id exists: {id}")
                && b.Csrun("state", id).Stdout.Contains("\"created\"");
            if (finished ? !taken : again.ExitCode != 0 && !taken)
                problems.Add($"kill after {delayMs:F1} ms (first create {(finished ? "finished" : "killed")}): second create {again}");
            if (DeleteForce(b, id) is string leak) problems.Add($"kill after {delayMs:F1} ms: {leak}");
        }
        _out.WriteLine($"{n} kills (seed {Seed + 1}) after 0 to {range:F0} ms, {problems.Count} problems");
        foreach (var p in problems) _out.WriteLine(p);
        problems.Should().BeEmpty();
    }

    [Fact]
    public void A_create_in_progress_is_not_taken_for_a_killed_one()
    {
        using var b = new Bundle("sleep", "100");
        // A prestart hook holds the first create for a second, its init half set up.
        b.Config.Hooks = new() { Prestart = new() { new() { Path = "/bin/sleep", Args = new() { "sleep", "1" } } } };
        b.Save();
        var id = b.NewId("busy");
        var first = Task.Run(() => b.Csrun("create", "-b", b.Dir, id));
        var clock = Stopwatch.StartNew();
        while (!Directory.Exists(Path.Combine(b.StateRoot, id)) && clock.ElapsedMilliseconds < 5000) Thread.Sleep(5);
        Thread.Sleep(100);
        var second = CsrunCli.Run(new[] { "--root", b.StateRoot, "create", "-b", b.Dir, id });
        second.ExitCode.Should().Be(1, second.ToString());
        second.Stderr.Should().Contain($"container with id exists: {id}");
        var r = first.Result;
        r.ExitCode.Should().Be(0, r.ToString());
        b.Csrun("state", id).Stdout.Should().Contain("\"created\"");
        b.Csrun("delete", "--force", id).ExitCode.Should().Be(0);
        Leftovers.AssertNone(b, id);
    }

    /// <summary>30 ms, or 1.2 times what a whole create (from the spawn of its process) takes here: the fastest of five.</summary>
    static double DelayRange(Bundle b)
    {
        double fastest = double.MaxValue;
        for (int i = 0; i < 5; i++)
        {
            var id = b.NewId("calib");
            var clock = Stopwatch.StartNew();
            KillCreateAfter(b, id, 60_000);
            fastest = Math.Min(fastest, clock.Elapsed.TotalMilliseconds);
            b.Csrun("delete", "--force", id).ExitCode.Should().Be(0);
        }
        return Math.Max(30, fastest * 1.2);
    }

    /// <summary>Starts `csrun create`, SIGKILLs it after <paramref name="delayMs"/>; true if it had finished by then.</summary>
    static bool KillCreateAfter(Bundle b, string id, double delayMs)
    {
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("exec \"$0\" \"$@\" </dev/null >/dev/null 2>&1");
        foreach (var a in new[] { TestHost.Csrun, "--root", b.StateRoot, "create", "-b", b.Dir, id }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalMilliseconds < delayMs && !p.HasExited) Thread.SpinWait(200);
        if (!p.HasExited) p.Kill();
        p.WaitForExit();
        return p.ExitCode == 0;
    }

    /// <summary>`delete --force`, then what it failed at or left (scrubbed away by hand for the next iteration), or null.</summary>
    static string? DeleteForce(Bundle b, string id)
    {
        var d = b.Csrun("delete", "--force", id);
        string? leak = d.ExitCode != 0 ? $"delete --force exited {d.ExitCode}: {d.Stderr.Trim()}" : Leak(b, id);
        if (leak != null) Scrub(b, id);
        return leak;
    }

    /// <summary>What the container left, or null.</summary>
    static string? Leak(Bundle b, string id)
    {
        var what = new List<string>();
        if (Directory.Exists(Path.Combine(b.StateRoot, id))) what.Add("state dir");
        var cgroups = Leftovers.CgroupDirs(id);
        if (cgroups.Count > 0) what.Add($"{cgroups.Count} cgroup dirs");
        var pids = Leftovers.ProcessesUnder(b.Dir).Union(Leftovers.ProcessesInCgroup(id)).ToList();
        if (pids.Count > 0) what.Add($"processes {string.Join(",", pids)}");
        if (File.ReadAllText("/proc/self/mountinfo").Contains(b.Dir)) what.Add("mounts");
        return what.Count == 0 ? null : string.Join(", ", what);
    }

    /// <summary>Removes by hand what a failed iteration left, so that the next one starts clean.</summary>
    static void Scrub(Bundle b, string id)
    {
        foreach (int pid in Leftovers.ProcessesUnder(b.Dir).Union(Leftovers.ProcessesInCgroup(id)))
        {
            try { Process.GetProcessById(pid).Kill(); } catch (Exception) { }
        }
        Thread.Sleep(50);
        foreach (var dir in Leftovers.CgroupDirs(id).OrderByDescending(d => d.Length))
        {
            try { Directory.Delete(dir); } catch (Exception) { }
        }
        try { Directory.Delete(Path.Combine(b.StateRoot, id), recursive: true); } catch (Exception) { }
    }
}
