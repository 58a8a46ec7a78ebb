using System.Text.Json;
using System.Text.Json.Nodes;
using CsRun.Container;
using CsRun.Errors;
using CsRun.Launch;
using CsRun.Spec;
using CsRun.Tests.Integration;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace CsRun.Tests.Security;

/// <summary>
/// Malformed and hostile config.json, state.json and command lines: every case must end in a
/// clear error (RuntimeError in process, exit 1 from the binary) or a correct container, never a
/// crash, a hang or something left on the host. CI runs a fixed seed; set CSRUN_FUZZ_SEED and
/// CSRUN_FUZZ_CASES for a longer random run by hand.
/// </summary>
[Collection(Serial.Name)]
public class HostileInputTests
{
    readonly ITestOutputHelper _out;
    public HostileInputTests(ITestOutputHelper output) { _out = output; }

    static int Seed => int.TryParse(Environment.GetEnvironmentVariable("CSRUN_FUZZ_SEED"), out int s) ? s : 20261128;
    static int Cases(int ci) => int.TryParse(Environment.GetEnvironmentVariable("CSRUN_FUZZ_CASES"), out int n) ? n : ci;

    static readonly JsonNode?[] HostileValues =
    {
        null, true, 0, -1, long.MaxValue, 1e308, "", "/", "../../../../etc", "\u0000", new string('a', 70000), "x\ny",
        "/proc/self/fd/3", "SCMP_ACT_KILL", "CAP_SYS_ADMIN", "RLIMIT_NOFILE", "rbind", new JsonArray(), new JsonObject(),
        new JsonArray("a", 1, null), new JsonObject { ["path"] = "/proc/1/ns/net" },
    };

    /// <summary>Mutate one random node of the tree: replace, delete, or wrap it.</summary>
    static void Mutate(JsonNode root, Random r)
    {
        var nodes = new List<(JsonNode Parent, object Key)>();
        void Walk(JsonNode? n)
        {
            if (n is JsonObject o) foreach (var kv in o.ToList()) { nodes.Add((o, kv.Key)); Walk(kv.Value); }
            else if (n is JsonArray a) for (int i = 0; i < a.Count; i++) { nodes.Add((a, i)); Walk(a[i]); }
        }
        Walk(root);
        if (nodes.Count == 0) return;
        var (parent, key) = nodes[r.Next(nodes.Count)];
        var value = HostileValues[r.Next(HostileValues.Length)]?.DeepClone();
        int how = r.Next(3);
        if (parent is JsonObject obj)
        {
            if (how == 0) obj.Remove((string)key);
            else obj[(string)key] = value;
        }
        else if (parent is JsonArray arr)
        {
            if (how == 0) arr.RemoveAt((int)key);
            else arr[(int)key] = value;
        }
    }

    static string BaseConfig(string rootfs)
    {
        var c = Bundle.DefaultConfig(new[] { "sh", "-c", "echo ok" });
        c.Root!.Path = rootfs;
        c.Linux!.Seccomp = new() { DefaultAction = "SCMP_ACT_ALLOW", Syscalls = new() { new() { Names = new() { "mkdir" }, Action = "SCMP_ACT_ERRNO", Args = new() { new() { Index = 0, Value = 1, Op = "SCMP_CMP_EQ" } } } } };
        c.Hooks = new() { Poststop = new() { new() { Path = "/bin/true", Timeout = 5 } } };
        c.Linux.Devices = new() { new() { Type = "c", Path = "/dev/fuzz", Major = 1, Minor = 3 } };
        c.Linux.UidMappings = null;
        return CsRun.Tests.Spec.ReferenceJson.Serialize(c);
    }

    [Fact]
    public void Thousands_of_mutated_configs_parse_validate_and_compile_or_fail_cleanly()
    {
        using var b = new Bundle();
        var r = new Random(Seed);
        string baseJson = BaseConfig(b.Rootfs);
        int errors = 0, compiled = 0, cases = Cases(3000);
        for (int i = 0; i < cases; i++)
        {
            var root = JsonNode.Parse(baseJson)!;
            for (int m = r.Next(1, 4); m > 0; m--) Mutate(root, r);
            string json = root.ToJsonString();
            if (r.Next(10) == 0) json = json[..r.Next(json.Length)]; // truncated
            try
            {
                var config = ConfigLoader.Parse(System.Text.Encoding.UTF8.GetBytes(json));
                ConfigValidator.Validate(config, b.Dir);
                Compiler.Compile(new CompileContext { Config = config, BundleDir = b.Dir, Rootfs = b.Rootfs, FifoFd = 3 });
                compiled++;
            }
            catch (RuntimeError e)
            {
                e.Message.Should().NotBeNullOrWhiteSpace();
                errors++;
            }
            catch (Exception e)
            {
                throw new Exception($"case {i} (seed {Seed}) crashed with {e.GetType().Name}: {e.Message}\n{json[..Math.Min(json.Length, 2000)]}", e);
            }
        }
        _out.WriteLine($"{cases} cases: {errors} clear errors, {compiled} compiled");
        errors.Should().BeGreaterThan(0);
        compiled.Should().BeGreaterThan(0);
    }

