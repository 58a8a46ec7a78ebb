using CsRun.Tests.Integration;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Clients;

/// <summary>
/// containerd 1.6's checkpoint path: the runc v2 shim runs `&lt;runtime&gt; checkpoint --image-path
/// --work-path [--leave-running]` and `&lt;runtime&gt; restore --detach --pid-file --no-subreaper
/// --image-path --work-path -b`, with the `criu` its PATH finds (no CriuPath in ctr's options).
/// A daemon of its own per test, with a PATH whose first dir holds a `criu` link to the CRIU of
/// tests/criu/get-criu.sh; the same test runs with runc to show both behave alike.
/// </summary>
[Collection(ClientsCollection.Name)]
public sealed class ContainerdCheckpointTests : IDisposable
{
    readonly string _dir;
    readonly string _ns;
    readonly Containerd? _c;

    public ContainerdCheckpointTests(ClientsFixture fixture)
    {
        string tag = Guid.NewGuid().ToString("N")[..8];
        _dir = Path.Combine(fixture.Dir, "ctrckpt-" + tag);
        _ns = fixture.Tag + "-ckpt-" + tag;
        if (CriuFact.Path.Length == 0 || ClientTools.SkipUnlessInstalled("containerd", "ctr", "containerd-shim-runc-v2") != null) return;
        string bin = Directory.CreateDirectory(Path.Combine(_dir, "bin")).FullName;
        File.CreateSymbolicLink(Path.Combine(bin, "criu"), CriuFact.Path);
        string archive = OciImage.Build(Directory.CreateDirectory(Path.Combine(_dir, "image")).FullName);
        // containerd writes each checkpoint's images to a temp dir first ($XDG_RUNTIME_DIR, else
        // $TMPDIR: "ctrd-checkpoint*") and leaves it: keep those under the test's dir.
        string tmp = Directory.CreateDirectory(Path.Combine(_dir, "tmp")).FullName;
        _c = Containerd.Start(Path.Combine(_dir, "containerd"), _ns, archive, new Dictionary<string, string>
        {
            ["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH"), ["TMPDIR"] = tmp, ["XDG_RUNTIME_DIR"] = tmp,
        });
    }

    public void Dispose()
    {
        try
        {
            _c?.Dispose();
        }
        finally
        {
            HostCleanup.RemoveCgroupTree(_ns);
            HostCleanup.UnmountUnder(_dir);
            if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
        }
    }

    Containerd C => _c!;

    static string Runtime(string which) => which == "csrun" ? TestHost.Csrun : "runc";

    const string Counter = "i=0; while true; do i=$((i+1)); echo $i > /tmp/n; sleep 0.1; done";

    /// <summary>The counter's last value, read with `ctr task exec` (-1 while it has none).</summary>
    int Count(string id)
    {
        var r = C.Ctr("task", "exec", "--exec-id", "read-" + Guid.NewGuid().ToString("N")[..8], id, "cat", "/tmp/n");
        return r.ExitCode == 0 && int.TryParse(r.Stdout.Trim(), out int n) ? n : -1;
    }

    string TaskStatus(string id)
    {
        var line = C.Ctr("task", "ls").Stdout.Split('\n').FirstOrDefault(l => l.StartsWith(id + " ", StringComparison.Ordinal));
        return line?.Split(' ', StringSplitOptions.RemoveEmptyEntries).Last() ?? "";
    }

    void StartCounter(string runtime, string id)
    {
        var r = C.RunWith(Runtime(runtime), new[] { "-d" }, id, "sh", "-c", Counter);
        r.ExitCode.Should().Be(0, r.ToString());
        LifecycleTests.WaitFor(() => Count(id) >= 5);
    }

    void RemoveContainer(string id)
    {
        C.Ctr("task", "kill", "--signal", "SIGKILL", id);
        LifecycleTests.WaitFor(() => TaskStatus(id) == "STOPPED");
        C.Ctr("task", "delete", id).ExitCode.Should().Be(0);
        C.Ctr("container", "delete", id).ExitCode.Should().Be(0);
    }

    /// <summary>`ctr container restore --live`: a new container and task from the checkpoint image, started.</summary>
    void RestoreAndSeeItCountOn(string id, string reference, int dumped)
    {
        var rs = C.Ctr("container", "restore", "--live", id, reference);
        rs.ExitCode.Should().Be(0, rs.ToString());
        TaskStatus(id).Should().Be("RUNNING");
        int first = Count(id);
        first.Should().BeGreaterThanOrEqualTo(dumped, "the restored counter goes on from the dump, never from 1 again");
        LifecycleTests.WaitFor(() => Count(id) >= first + 3);
    }

    void AssertNothingLeft()
    {
        C.WaitForShimsToExit();
        C.Leftovers().Should().BeEmpty();
    }

    [ContainerdCriuTheory]
    [InlineData("csrun")]
    [InlineData("runc")]
    public void Container_checkpoint_leaves_the_task_running_and_restore_counts_on(string runtime)
    {
        string id = "ckpt-" + Guid.NewGuid().ToString("N")[..8];
        string reference = "csrun.test/checkpoint/" + id + ":1";
        StartCounter(runtime, id);

        var ck = C.Ctr("container", "checkpoint", "--task", id, reference);
        ck.ExitCode.Should().Be(0, ck.ToString());
        TaskStatus(id).Should().Be("RUNNING", "ctr container checkpoint leaves the task running");
        int dumped = Count(id);
        LifecycleTests.WaitFor(() => Count(id) >= dumped + 3);

        RemoveContainer(id);
        RestoreAndSeeItCountOn(id, reference, 5);
        RemoveContainer(id);
        C.Ctr("image", "remove", reference).ExitCode.Should().Be(0);
        AssertNothingLeft();
    }

    [ContainerdCriuTheory]
    [InlineData("csrun")]
    [InlineData("runc")]
    public void Task_checkpoint_with_exit_stops_the_task_at_the_dump(string runtime)
    {
        string id = "ckex-" + Guid.NewGuid().ToString("N")[..8];
        string images = Path.Combine(_dir, "images-" + id);
        StartCounter(runtime, id);

        var ck = C.Ctr("task", "checkpoint", "--exit", "--image-path", images, "--work-path", Path.Combine(_dir, "work-" + id), id);
        ck.ExitCode.Should().Be(0, ck.ToString());
        LifecycleTests.WaitFor(() => TaskStatus(id) == "STOPPED");
        File.Exists(Path.Combine(images, "inventory.img")).Should().BeTrue("CRIU wrote its images where --image-path said");

        C.Ctr("task", "delete", id).ExitCode.Should().Be(0);
        C.Ctr("container", "delete", id).ExitCode.Should().Be(0);
        AssertNothingLeft();
    }
}

/// <summary>containerd, ctr and the runc v2 shim installed, and a working CRIU (tests/criu/get-criu.sh).</summary>
public sealed class ContainerdCriuTheoryAttribute : TheoryAttribute
{
    public ContainerdCriuTheoryAttribute()
    {
        Skip = ClientTools.SkipUnlessInstalled("containerd", "ctr", "containerd-shim-runc-v2", "runc")
            ?? (CriuFact.Path.Length == 0 ? "no CRIU: " + CriuFact.Reason : null);
    }
}
