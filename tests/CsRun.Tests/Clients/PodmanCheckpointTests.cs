using CsRun.Tests.Integration;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Clients;

/// <summary>
/// `podman container checkpoint` and `podman container restore` (4.3) with `--runtime
/// out/csrun`: podman runs `csrun checkpoint --image-path ... --work-path ...` and `csrun restore
/// --detach --console-socket?/--pid-file ...` under conmon, with the CRIU its PATH finds (podman
/// itself asks that CRIU for its version first).
/// </summary>
[Collection(ClientsCollection.Name)]
public sealed class PodmanCheckpointTests : IDisposable
{
    readonly ClientsFixture _fixture;
    readonly string _bin = Directory.CreateTempSubdirectory("csrun-criu-path-").FullName;
    Podman P => _fixture.Podman;

    public PodmanCheckpointTests(ClientsFixture fixture) => _fixture = fixture;

    public void Dispose()
    {
        if (_fixture.PodmanStarted) P.RemoveAll();
        Directory.Delete(_bin, recursive: true);
    }

    Dictionary<string, string> CriuOnPath()
    {
        File.CreateSymbolicLink(Path.Combine(_bin, "criu"), CriuFact.Path);
        return new Dictionary<string, string> { ["PATH"] = _bin + ":" + Environment.GetEnvironmentVariable("PATH") };
    }

    static List<int> Numbers(string logs) =>
        logs.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => int.TryParse(l, out int n) ? n : -1).Where(n => n > 0).ToList();

    [PodmanCriuFact]
    public void Podman_checkpoints_and_restores_a_counter_through_csrun()
    {
        var env = CriuOnPath();
        string name = "ckpt-" + Guid.NewGuid().ToString("N")[..8];
        P.Ok("run", "-d", "--name", name, _fixture.Image, "sh", "-c", "i=0; while true; do i=$((i+1)); echo $i; sleep 0.1; done");
        LifecycleTests.WaitFor(() => Numbers(P.Run("logs", name).Stdout).Count >= 5);

        var ck = P.RunWith(env, "container", "checkpoint", name);
        ck.ExitCode.Should().Be(0, ck.ToString());
        P.Inspect(name, "{{.State.Status}}").Should().Be("exited");
        int dumped = Numbers(P.Ok("logs", name)).Max();

        var rs = P.RunWith(env, "container", "restore", name);
        rs.ExitCode.Should().Be(0, rs.ToString());
        P.Inspect(name, "{{.State.Status}}").Should().Be("running");
        LifecycleTests.WaitFor(() => Numbers(P.Run("logs", name).Stdout).Max() >= dumped + 3);
        var after = Numbers(P.Ok("logs", name));
        after.Skip(after.IndexOf(dumped) + 1).Should().OnlyContain(n => n > dumped, "the restored counter goes on, never from 1 again");

        P.Ok("rm", "--force", "--time", "0", name);
        P.Leftovers().Should().BeEmpty();
    }
}

/// <summary>podman installed and a working CRIU (tests/criu/get-criu.sh).</summary>
public sealed class PodmanCriuFactAttribute : FactAttribute
{
    public PodmanCriuFactAttribute()
    {
        Skip = ClientTools.SkipUnlessInstalled("podman", "conmon", "unshare")
            ?? (CriuFact.Path.Length == 0 ? "no CRIU: " + CriuFact.Reason : null);
    }
}
