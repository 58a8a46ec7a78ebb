using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using FluentAssertions;
using Xunit;
using static CsRun.Tests.Integration.CheckpointTests;

namespace CsRun.Tests.Integration;

/// <summary>
/// checkpoint --page-server (pages sent to `criu page-server`) and lazy migration
/// (checkpoint --lazy-pages --page-server --status-fd, `criu lazy-pages`, restore --lazy-pages),
/// runc's flows, with tests/criu/get-criu.sh's CRIU. One class: the lazy tests depend on
/// fs.pipe-max-size, which one of them raises for its duration.
/// </summary>
public class CheckpointPageServerTests
{
    static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    static Process Start(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    static void Stop(Process p)
    {
        if (!p.HasExited) p.Kill(true);
        p.WaitForExit();
        p.Dispose();
    }

    /// <summary>A counter container under a new id, counting; dispose the result to drop its pipes.</summary>
    static Process Counting(Bundle b, string prefix, out string id)
    {
        id = b.NewId(prefix);
        var pipes = RunWithPipes(b, id);
        WaitForCount(b, 3);
        return pipes;
    }

    /// <summary>The container is running (and counting, if asked): deleted, nothing of it may stay.</summary>
    static void Remove(Bundle b, string id, bool counting = false)
    {
        State(b, id, out int pid).Should().Be("running");
        if (counting) WaitForCount(b, Count(b) + 3);
        b.Csrun("delete", "-f", id).ExitCode.Should().Be(0);
        TestHost.Reap(pid);
        Leftovers.AssertNone(b, id);
    }

    [CriuFact]
    public void Checkpoint_sends_the_pages_to_the_page_server_and_restore_from_its_directory_continues_the_counter()
    {
        using var b = CounterBundle();
        string id = b.NewId("ps");
        using var pipes = RunWithPipes(b, id);
        WaitForCount(b, 5);
        string images = Path.Combine(b.Dir, "images"), remote = Path.Combine(b.Dir, "remote");
        Directory.CreateDirectory(remote);
        int port = FreePort();
        var server = Start(CriuFact.Path, "page-server", "--images-dir", remote, "--port", port.ToString(), "--address", "127.0.0.1");
        try
        {
            // The page server listens once its log says so; a dump connecting earlier fails.
            Thread.Sleep(500);
            var ck = b.Csrun("--criu", CriuFact.Path, "checkpoint", "--page-server", $"127.0.0.1:{port}", "--image-path", images, id);
            ck.ExitCode.Should().Be(0, ck.ToString());
            server.WaitForExit(30_000).Should().BeTrue("the page server ends with the dump");
            server.ExitCode.Should().Be(0, server.StandardError.ReadToEnd());
        }
        finally { Stop(server); }
        Directory.GetFiles(images, "pages-*.img").Should().BeEmpty("the pages went to the page server");
        Directory.GetFiles(remote, "pages-*.img").Should().NotBeEmpty();
        Leftovers.AssertNone(b, id);
        int dumped = Count(b);

        // The migration's other half: the rest of the images next to the pages, restored from there.
        foreach (var f in Directory.GetFiles(images)) File.Copy(f, Path.Combine(remote, Path.GetFileName(f)), overwrite: false);
        var rs = b.Csrun("--criu", CriuFact.Path, "restore", "-d", "-b", b.Dir, "--image-path", remote, id);
        rs.ExitCode.Should().Be(0, rs.ToString());
        CounterGoesOnFrom(b, dumped);
        Remove(b, id);
    }

    [CriuFact]
    public void An_unreachable_page_server_fails_the_checkpoint_naming_it_and_the_container_runs_on()
    {
        using var b = CounterBundle();
        using var pipes = Counting(b, "ps", out string id);
        int port = FreePort();
        var ck = b.Csrun("--criu", CriuFact.Path, "checkpoint", "--page-server", $"127.0.0.1:{port}", "--image-path", Path.Combine(b.Dir, "images"), id);
        ck.ExitCode.Should().Be(1);
        ck.Stderr.Should().Contain("criu failed: type DUMP").And.Contain($"Can't connect to server 127.0.0.1:{port}").And.Contain("dump.log");
        Remove(b, id, counting: true);
    }

    [LazyPagesFact]
    public void Lazy_migration_restores_a_copy_whose_pages_come_from_the_dumping_criu_and_the_counter_goes_on()
    {
        using var limit = PipeMaxSize.AtLeast(LazyPagesFactAttribute.PipeBytes);
        using var b = CounterBundle();
        string id = b.NewId("lazy"), copy = b.NewId("copy");
        using var pipes = RunWithPipes(b, id);
        WaitForCount(b, 5);
        string images = Path.Combine(b.Dir, "images"), work = Path.Combine(b.Dir, "work"), fifo = Path.Combine(b.Dir, "status");
        Directory.CreateDirectory(images);
        Directory.CreateDirectory(work);
        CsrunCli.RunProgram("mkfifo", new[] { fifo }).ExitCode.Should().Be(0);
        int port = FreePort();
        b.Save();
        // runc's flow: the checkpoint runs on (it serves the pages) and says on its --status-fd,
        // here fd 3 opened write-only on a fifo, when its page server listens.
        var checkpoint = Start("/bin/sh", "-c", "exec \"$0\" \"$@\" 3>\"$STATUS\"".Replace("$STATUS", fifo),
            TestHost.Csrun, "--root", b.StateRoot, "--criu", CriuFact.Path, "checkpoint", "--lazy-pages", "--page-server", $"0.0.0.0:{port}",
            "--status-fd", "3", "--work-path", work, "--image-path", images, id);
        Process? lazy = null;
        try
        {
            var ready = Task.Run(() =>
            {
                using var f = new FileStream(fifo, FileMode.Open, FileAccess.Read);
                var buf = new byte[2];
                int n = f.Read(buf, 0, 2);
                return n == 0 ? "EOF" : n == 1 && buf[0] == 0 ? "\\0" : $"{n} bytes";
            });
            ready.Wait(60_000).Should().BeTrue("the status fd must be written or closed");
            ready.Result.Should().Be("\\0", "the checkpoint says on its status fd that the page server listens ({0})",
                checkpoint.HasExited ? checkpoint.StandardError.ReadToEnd() : "running");
            File.Exists(Path.Combine(images, "inventory.img")).Should().BeTrue();
            checkpoint.HasExited.Should().BeFalse("the checkpoint serves the pages until the copy has them all");
            int dumped = Count(b);

            lazy = Start(CriuFact.Path, "lazy-pages", "--page-server", "--address", "127.0.0.1", "--port", port.ToString(), "-D", images);
            Thread.Sleep(500);
            var rs = b.Csrun("--criu", CriuFact.Path, "restore", "-d", "--lazy-pages", "-b", b.Dir, "--image-path", images, copy);
            rs.ExitCode.Should().Be(0, rs.ToString());
            checkpoint.WaitForExit(60_000).Should().BeTrue("the checkpoint ends once every page is served");
            checkpoint.ExitCode.Should().Be(0, checkpoint.StandardError.ReadToEnd());
            lazy.WaitForExit(60_000).Should().BeTrue();
            lazy.ExitCode.Should().Be(0, lazy.StandardError.ReadToEnd());

            b.Csrun("state", id).ExitCode.Should().Be(1, "the checkpointed container is gone once migrated");
            Leftovers.AssertNone(b, id);
            CounterGoesOnFrom(b, dumped);
            Remove(b, copy);
        }
        finally
        {
            Stop(checkpoint);
            if (lazy != null) Stop(lazy);
        }
    }

    [LazyPagesFact(PipeTooSmall = true)]
    public void Lazy_pages_where_criu_cannot_size_its_pipe_are_refused_before_anything_is_frozen()
    {
        using var b = CounterBundle();
        using var pipes = Counting(b, "lazy", out string id);
        // csrun and so CRIU without CAP_SYS_RESOURCE, as on this host: the default 1 MiB limit holds.
        var ck = CsrunCli.RunProgram("setpriv", new[] { "--bounding-set", "-sys_resource", TestHost.Csrun, "--root", b.StateRoot,
            "--criu", CriuFact.Path, "checkpoint", "--lazy-pages", "--page-server", $"0.0.0.0:{FreePort()}", "--image-path", Path.Combine(b.Dir, "images"), id });
        ck.ExitCode.Should().Be(1);
        ck.Stderr.Should().Contain("--lazy-pages: CRIU's lazy page server needs a 3354624-byte pipe (F_SETPIPE_SZ: operation not permitted)")
            .And.Contain("fs.pipe-max-size");
        Remove(b, id, counting: true);
    }

    [CriuFact]
    public void Restore_with_lazy_pages_but_no_lazy_pages_daemon_is_criu_s_error_and_leaves_nothing()
    {
        using var b = CounterBundle();
        using var pipes = Counting(b, "lazy", out string id);
        string copy = b.NewId("copy");
        string images = Path.Combine(b.Dir, "images");
        b.Csrun("--criu", CriuFact.Path, "checkpoint", "--leave-running", "--image-path", images, id).ExitCode.Should().Be(0);
        var rs = b.Csrun("--criu", CriuFact.Path, "restore", "-d", "--lazy-pages", "-b", b.Dir, "--image-path", images, copy);
        rs.ExitCode.Should().Be(1);
        rs.Stderr.Should().Contain("csrun restore failed: criu failed").And.Contain("restore.log");
        Leftovers.AssertNone(b, copy);
        Remove(b, id);
    }

    [Fact]
    public void Page_server_and_status_fd_flags_that_cannot_take_effect_are_refused()
    {
        using var b = CounterBundle();
        string id = b.NewId("ps");
        foreach (var (args, error) in new[]
        {
            (new[] { "--page-server", "127.0.0.1" }, "--page-server 127.0.0.1: use --page-server ADDRESS:PORT to specify page server"),
            (new[] { "--page-server", ":27277" }, "--page-server :27277: use --page-server ADDRESS:PORT to specify page server"),
            (new[] { "--page-server", "127.0.0.1:x" }, "--page-server 127.0.0.1:x: invalid port number"),
            (new[] { "--page-server", "127.0.0.1:0" }, "--page-server 127.0.0.1:0: invalid port number"),
            (new[] { "--page-server", "[::1]:70000" }, "--page-server [::1]:70000: invalid port number"),
            (new[] { "--status-fd", "1" }, "--status-fd: only with --lazy-pages"),
            (new[] { "--lazy-pages" }, "--lazy-pages: needs --page-server ADDRESS:PORT"),
            (new[] { "--lazy-pages", "--pre-dump", "--page-server", "0.0.0.0:27277" }, "--lazy-pages: cannot pre-dump with --lazy-pages"),
            (new[] { "--lazy-pages", "--page-server", "127.0.0.1:27277" }, "--page-server 127.0.0.1:27277: with --lazy-pages CRIU serves the pages on every address"),
            (new[] { "--lazy-pages", "--page-server", "0.0.0.0:27277", "--status-fd", "57" }, "invalid --status-fd argument 57: bad file descriptor"),
            (new[] { "--lazy-pages", "--page-server", "[::]:27277", "--status-fd", "0" }, "invalid --status-fd argument 0: not writable"),
            (new[] { "--lazy-pages", "--page-server", "0.0.0.0:27277", "--status-fd", "x" }, "--status-fd x: not a file descriptor number"),
        })
        {
            var r = b.Csrun(new[] { "checkpoint" }.Concat(args).Append(id).ToArray());
            r.ExitCode.Should().Be(1, string.Join(" ", args));
            r.Stderr.Should().Contain(error, string.Join(" ", args));
        }
    }
}

/// <summary>A CRIU test that needs lazy migration: userfaultfd with non-cooperative events, and
/// CRIU's 4 MiB tee pipe (CAP_SYS_RESOURCE, else an fs.pipe-max-size the test may raise).</summary>
public sealed class LazyPagesFactAttribute : FactAttribute
{
    /// <summary>The pipe CRIU's lazy page server sizes (src/CsRun/Criu/LazyPagesCheck.cs), rounded up as the kernel does.</summary>
    public const int PipeBytes = 4 << 20;

