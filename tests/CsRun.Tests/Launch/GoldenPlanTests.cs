using System.Text;
using CsRun.Container;
using CsRun.Launch;
using CsRun.Spec;
using CsRun.Tests.Spec;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Launch;

/// <summary>
/// The setup program compiled from each real config in spec-fixtures/valid (runc's spec, podman's,
/// containerd's, rootless, userns, seccomp, joined namespaces, every mount kind), rendered as text
/// and checked against tests/CsRun.Tests/Launch/plans/NAME.plan, so that a change to a plan is a
/// reviewed diff. After an intended change, regenerate them with
/// `CSRUN_UPDATE_PLANS=1 dotnet test tests/CsRun.Tests --filter GoldenPlanTests` and commit the diff.
/// </summary>
public class GoldenPlanTests
{
    public static IEnumerable<object[]> Configs() =>
        Fixtures.In("valid").Select(f => new object[] { Path.GetFileNameWithoutExtension(f) });

    [Theory]
    [MemberData(nameof(Configs))]
    public void The_compiled_plan_matches_its_golden_file(string name)
    {
        var config = ConfigLoader.Load(Fixtures.PathOf($"valid/{name}.json"));
        // This host has no AppArmor nor SELinux: a profile or label would fail the compile (LsmCompiler's own tests cover it).
        if (config.Process != null) config.Process.ApparmorProfile = config.Process.SelinuxLabel = null;
        using var sources = new MirroredBindSources(config);
        // Fixed host facts, so the plan depends on the config (and the compiler) alone.
        var ctx = new CompileContext
        {
            Config = config, BundleDir = "/bundle", Rootfs = "/bundle/rootfs", FifoFd = 7,
            ConsoleFd = config.Process?.Terminal == true ? 8 : -1, HostBounding = ulong.MaxValue,
        };
        string plan = Render(Compiler.Compile(ctx), ctx.Warnings);
        string golden = Path.Combine(PlansDir, name + ".plan");
        if (Environment.GetEnvironmentVariable("CSRUN_UPDATE_PLANS") == "1")
        {
            File.WriteAllText(golden, plan);
            return;
        }
        File.Exists(golden).Should().BeTrue($"{golden} is the reviewed plan (CSRUN_UPDATE_PLANS=1 writes it)");
        plan.Should().Be(File.ReadAllText(golden), $"the plan for {name} changed: review the diff, then CSRUN_UPDATE_PLANS=1");
    }

    [Fact]
    public void Every_golden_file_has_its_config()
    {
        var names = Configs().Select(c => (string)c[0]).ToHashSet();
        Directory.EnumerateFiles(PlansDir, "*.plan").Select(Path.GetFileNameWithoutExtension)
            .Where(n => !names.Contains(n!)).Should().BeEmpty("a plan whose config is gone is stale");
        names.Count.Should().BeGreaterThanOrEqualTo(12);
    }

    /// <summary>Bind sources captured on other hosts (podman's userdata files, a volume) made
    /// under one fixed directory, so the compiler can stat them and the plan text is the same
    /// everywhere; removed afterwards.</summary>
    sealed class MirroredBindSources : IDisposable
    {
        const string Base = "/tmp/csrun-golden-plans";
        static readonly HashSet<string> FileNames = new() { "hosts", "hostname", "resolv.conf", ".containerenv", "passwd", "group" };

        public MirroredBindSources(Config config)
        {
            Dispose();
            foreach (var m in config.Mounts ?? new())
            {
                if (m.Source is not { } src || !src.StartsWith('/') || !(m.Type == "bind" || m.Options?.Any(o => o is "bind" or "rbind") == true)) continue;
                if (File.Exists(src) || Directory.Exists(src)) continue;
                string mirror = Base + src;
                if (FileNames.Contains(Path.GetFileName(src)) || Path.GetExtension(src).Length > 0)
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(mirror)!);
                    File.WriteAllText(mirror, "");
                }
                else Directory.CreateDirectory(mirror);
                m.Source = mirror;
            }
        }

        public void Dispose()
        {
            if (Directory.Exists(Base)) Directory.Delete(Base, recursive: true);
        }
    }

    static string PlansDir => Path.Combine(Fixtures.Root, "..", "tests", "CsRun.Tests", "Launch", "plans");

    /// <summary>Everything but the arena's pointers, which change from run to run.</summary>
    static string Render(SetupProgram p, List<string> warnings)
    {
        var sb = new StringBuilder();
        sb.Append("clone flags: 0x").Append(p.CloneFlags.ToString("x")).Append('\n');
        foreach (var (type, path) in p.Joins) sb.Append("join ").Append(type).Append(": ").Append(path).Append('\n');
        foreach (var (field, path) in p.BindSources) sb.Append("bind source ").Append(field).Append(": ").Append(path).Append('\n');
        if (p.NewUserNamespace) sb.Append("new user namespace\n");
        if (p.CgroupAfterClone) sb.Append("cgroup after clone\n");
        foreach (var w in warnings) sb.Append("warning: ").Append(w).Append('\n');
        for (int i = 0; i < p.Steps.Count; i++)
        {
            var s = p.Steps[i];
            // No step numbers: one step more or less is a one-line diff, not a renumbered file.
            if (i == p.ReadyIndex) sb.Append("-- ready: failures from here go to stderr --\n");
            sb.Append(s.Kind);
            if (s.Field.Length > 0) sb.Append(" [").Append(s.Field).Append(']');
            sb.Append(": ").Append(s.Text.Replace("\n", "\\n"));
            if (s.Subject != null) sb.Append(" (").Append(s.Subject).Append(')');
            sb.Append('\n');
        }
        return sb.ToString();
    }
}
