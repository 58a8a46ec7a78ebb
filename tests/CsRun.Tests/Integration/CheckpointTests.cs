using CsRun.Spec;
using System.Diagnostics;
using System.Text.Json;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>
/// checkpoint and restore through CRIU (the one tests/criu/get-criu.sh sets up, which
/// `./build.sh deps` installs): a busybox counter goes on counting from where it was dumped.
/// </summary>
public class CheckpointTests
{
    const string Counter = "i=0; while true; do i=$((i+1)); echo $i >> /count; sleep 0.1; done";

    internal static Bundle CounterBundle()
    {
        var b = new Bundle("sh", "-c", Counter);
        b.Config.Root!.Readonly = false;
        return b;
    }

    /// <summary>`run -d` with pipes as the container's stdio, as runc's checkpoint tests do: a
    /// file or /dev/null of the host is on a mount the container cannot name, which CRIU refuses
    /// to dump. The returned process holds our ends of the pipes until disposed.</summary>
    internal static Process RunWithPipes(Bundle b, string id, string? runtime = null, string? root = null)
    {
        b.Save();
        var psi = new ProcessStartInfo(runtime ?? TestHost.Csrun)
        {
            UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        foreach (var a in new[] { "--root", root ?? b.StateRoot, "run", "-d", "-b", b.Dir, id }) psi.ArgumentList.Add(a);
        var p = Process.Start(psi)!;
        p.WaitForExit(60_000).Should().BeTrue();
        // The container holds stderr open: read it only when csrun failed (then nothing holds it).
        if (p.ExitCode != 0) p.ExitCode.Should().Be(0, p.StandardError.ReadToEnd());
        return p;
    }

    internal static int Count(Bundle b)
    {
        string path = Path.Combine(b.Rootfs, "count");
        if (!File.Exists(path)) return 0;
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToArray();
        return lines.Length == 0 ? 0 : int.Parse(lines[^1]);
    }

    internal static void WaitForCount(Bundle b, int atLeast)
    {
        var sw = Stopwatch.StartNew();
        while (Count(b) < atLeast)
        {
            sw.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(30), "the counter must reach {0}", atLeast);
            Thread.Sleep(50);
        }
    }

    internal static string State(Bundle b, string id, out int pid)
    {
        var r = b.Csrun("state", id);
        r.ExitCode.Should().Be(0, r.ToString());
        var root = JsonDocument.Parse(r.Stdout).RootElement;
        pid = root.GetProperty("pid").GetInt32();
        return root.GetProperty("status").GetString()!;
    }

    /// <summary>The restored counter carries on from the dumped value: it never starts again from 1.</summary>
    internal static void CounterGoesOnFrom(Bundle b, int dumped)
    {
        WaitForCount(b, dumped + 3);
        var values = File.ReadAllLines(Path.Combine(b.Rootfs, "count")).Where(l => l.Length > 0).Select(int.Parse).ToList();
        int first = values.FindIndex(v => v > dumped);
        values.Skip(first).Should().OnlyContain(v => v > dumped, "the restored counter continues, never restarts");
    }

    [CriuFact]
    public void Checkpoint_stops_the_container_and_restore_under_the_same_id_continues_the_counter()
    {
        using var b = CounterBundle();
        string id = b.NewId("ckpt");
        using var pipes = RunWithPipes(b, id);
        WaitForCount(b, 5);
        string images = Path.Combine(b.Dir, "images");
        var ck = b.Csrun("--criu", CriuFact.Path, "checkpoint", "--image-path", images, id);
        ck.ExitCode.Should().Be(0, ck.ToString());
        b.Csrun("state", id).ExitCode.Should().Be(1, "a checkpoint without --leave-running deletes the container");
        Leftovers.AssertNone(b, id);
        int dumped = Count(b);
        Thread.Sleep(300);
        Count(b).Should().Be(dumped, "the dumped processes are gone");

        string pidFile = Path.Combine(b.Dir, "pid");
        var rs = b.Csrun("--criu", CriuFact.Path, "restore", "-d", "-b", b.Dir, "--image-path", images, "--pid-file", pidFile, id);
        rs.ExitCode.Should().Be(0, rs.ToString());
        State(b, id, out int pid).Should().Be("running");
        File.ReadAllText(pidFile).Should().Be(pid.ToString());
        CounterGoesOnFrom(b, dumped);
        b.Csrun("delete", "-f", id).ExitCode.Should().Be(0);
        TestHost.Reap(pid);
        Leftovers.AssertNone(b, id);
    }

