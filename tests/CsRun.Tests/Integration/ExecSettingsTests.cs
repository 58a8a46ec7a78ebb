using System.Text.Json;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>
/// What `exec` takes from the container and its flags: oom_score_adj, the personality, LSM
/// flags and sub-cgroups. Every flag exec accepts must take effect or fail clearly.
/// </summary>
public class ExecSettingsTests
{
    static (Bundle Bundle, string Id) Running(Action<Bundle>? configure = null)
    {
        var b = new Bundle("sleep", "100");
        configure?.Invoke(b);
        var id = b.NewId("xs");
        var r = b.Csrun("run", "-d", "-b", b.Dir, id);
        r.ExitCode.Should().Be(0, r.ToString());
        return (b, id);
    }

    [Fact]
    public void Exec_gets_the_containers_oom_score_adj_and_personality()
    {
        var (b, id) = Running(b =>
        {
            b.Config.Process!.OomScoreAdj = 123;
            b.Config.Linux!.Personality = new() { Domain = "LINUX32" };
        });
        using var _ = b;
        var r = b.Csrun("exec", id, "sh", "-c", "cat /proc/self/oom_score_adj; uname -m");
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stdout.Should().Be("123\ni686\n");
    }

    [Fact]
    public void A_process_json_sets_its_own_oom_score_adj_or_gets_the_containers()
    {
        var (b, id) = Running(b => b.Config.Process!.OomScoreAdj = 123);
        using var _ = b;
        string own = Path.Combine(b.Dir, "own.json"), plain = Path.Combine(b.Dir, "plain.json");
        var process = b.Config.Process! with { Args = new() { "cat", "/proc/self/oom_score_adj" } };
        File.WriteAllText(own, CsRun.Tests.Spec.ReferenceJson.Serialize(process with { OomScoreAdj = 55 }));
        File.WriteAllText(plain, CsRun.Tests.Spec.ReferenceJson.Serialize(process with { OomScoreAdj = null }));
        var r = b.Csrun("exec", "-p", own, id);
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stdout.Should().Be("55\n");
        r = b.Csrun("exec", "-p", plain, id);
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stdout.Should().Be("123\n");
    }

    [Theory]
    [InlineData("--apparmor", "AppArmor")]
    [InlineData("--process-label", "SELinux")]
    public void An_lsm_flag_the_host_cannot_apply_is_an_error(string flag, string lsm)
    {
        if (lsm == "AppArmor" && File.Exists("/sys/module/apparmor/parameters/enabled")
            && File.ReadAllText("/sys/module/apparmor/parameters/enabled").Trim() == "Y") return;
        if (lsm == "SELinux" && File.Exists("/sys/fs/selinux/enforce")) return;
        var (b, id) = Running();
        using var _ = b;
        var r = b.Csrun("exec", flag, "some-profile", id, "true");
        r.ExitCode.Should().Be(255, r.ToString());
        r.Stderr.Should().Contain($"exec {flag}: \"some-profile\" requested, but {lsm} is not enabled on this host");
    }

    [Theory]
    [InlineData("--cwd", "/tmp")]
    [InlineData("--apparmor", "x")]
    [InlineData("--process-label", "x")]
    [InlineData("--env", "A=b")]
    [InlineData("--no-new-privs", null)]
    public void A_process_flag_with_a_process_json_is_refused(string flag, string? value)
    {
        var (b, id) = Running();
        using var _ = b;
        string file = Path.Combine(b.Dir, "p.json");
        File.WriteAllText(file, CsRun.Tests.Spec.ReferenceJson.Serialize(b.Config.Process! with { Args = new() { "true" } }));
        var args = new List<string> { "exec", "-p", file, flag };
        if (value != null) args.Add(value);
        args.Add(id);
        var r = b.Csrun(args.ToArray());
        r.ExitCode.Should().Be(255, r.ToString());
        r.Stderr.Should().Contain($"exec: {flag} cannot be combined with --process");
    }

    [Fact]
    public void Tty_with_a_process_json_must_agree_with_its_terminal()
    {
        var (b, id) = Running();
        using var _ = b;
        string file = Path.Combine(b.Dir, "p.json");
        File.WriteAllText(file, CsRun.Tests.Spec.ReferenceJson.Serialize(b.Config.Process! with { Args = new() { "true" }, Terminal = false }));
        var r = b.Csrun("exec", "-p", file, "--tty", id);
        r.ExitCode.Should().Be(255, r.ToString());
        r.Stderr.Should().Contain($"exec: --tty=true contradicts \"terminal\": false in {file}");
        r = b.Csrun("exec", "-p", file, "--tty=false", id);
        r.ExitCode.Should().Be(0, r.ToString());
    }

    static Dictionary<string, string> CgroupPaths(Bundle b, string id)
    {
        var state = JsonDocument.Parse(File.ReadAllText(Path.Combine(b.StateRoot, id, "state.json"))).RootElement;
        return state.GetProperty("cgroupPaths").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
    }

    [Fact]
    public void Exec_cgroup_joins_an_existing_sub_cgroup_of_the_named_controllers()
    {
        var (b, id) = Running();
        using var _ = b;
        var paths = CgroupPaths(b, id);
        if (!paths.ContainsKey("pids") || !paths.ContainsKey("freezer")) return; // v1 or hybrid only
        Directory.CreateDirectory(Path.Combine(paths["pids"], "sub"));
        Directory.CreateDirectory(Path.Combine(paths["freezer"], "sub"));
        var r = b.Csrun("exec", "--cgroup", "pids,freezer:sub", id, "cat", "/proc/self/cgroup");
        r.ExitCode.Should().Be(0, r.ToString());
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().Contain(l => l.Contains(":pids:/") && l.EndsWith("/sub"));
        lines.Should().Contain(l => l.Contains(":freezer:/") && l.EndsWith("/sub"));
        lines.Should().Contain(l => l.Contains(":memory:/") && !l.EndsWith("/sub"));
        // One path for every hierarchy: each must have it.
        r = b.Csrun("exec", "--cgroup", "sub", id, "true");
        r.ExitCode.Should().Be(255, r.ToString());
        r.Stderr.Should().Contain("exec --cgroup: sub-cgroup ").And.Contain("/sub does not exist");
    }

    [Theory]
    [InlineData("pids:../..", "is not a sub cgroup path")]
    [InlineData("pids:", "empty sub-cgroup path")]
    [InlineData("nosuchcontroller:x", "the container has no cgroup for controller nosuchcontroller")]
    [InlineData("pids:missing", "exec --cgroup: sub-cgroup ")]
    public void A_bad_exec_cgroup_is_an_error(string arg, string message)
    {
        var (b, id) = Running();
        using var _ = b;
        if (!CgroupPaths(b, id).ContainsKey("pids")) return;
        var r = b.Csrun("exec", "--cgroup", arg, id, "true");
        r.ExitCode.Should().Be(255, r.ToString());
        r.Stderr.Should().Contain(message);
    }
}