    public LazyPagesFactAttribute()
    {
        if (CriuFact.Path.Length == 0) Skip = "no CRIU: tests/criu/get-criu.sh failed (./build.sh deps sets it up): " + CriuFact.Reason;
        else if (CsrunCli.RunProgram(CriuFact.Path, new[] { "check", "--feature", "uffd-noncoop" }).ExitCode != 0)
            Skip = "this kernel has no non-cooperative userfaultfd: CRIU cannot restore pages lazily";
        else if (!PipeMaxSize.CanReach(PipeBytes)) Skip = "fs.pipe-max-size is below 4 MiB, not writable here, and CAP_SYS_RESOURCE is missing";
    }

    /// <summary>Set: the test needs CRIU's pipe to be out of reach without CAP_SYS_RESOURCE.</summary>
    public bool PipeTooSmall
    {
        get => false;
        set
        {
            if (Skip == null && value && PipeMaxSize.Current >= PipeBytes) Skip = "fs.pipe-max-size allows CRIU's 4 MiB pipe here: nothing to refuse";
        }
    }
}

/// <summary>fs.pipe-max-size, which only this test class changes, each time restored.</summary>
internal static class PipeMaxSize
{
    const string Path = "/proc/sys/fs/pipe-max-size";

    public static int Current => int.Parse(File.ReadAllText(Path).Trim());

    /// <summary>CAP_SYS_RESOURCE (bit 24 of CapEff) lifts the limit for root.</summary>
    static bool HasSysResource()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("CapEff:"));
        return (Convert.ToUInt64(line[7..].Trim(), 16) & (1UL << 24)) != 0;
    }

    public static bool CanReach(int bytes)
    {
        if (HasSysResource() || Current >= bytes) return true;
        try
        {
            using var f = new FileStream(Path, FileMode.Open, FileAccess.Write);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>Raises the limit to <paramref name="bytes"/> where CRIU needs it; Dispose restores it.</summary>
    public static IDisposable AtLeast(int bytes)
    {
        int old = Current;
        if (HasSysResource() || old >= bytes) return new Restore(null);
        File.WriteAllText(Path, bytes.ToString());
        return new Restore(old);
    }

    sealed class Restore : IDisposable
    {
        readonly int? _old;

        public Restore(int? old) => _old = old;

        public void Dispose()
        {
            if (_old is int v) File.WriteAllText(Path, v.ToString());
        }
    }
}