    [CriuFact]
    public void Checkpoint_leave_running_then_restore_under_a_new_id()
    {
        using var b = CounterBundle();
        string id = b.NewId("ckpt"), copy = b.NewId("copy");
        using var pipes = RunWithPipes(b, id);
        WaitForCount(b, 5);
        string images = Path.Combine(b.Dir, "images");
        var ck = b.Csrun("--criu", CriuFact.Path, "checkpoint", "--leave-running", "--image-path", images, id);
        ck.ExitCode.Should().Be(0, ck.ToString());
        State(b, id, out int original).Should().Be("running", "--leave-running keeps the container");
        int atDump = Count(b);
        b.Csrun("delete", "-f", id).ExitCode.Should().Be(0);
        TestHost.Reap(original);
        int stopped = Count(b);
        stopped.Should().BeGreaterThanOrEqualTo(atDump);

        var rs = b.Csrun("--criu", CriuFact.Path, "restore", "-d", "-b", b.Dir, "--image-path", images, copy);
        rs.ExitCode.Should().Be(0, rs.ToString());
        State(b, copy, out int pid).Should().Be("running");
        // The copy counts from the dumped value again, which the original had passed.
        WaitForCount(b, 0);
        Thread.Sleep(500);
        var values = File.ReadAllLines(Path.Combine(b.Rootfs, "count")).Where(l => l.Length > 0).Select(int.Parse).ToList();
        values.Count.Should().BeGreaterThan(stopped, "the copy writes on");
        values[stopped..].Should().OnlyContain(v => v > atDump - 2 && v < atDump + 100, "the copy goes on from the dump, not from 1");
        b.Csrun("delete", "-f", copy).ExitCode.Should().Be(0);
        TestHost.Reap(pid);
        Leftovers.AssertNone(b, copy);
    }

    [CriuFact]
    public void A_bind_mounted_directory_is_an_external_mount_bound_again_at_restore()
    {
        var b = new Bundle("sh", "-c", Counter.Replace("/count", "/data/count"));
        using var _ = b;
        string data = Path.Combine(b.Dir, "data");
        Directory.CreateDirectory(data);
        Directory.CreateDirectory(Path.Combine(b.Rootfs, "data"));
        b.Config.Mounts!.Add(new MountEntry { Destination = "/data", Type = "bind", Source = data, Options = new() { "rbind", "rw" } });
        string id = b.NewId("ckpt");
        using var pipes = RunWithPipes(b, id);
        string count = Path.Combine(data, "count");
        int Last() => File.Exists(count) ? File.ReadAllLines(count).Where(l => l.Length > 0).Select(int.Parse).LastOrDefault() : 0;
        var until = DateTime.UtcNow.AddSeconds(30);
        while (Last() < 5 && DateTime.UtcNow < until) Thread.Sleep(50);
        string images = Path.Combine(b.Dir, "images");
        var ck = b.Csrun("--criu", CriuFact.Path, "checkpoint", "--image-path", images, id);
        ck.ExitCode.Should().Be(0, ck.ToString());
        int dumped = Last();
        var rs = b.Csrun("--criu", CriuFact.Path, "restore", "-d", "-b", b.Dir, "--image-path", images, id);
        rs.ExitCode.Should().Be(0, rs.ToString());
        while (Last() < dumped + 3 && DateTime.UtcNow < until.AddSeconds(30)) Thread.Sleep(50);
        Last().Should().BeGreaterThanOrEqualTo(dumped + 3, "the restored counter writes through the bind mount again");
        State(b, id, out int pid).Should().Be("running");
        b.Csrun("delete", "-f", id).ExitCode.Should().Be(0);
        TestHost.Reap(pid);
        Leftovers.AssertNone(b, id);
    }

