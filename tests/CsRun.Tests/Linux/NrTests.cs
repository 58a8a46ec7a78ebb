using System.Reflection;
using System.Text.RegularExpressions;
using CsRun.Linux;
using CsRun.Tests.Integration;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Linux;

/// <summary>
/// The per-architecture syscall tables (src/CsRun/Linux/Nr.cs) against the kernel's headers
/// (linux-libc-dev, which the build deps bring): x86_64's asm/unistd_64.h for the compiled table,
/// asm-generic/unistd.h for the arm64 one (read from the source: this host compiles x86_64).
/// </summary>
public partial class NrTests
{
    static readonly string NrSource = Path.Combine(TestHost.RepoRoot, "src", "CsRun", "Linux", "Nr.cs");

    // Names whose kernel spelling is not the C# name in snake_case.
    static readonly Dictionary<string, string> KernelNames = new()
    {
        ["Memfd"] = "memfd_create", ["Pread64"] = "pread64", ["Prlimit64"] = "prlimit64", ["Getdents64"] = "getdents64",
        ["Umount2"] = "umount2", ["Signalfd4"] = "signalfd4", ["Eventfd2"] = "eventfd2", ["InotifyInit1"] = "inotify_init1",
        ["Faccessat2"] = "faccessat2", ["Openat2"] = "openat2", ["Clone3"] = "clone3", ["Dup3"] = "dup3", ["Pipe2"] = "pipe2",
    };

    static string KernelName(string name) =>
        KernelNames.TryGetValue(name, out var k) ? k : SnakeCase().Replace(name, "_$1").ToLowerInvariant();

    static Dictionary<string, long> Header(string path, string prefix)
    {
        var d = new Dictionary<string, long>();
        foreach (Match m in Regex.Matches(File.ReadAllText(path), $@"#define {prefix}(\w+)\s+(\d+)\b"))
            d.TryAdd(m.Groups[1].Value, long.Parse(m.Groups[1 + 1].Value));
        return d;
    }

    /// <summary>The constants of one arm of Nr.cs's #if ARM64.</summary>
    static Dictionary<string, long> SourceTable(bool arm64)
    {
        string src = File.ReadAllText(NrSource);
        int ifAt = src.IndexOf("#if ARM64", StringComparison.Ordinal), elseAt = src.IndexOf("#else", StringComparison.Ordinal);
        ifAt.Should().BeGreaterThan(0, "Nr.cs has an arm64 table");
        string part = arm64 ? src[ifAt..elseAt] : src[elseAt..];
        return ConstPattern().Matches(part).ToDictionary(m => m.Groups[1].Value, m => long.Parse(m.Groups[2].Value));
    }

    [Fact]
    public void The_compiled_x86_64_numbers_are_the_kernels()
    {
        var x86 = Header("/usr/include/x86_64-linux-gnu/asm/unistd_64.h", "__NR_");
        var fields = typeof(Nr).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).ToList();
        fields.Should().NotBeEmpty();
        foreach (var f in fields)
        {
            string k = f.Name == "Newfstatat" ? "newfstatat" : KernelName(f.Name);
            x86.Should().ContainKey(k, $"Nr.{f.Name}");
            ((long)f.GetRawConstantValue()!).Should().Be(x86[k], $"Nr.{f.Name} is __NR_{k}");
        }
    }

    [Fact]
    public void The_arm64_numbers_are_asm_generic_ones_and_name_the_same_calls()
    {
        // asm-generic spells the 64-bit-only calls __NR3264_ (fstatat is newfstatat on 64-bit).
        var generic = Header("/usr/include/asm-generic/unistd.h", "__NR3264_");
        foreach (var (k, v) in Header("/usr/include/asm-generic/unistd.h", "__NR_")) generic.TryAdd(k, v);
        var arm = SourceTable(arm64: true);
        var x86 = SourceTable(arm64: false);
        arm.Keys.Should().BeEquivalentTo(x86.Keys, "both tables name the same calls, so code builds for both");
        foreach (var (name, value) in arm)
        {
            string k = name == "Newfstatat" ? "fstatat" : KernelName(name);
            generic.Should().ContainKey(k, $"Nr.{name} on arm64");
            value.Should().Be(generic[k], $"Nr.{name} on arm64 is __NR_{k}");
        }
    }

    [Fact]
    public void No_call_arm64_lacks_is_named_and_no_bare_number_is_called()
    {
        string[] legacy = ["Open", "Stat", "Lstat", "Poll", "Access", "Pipe", "Dup2", "Fork", "Rename", "Mkdir", "Rmdir",
            "Unlink", "Symlink", "Readlink", "Chmod", "Chown", "Mknod", "Getdents", "Select", "Epoll_wait", "Vfork"];
        typeof(Nr).GetFields().Select(f => f.Name).Should().NotContain(legacy);
        var bare = new List<string>();
        foreach (string file in Directory.EnumerateFiles(Path.Combine(TestHost.RepoRoot, "src", "CsRun"), "*.cs", SearchOption.AllDirectories))
        {
            if (file.EndsWith("Nr.cs", StringComparison.Ordinal)) continue;
            foreach (Match m in BareCall().Matches(File.ReadAllText(file)))
                bare.Add($"{Path.GetFileName(file)}: {m.Value}");
        }
        bare.Should().BeEmpty("syscall numbers live in Linux/Nr.cs, one table per architecture");
    }

    [GeneratedRegex(@"(?<!^)([A-Z])")]
    private static partial Regex SnakeCase();

    [GeneratedRegex(@"\b(\w+) = (\d+)\b")]
    private static partial Regex ConstPattern();

    // Libc.Sys(44 ...) or Libc.Raw(NrSendto ...): a number, or a constant that is not Nr's.
    [GeneratedRegex(@"Libc\.(Sys|Raw|SysRetry|RawRetry)\(\s*(\d+|(?!Nr\.|Linux\.Nr\.|CsRun\.Linux\.Nr\.)[A-Za-z_][\w.]*)")]
    private static partial Regex BareCall();
}