    [Fact]
    public void Mutated_configs_through_the_binary_end_in_exit_0_or_1_and_leave_nothing()
    {
        var r = new Random(Seed + 1);
        using var b = new Bundle();
        string baseJson = BaseConfig(b.Rootfs);
        for (int i = 0; i < Cases(40); i++)
        {
            var root = JsonNode.Parse(baseJson)!;
            Mutate(root, r);
            File.WriteAllText(Path.Combine(b.Dir, "config.json"), root.ToJsonString());
            var id = b.NewId("fz");
            var result = CsrunCli.Run(new[] { "--root", b.StateRoot, "run", "-b", b.Dir, id }, timeoutMs: 30_000);
            result.ExitCode.Should().BeOneOf(new[] { 0, 1 }, $"case {i}: {result}");
            if (result.ExitCode == 1) result.Stderr.Should().NotBeNullOrWhiteSpace();
            Leftovers.AssertNone(b, id);
        }
    }

    [Fact]
    public void Corrupt_state_files_give_errors_not_crashes()
    {
        using var b = new Bundle("sleep", "100");
        var id = b.NewId();
        b.Csrun("create", "-b", b.Dir, id).ExitCode.Should().Be(0);
        string stateFile = Path.Combine(b.StateRoot, id, "state.json");
        string good = File.ReadAllText(stateFile);
        var r = new Random(Seed + 2);
        foreach (var corrupt in new[] { "", "{", "null", "[]", good.Replace("\"initPid\"", "\"initPid\": \"x\", \"_\""), good[..(good.Length / 2)],
                     good.Replace("\"initStartTime\"", "\"initStartTime\": 1, \"zz\""), "{\"id\":\"../../etc\",\"initPid\":1}" })
        {
            File.WriteAllText(stateFile, corrupt);
            foreach (var cmd in new[] { "state", "kill", "start", "list" })
            {
                var res = b.Csrun(cmd == "list" ? new[] { "list" } : new[] { cmd, id });
                res.ExitCode.Should().BeOneOf(new[] { 0, 1 }, $"{cmd} on {corrupt[..Math.Min(40, corrupt.Length)]}: {res}");
            }
        }
        // Never signal pid 1 or a recycled pid: a state naming init with a wrong start time is stopped.
        string pointsAtInit = System.Text.RegularExpressions.Regex.Replace(good, "\"initPid\":\\s*\\d+", "\"initPid\": 1");
        pointsAtInit.Should().NotBe(good);
        File.WriteAllText(stateFile, pointsAtInit);
        b.Csrun("kill", id, "KILL").Stderr.Should().Contain("container not running");
        File.WriteAllText(stateFile, good);
    }

    [Fact]
    public void Random_command_lines_never_crash()
    {
        var r = new Random(Seed + 3);
        string[] words = { "create", "start", "run", "state", "kill", "delete", "list", "spec", "exec", "ps", "update", "pause", "resume",
            "features", "--root", "/tmp/csrun-fuzz-root", "--log", "--log-format", "json", "xml", "-b", "--bundle", "/nonexistent",
            "-d", "--force", "--all", "-f", "--format", "table", "SIGKILL", "999", "-1", "--", "--pid-file", "", "../x", "\u00e9",
            "--preserve-fds", "-5", "--debug", "-v", "--help", "--console-socket", "--no-pivot", "-q", "--interval", "--stats" };
        // Its own cwd, one level down: a random word after --log (`../x` too) is a log file csrun creates.
        string top = Directory.CreateTempSubdirectory("csrun-fuzz-cwd-").FullName;
        string cwd = Directory.CreateDirectory(Path.Combine(top, "cwd")).FullName;
        try
        {
            for (int i = 0; i < Cases(150); i++)
            {
                var args = Enumerable.Range(0, r.Next(0, 7)).Select(_ => words[r.Next(words.Length)]).ToArray();
                var res = CsrunCli.Run(args, timeoutMs: 20_000, cwd: cwd);
                // exec's own failures exit 255, as runc's do.
                var allowed = args.Contains("exec") ? new[] { 0, 1, 2, 255 } : new[] { 0, 1, 2 };
                res.ExitCode.Should().BeOneOf(allowed, $"csrun {string.Join(' ', args)}: {res}");
            }
        }
        finally { Directory.Delete(top, true); }
        if (Directory.Exists("/tmp/csrun-fuzz-root")) Directory.Delete("/tmp/csrun-fuzz-root", true);
        File.Delete("/tmp/csrun-fuzz-root"); // a --log of that name
    }
}