    [CriuFact]
    public void A_foreground_restore_waits_passes_the_exit_status_and_reconnects_the_dumped_stdout()
    {
        using var b = new Bundle("sh", "-c", "i=0; while [ $i -lt 40 ]; do i=$((i+1)); echo $i >> /count; echo out-$i; sleep 0.1; done; exit 7");
        b.Config.Root!.Readonly = false;
        string id = b.NewId("ckpt");
        using var pipes = RunWithPipes(b, id);
        WaitForCount(b, 5);
        string images = Path.Combine(b.Dir, "images");
        var ck = b.Csrun("--criu", CriuFact.Path, "checkpoint", "--image-path", images, id);
        ck.ExitCode.Should().Be(0, ck.ToString());
        int dumped = Count(b);
        // Its stdout was a pipe: the restore hands CRIU its own stdout in its place (inherit_fd).
        var rs = b.Csrun("--criu", CriuFact.Path, "restore", "-b", b.Dir, "--image-path", images, id);
        rs.ExitCode.Should().Be(7, rs.ToString());
        rs.Stdout.Should().Contain($"out-{dumped + 1}\n").And.Contain("out-40\n").And.NotContain("out-1\n");
        b.Csrun("state", id).ExitCode.Should().Be(1, "a foreground restore deletes the container it waited for");
        Leftovers.AssertNone(b, id);
    }

    /// <summary>The same bundle and CRIU under runc 1.1.5: the behaviour csrun copies.</summary>
    [CriuFact]
    public void Runc_checkpoints_and_restores_the_same_bundle_with_the_same_criu()
    {
        using var b = CounterBundle();
        string id = b.NewId("runc");
        string root = Path.Combine(b.Dir, "runc-state");
        using var pipes = RunWithPipes(b, id, "runc", root);
        try
        {
            WaitForCount(b, 5);
            string images = Path.Combine(b.Dir, "images");
            var ck = CsrunCli.RunProgram("runc", new[] { "--root", root, "--criu", CriuFact.Path, "checkpoint", "--image-path", images, id });
            ck.ExitCode.Should().Be(0, ck.ToString());
            int dumped = Count(b);
            var rs = CsrunCli.RunProgram("runc", new[] { "--root", root, "--criu", CriuFact.Path, "restore", "-d", "-b", b.Dir, "--image-path", images, id });
            rs.ExitCode.Should().Be(0, rs.ToString());
            CounterGoesOnFrom(b, dumped);
        }
        finally
        {
            CsrunCli.RunProgram("runc", new[] { "--root", root, "delete", "-f", id });
        }
    }

    /// <summary>`run -d` with the host's /dev/null as stdio (podman's detached stdin): the init
    /// reopens the container's own (runc's reOpenDevNull), which CRIU can dump.</summary>
    [CriuFact]
    public void A_container_run_with_the_host_s_dev_null_as_stdio_can_be_checkpointed()
    {
        using var b = CounterBundle();
        string id = b.NewId("ckpt");
        b.Save();
        var run = CsrunCli.RunProgram("/bin/sh", new[] { "-c", "exec \"$0\" \"$@\" </dev/null >/dev/null 2>&1", TestHost.Csrun, "--root", b.StateRoot, "run", "-d", "-b", b.Dir, id });
        run.ExitCode.Should().Be(0, run.ToString());
        State(b, id, out int pid).Should().Be("running");
        new FileInfo($"/proc/{pid}/fd/0").LinkTarget.Should().Be("/dev/null");
        WaitForCount(b, 3);
        string images = Path.Combine(b.Dir, "images");
        var ck = b.Csrun("--criu", CriuFact.Path, "checkpoint", "--image-path", images, id);
        ck.ExitCode.Should().Be(0, ck.ToString());
        int dumped = Count(b);
        var rs = b.Csrun("--criu", CriuFact.Path, "restore", "-d", "-b", b.Dir, "--image-path", images, id);
        rs.ExitCode.Should().Be(0, rs.ToString());
        CounterGoesOnFrom(b, dumped);
        State(b, id, out int restored).Should().Be("running");
        b.Csrun("delete", "-f", id).ExitCode.Should().Be(0);
        TestHost.Reap(pid);
        TestHost.Reap(restored);
    }

