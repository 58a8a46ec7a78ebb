using CsRun.Cgroups;
using CsRun.Tests.Cgroups;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>
/// create into a cgroup that exists already (linux.cgroupsPath names it), as runc 1.1.5's
/// factory checks it: frozen is an error (the init would stop on joining and create wait for
/// ever), processes in it a warning. And exec into a paused container.
/// </summary>
public class CgroupArrivalTests
{
    const string Frozen = "container's cgroup unexpectedly frozen";

    /// <summary>create with a deadline: before the check, it never returned.</summary>
    static CliResult CreateIn(Bundle b, string cgroupsPath, string id)
    {
        b.Config.Linux!.CgroupsPath = cgroupsPath;
        return b.Csrun("create", "-b", b.Dir, id);
    }

    [HierarchyFact("freezer")]
    public void Create_into_a_frozen_v1_cgroup_is_refused() => CreateIntoFrozenV1(underIt: false);

    /// <summary>runc 1.1.5 looks at the cgroup itself only, and hangs here until the parent is thawed.</summary>
    [HierarchyFact("freezer")]
    public void Create_under_a_frozen_parent_is_refused() => CreateIntoFrozenV1(underIt: true);

    static void CreateIntoFrozenV1(bool underIt)
    {
        using var cg = new TestCgroup();
        cg.Manager.Create(null);
        cg.Manager.Freeze(true);
        using var b = new Bundle("sleep", "100");
        var id = b.NewId();
        var r = CreateIn(b, underIt ? $"/{cg.Name}/{id}" : "/" + cg.Name, id);
        r.ExitCode.Should().Be(1, r.ToString());
        r.Stderr.Should().Be($"csrun create failed: {Frozen}: {cg.Dir("freezer")}/freezer.state is FROZEN\n");
        Directory.Exists(Path.Combine(b.StateRoot, id)).Should().BeFalse();
        Leftovers.CgroupDirs(id).Should().BeEmpty("nothing was made under the frozen cgroup");
        cg.Read("freezer", "freezer.state").Should().Be("FROZEN", "the cgroup was there before and is left as it was");
    }

    [HierarchyFact(CgroupLayout.Unified)]
    public void Create_into_a_frozen_unified_cgroup_is_refused()
    {
        using var cg = new TestCgroup();
        string unified = cg.Dir(CgroupLayout.Unified);
        cg.Manager.Create(null);
        File.WriteAllText(Path.Combine(unified, "cgroup.freeze"), "1");
        try
        {
            using var b = new Bundle("sleep", "100");
            var id = b.NewId();
            var r = CreateIn(b, "/" + cg.Name, id);
            r.ExitCode.Should().Be(1, r.ToString());
            r.Stderr.Should().Contain(Frozen).And.Contain(unified + "/cgroup.freeze is 1");
        }
        finally
        {
            File.WriteAllText(Path.Combine(unified, "cgroup.freeze"), "0");
        }
    }

    [Fact]
    public void Create_into_a_cgroup_with_processes_warns_as_runc_does()
    {
        using var cg = new TestCgroup();
        var stranger = cg.Started();
        using var b = new Bundle("sleep", "100");
        var id = b.NewId();
        var r = CreateIn(b, "/" + cg.Name, id);
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stderr.Should().MatchRegex("^time=\"[^\"]+\" level=warning msg=\"container's cgroup is not empty: 1 process\\(es\\) found\"\n$");
        stranger.HasExited.Should().BeFalse("create only warns; the process that was there is not touched by it");
        b.Csrun("start", id).ExitCode.Should().Be(0);
    }

    [Fact]
    public void Create_into_an_empty_existing_cgroup_says_nothing()
    {
        using var cg = new TestCgroup();
        cg.Manager.Create(null);
        using var b = new Bundle("sleep", "100");
        var id = b.NewId();
        var r = CreateIn(b, "/" + cg.Name, id);
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stderr.Should().BeEmpty();
    }

    [Fact]
    public void Exec_into_a_paused_container_is_refused_unless_ignore_paused()
    {
        using var b = new Bundle("sleep", "100");
        var id = RuncBehaviourTests.Detached(b);
        b.Csrun("pause", id).ExitCode.Should().Be(0);
        var r = b.Csrun("exec", id, "echo", "hi");
        r.ExitCode.Should().Be(255, "runc's exec fails with 255: " + r);
        r.Stderr.Should().Be("exec failed: cannot exec in a paused container (use --ignore-paused to override)\n");

        // With --ignore-paused the process is started, frozen with the rest until resume.
        var ignored = Task.Run(() => b.Csrun("exec", "--ignore-paused", id, "echo", "hi"));
        ignored.Wait(1500).Should().BeFalse("the exec'd process is frozen with the container");
        b.Csrun("resume", id).ExitCode.Should().Be(0);
        ignored.Wait(30_000).Should().BeTrue();
        ignored.Result.ExitCode.Should().Be(0, ignored.Result.ToString());
        ignored.Result.Stdout.Should().Be("hi\n");
    }
}

/// <summary>Skipped where the host has no such cgroup hierarchy ("" : a unified one whose cgroups can freeze).</summary>
public sealed class HierarchyFactAttribute : FactAttribute
{
    public HierarchyFactAttribute(string hierarchy)
    {
        // cgroup.freeze came with Linux 5.2.
        bool present = CgroupLayout.Detect().Mounts.ContainsKey(hierarchy)
            && (hierarchy != CgroupLayout.Unified || Environment.OSVersion.Version >= new Version(5, 2));
        if (!present) Skip = hierarchy == CgroupLayout.Unified ? "no cgroup2 hierarchy with a freezer (Linux 5.2) on this host" : $"no {hierarchy} cgroup hierarchy on this host";
    }
}
