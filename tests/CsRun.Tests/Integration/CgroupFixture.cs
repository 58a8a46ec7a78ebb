using System.Text.Json;
using FluentAssertions;

namespace CsRun.Tests.Integration;

/// <summary>
/// A container from a busybox bundle and its v1 cgroup files, for the cgroup command tests.
/// <see cref="Finish"/> force-deletes it and checks that nothing is left behind; a test that
/// fails before that leaves the clean-up to the bundle's Dispose.
/// </summary>
internal sealed class CgroupFixture
{
    public Bundle Bundle { get; }
    public string Id { get; }
    public int Pid { get; private set; }

    public CgroupFixture(Bundle bundle, string prefix = "cg")
    {
        Bundle = bundle;
        Id = bundle.NewId(prefix);
    }

    /// <summary>run -d; the container is running when this returns.</summary>
    public CgroupFixture Run()
    {
        Ok(Bundle.Csrun("run", "-d", "-b", Bundle.Dir, Id));
        Pid = State().GetProperty("pid").GetInt32();
        return this;
    }

    public CgroupFixture Create()
    {
        Ok(Bundle.Csrun("create", "-b", Bundle.Dir, Id));
        Pid = State().GetProperty("pid").GetInt32();
        return this;
    }

    public CliResult Csrun(params string[] args) => Bundle.Csrun(args);

    /// <summary>csrun ARGS... ID, expected to succeed.</summary>
    public string Ok(params string[] args)
    {
        var r = Bundle.Csrun(args.Append(Id).ToArray());
        r.ExitCode.Should().Be(0, r.ToString());
        return r.Stdout;
    }

    /// <summary>csrun ARGS... ID, expected to fail with exit 1; returns stderr.</summary>
    public string Fails(params string[] args)
    {
        var r = Bundle.Csrun(args.Append(Id).ToArray());
        r.ExitCode.Should().Be(1, r.ToString());
        return r.Stderr;
    }

    /// <summary>kill [--all] ID SIGNAL, expected to succeed.</summary>
    public void Kill(string signal, bool all = false) =>
        Ok(Bundle.Csrun((all ? new[] { "kill", "--all" } : new[] { "kill" }).Concat(new[] { Id, signal }).ToArray()));

    static void Ok(CliResult r) => r.ExitCode.Should().Be(0, r.ToString());

    public JsonElement State() => JsonDocument.Parse(Ok("state")).RootElement;

    public string Status => State().GetProperty("status").GetString()!;

    /// <summary>The container's config as saved in its state (what update persists).</summary>
    public JsonElement SavedResources() =>
        SavedState().GetProperty("config").GetProperty("linux").GetProperty("resources");

    JsonElement SavedState() => JsonDocument.Parse(File.ReadAllText(Path.Combine(Bundle.StateRoot, Id, "state.json"))).RootElement;

    /// <summary>The container's directory in a v1 hierarchy ("memory", "cpu", ...).</summary>
    public string Dir(string controller) => SavedState().GetProperty("cgroupPaths").GetProperty(controller).GetString()!;

    public string Read(string controller, string file) => File.ReadAllText(Path.Combine(Dir(controller), file)).Trim();

    public long ReadNumber(string controller, string file) => long.Parse(Read(controller, file));

    public HashSet<int> Procs(string controller = "pids") =>
        Read(controller, "cgroup.procs").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToHashSet();

    /// <summary>delete -f, reap the init, and no cgroup, process, mount or state left.</summary>
    public void Finish()
    {
        var r = Bundle.Csrun("delete", "-f", Id);
        TestHost.Reap(Pid);
        r.ExitCode.Should().Be(0, r.ToString());
        Leftovers.AssertNone(Bundle, Id);
    }
}