    [CriuFact(MemTrack = true)]
    public void Pre_dump_then_dump_with_parent_path()
    {
        using var b = CounterBundle();
        string id = b.NewId("ckpt");
        using var pipes = RunWithPipes(b, id);
        WaitForCount(b, 5);
        string pre = Path.Combine(b.Dir, "pre"), full = Path.Combine(b.Dir, "full");
        var pd = b.Csrun("--criu", CriuFact.Path, "checkpoint", "--pre-dump", "--image-path", pre, id);
        pd.ExitCode.Should().Be(0, pd.ToString());
        State(b, id, out _).Should().Be("running", "a pre-dump leaves the container running");
        File.Exists(Path.Combine(pre, "pages-1.img")).Should().BeTrue("the pre-dump holds the memory");
        var ck = b.Csrun("--criu", CriuFact.Path, "checkpoint", "--parent-path", "../pre", "--image-path", full, id);
        ck.ExitCode.Should().Be(0, ck.ToString());
        new FileInfo(Path.Combine(full, "parent")).LinkTarget.Should().Be("../pre", "the dump refers to its parent's pages");
        int dumped = Count(b);

        var rs = b.Csrun("--criu", CriuFact.Path, "restore", "-d", "-b", b.Dir, "--image-path", full, id);
        rs.ExitCode.Should().Be(0, rs.ToString());
        State(b, id, out int pid).Should().Be("running");
        CounterGoesOnFrom(b, dumped);
        b.Csrun("delete", "-f", id).ExitCode.Should().Be(0);
        TestHost.Reap(pid);
    }

    [CriuFact(MemTrack = false)]
    public void Pre_dump_without_soft_dirty_tracking_is_a_clear_error()
    {
        using var b = CounterBundle();
        string id = b.NewId("ckpt");
        using var pipes = RunWithPipes(b, id);
        WaitForCount(b, 2);
        var pd = b.Csrun("--criu", CriuFact.Path, "checkpoint", "--pre-dump", "--image-path", Path.Combine(b.Dir, "pre"), id);
        pd.ExitCode.Should().Be(1);
        pd.Stderr.Should().Contain("--pre-dump: CRIU cannot track memory changes on this kernel");
        var ck = b.Csrun("--criu", CriuFact.Path, "checkpoint", "--parent-path", "../pre", "--image-path", Path.Combine(b.Dir, "full"), id);
        ck.ExitCode.Should().Be(1);
        ck.Stderr.Should().Contain("--parent-path: CRIU cannot track memory changes on this kernel");
        State(b, id, out int pid).Should().Be("running", "a refused checkpoint leaves the container as it was");
        b.Csrun("delete", "-f", id).ExitCode.Should().Be(0);
        TestHost.Reap(pid);
    }

    [CriuFact]
    public void Restore_from_a_missing_image_dir_is_a_clear_error_that_leaves_nothing()
    {
        using var b = CounterBundle();
        string id = b.NewId("ckpt");
        string images = Path.Combine(b.Dir, "no-such-images");
        var rs = b.Csrun("--criu", CriuFact.Path, "restore", "-d", "-b", b.Dir, "--image-path", images, id);
        rs.ExitCode.Should().Be(1);
        rs.Stderr.Should().Contain($"--image-path: open {images}: no such file or directory");
        Leftovers.AssertNone(b, id);
    }

    [CriuFact]
    public void Restore_from_an_image_dir_without_a_checkpoint_is_criu_s_error_and_leaves_nothing()
    {
        using var b = CounterBundle();
        string id = b.NewId("ckpt");
        string images = Path.Combine(b.Dir, "empty");
        Directory.CreateDirectory(images);
        File.WriteAllText(Path.Combine(images, "descriptors.json"), "[\"/dev/null\",\"/dev/null\",\"/dev/null\"]");
        var rs = b.Csrun("--criu", CriuFact.Path, "restore", "-d", "-b", b.Dir, "--image-path", images, id);
        rs.ExitCode.Should().Be(1);
        rs.Stderr.Should().Contain("csrun restore failed: criu failed: type RESTORE").And.Contain("restore.log");
        b.Csrun("list", "-q").Stdout.Should().BeEmpty();
        Leftovers.AssertNone(b, id);
    }

    [CriuFact]
    public void Restore_under_an_id_in_use_fails_and_leaves_the_container_alone()
    {
        using var b = CounterBundle();
        string id = b.NewId("ckpt");
        using var pipes = RunWithPipes(b, id);
        WaitForCount(b, 3);
        string images = Path.Combine(b.Dir, "images");
        b.Csrun("--criu", CriuFact.Path, "checkpoint", "--leave-running", "--image-path", images, id).ExitCode.Should().Be(0);
        State(b, id, out int before).Should().Be("running");
        var rs = b.Csrun("--criu", CriuFact.Path, "restore", "-d", "-b", b.Dir, "--image-path", images, id);
        rs.ExitCode.Should().Be(1);
        rs.Stderr.Should().Contain($"container with id exists: {id}");
        State(b, id, out int after).Should().Be("running");
        after.Should().Be(before);
        int n = Count(b);
        WaitForCount(b, n + 2);
        b.Csrun("delete", "-f", id).ExitCode.Should().Be(0);
        TestHost.Reap(before);
    }

    [Fact]
    public void Unsupported_flags_are_refused_not_ignored()
    {
        using var b = CounterBundle();
        string id = b.NewId("ckpt");
        foreach (var args in new[]
        {
            new[] { "checkpoint", "--lazy-pages", id },
            new[] { "checkpoint", "--manage-cgroups-mode", "bogus", id },
            new[] { "checkpoint", "--empty-ns", "pid", id },
            new[] { "restore", "--no-pivot", id },
            new[] { "restore", "--lsm-profile", "x", id },
        })
        {
            var r = b.Csrun(args);
            r.ExitCode.Should().Be(1, string.Join(" ", args));
            r.Stderr.Should().Contain("--" + args[1].TrimStart('-'), string.Join(" ", args));
        }
    }
}

/// <summary>Skipped only where no working CRIU can be had: tests/criu/get-criu.sh's path, set up
/// by `./build.sh deps`.</summary>
public sealed class CriuFactAttribute : FactAttribute
{
    public CriuFactAttribute()
    {
        if (CriuFact.Path.Length == 0) Skip = "no CRIU: tests/criu/get-criu.sh failed (./build.sh deps sets it up): " + CriuFact.Reason;
    }

    /// <summary>Set: the test needs soft-dirty memory tracking (pre-dump); false: its absence.</summary>
    public bool MemTrack
    {
        get => CriuFact.MemTrack;
        set
        {
            if (Skip != null) return;
            if (value && !CriuFact.MemTrack) Skip = "this kernel has no soft-dirty memory tracking (CONFIG_MEM_SOFT_DIRTY): CRIU cannot pre-dump; the VM test runs it (tests/vm/criu-guest.sh, criu_predump)";
            if (!value && CriuFact.MemTrack) Skip = "this kernel tracks memory changes: pre-dump works (the other test)";
        }
    }
}

internal static class CriuFact
{
    public static string Reason { get; private set; } = "";
    public static string Path { get; } = Find();

    /// <summary>`criu --version`'s "Version: 4.1.1".</summary>
    public static Version Version { get; } = Path.Length == 0 ? new Version(0, 0)
        : System.Version.Parse(CsrunCli.RunProgram(Path, new[] { "--version" }).Stdout.Split('\n')[0].Replace("Version:", "").Trim());

    /// <summary>`criu check --feature mem_dirty_track`: what pre-dump needs.</summary>
    public static bool MemTrack { get; } = Path.Length > 0
        && CsrunCli.RunProgram(Path, new[] { "check", "--feature", "mem_dirty_track" }).ExitCode == 0;

    static string Find()
    {
        var script = System.IO.Path.Combine(TestHost.RepoRoot, "tests", "criu", "get-criu.sh");
        var r = CsrunCli.RunProgram(script, Array.Empty<string>(), timeoutMs: 600_000);
        if (r.ExitCode != 0 || !File.Exists(r.Stdout.Trim()))
        {
            Reason = r.Stderr.Trim();
            return "";
        }
        return r.Stdout.Trim();
    }
}
