using System.Text.Json.Nodes;
using CsRun.Errors;
using CsRun.Seccomp;
using CsRun.Tests.Spec;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Seccomp;

/// <summary>
/// The compiled-filter cache under the state root: a hit gives the very bytes a fresh compile
/// gives, any change of input misses, and nothing but an intact entry of csrun's own, for the
/// same key, in csrun's own 0700 directory, is ever used.
/// </summary>
public sealed class SeccompCacheTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("csrun-seccache-").FullName;
    string CacheDir => Path.Combine(_root, SeccompCache.DirName);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>The profile of the realistic bundle (podman 4.3's `podman run busybox true`).</summary>
    static string RealisticProfile() =>
        JsonNode.Parse(File.ReadAllText(Fixtures.PathOf("valid/podman-run-busybox-true.json")))!["linux"]!["seccomp"]!.ToJsonString();

    static string FixtureProfile(string file) => File.ReadAllText(Fixtures.PathOf("seccomp/" + file));

    const string WithArgs = """
        {"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,"architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86"],
         "flags":["SECCOMP_FILTER_FLAG_LOG"],
         "syscalls":[{"names":["read","write","exit_group"],"action":"SCMP_ACT_ALLOW"},
          {"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":0,"op":"SCMP_CMP_EQ"},{"index":0,"value":8,"op":"SCMP_CMP_EQ"}]},
          {"names":["socket"],"action":"SCMP_ACT_ERRNO","errnoRet":97,"args":[{"index":0,"value":40,"op":"SCMP_CMP_EQ"}]},
          {"names":["clone"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":2114060288,"valueTwo":0,"op":"SCMP_CMP_MASKED_EQ"}]}]}
        """;

    const string WithNotify = """
        {"defaultAction":"SCMP_ACT_ALLOW","listenerPath":"/run/agent.sock",
         "syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_NOTIFY"}]}
        """;

    public static TheoryData<string> ProfileNames => new() { "realistic", "docker-default.json", "podman-default.json", "containers-common-default.json", "args", "notify" };

    static string ProfileNamed(string name) => name switch
    {
        "realistic" => RealisticProfile(),
        "args" => WithArgs,
        "notify" => WithNotify,
        _ => FixtureProfile(name),
    };

    static void ShouldBeSame(CompiledSeccomp actual, CompiledSeccomp expected)
    {
        actual.Bpf.Should().Equal(expected.Bpf);
        actual.Flags.Should().Be(expected.Flags);
        actual.UsesNotify.Should().Be(expected.UsesNotify);
    }

    [Theory]
    [MemberData(nameof(ProfileNames))]
    public void A_cached_filter_is_byte_identical_to_a_fresh_compile(string name)
    {
        var profile = Profiles.Parse(ProfileNamed(name));
        var fresh = SeccompCompiler.Compile(profile);
        var first = SeccompCompiler.Compile(profile, _root);
        Directory.GetFiles(CacheDir).Should().ContainSingle("the first compile stores its filter");
        var cached = SeccompCompiler.Compile(Profiles.Parse(ProfileNamed(name)), _root);
        ShouldBeSame(first, fresh);
        ShouldBeSame(cached, fresh);
        // The file is what a hit reads: decoding it gives the same filter.
        byte[] key = SeccompCacheKey.For(profile)!;
        string entry = Path.Combine(CacheDir, Convert.ToHexStringLower(key));
        ShouldBeSame(SeccompCacheEntry.Decode(File.ReadAllBytes(entry), key, out _)!, fresh);
    }

    [Fact]
    public void A_hit_is_read_from_the_entry_not_compiled()
    {
        var profile = Profiles.Parse(WithArgs);
        byte[] key = SeccompCacheKey.For(profile)!;
        SeccompCompiler.Compile(profile, _root);
        // An entry this test wrote for the key (as only the directory's owner can): it is used as is.
        var planted = new CompiledSeccomp(SeccompCompiler.Compile(Profiles.Parse("""{"defaultAction":"SCMP_ACT_ALLOW"}""")).Bpf, 0, false);
        File.WriteAllBytes(Path.Combine(CacheDir, Convert.ToHexStringLower(key)), SeccompCacheEntry.Encode(key, planted));
        ShouldBeSame(SeccompCompiler.Compile(profile, _root), planted);
    }

    /// <summary>Every input of the compile, changed one at a time, changes the key.</summary>
    public static TheoryData<string, string> Changes => new()
    {
        { "defaultAction", """{"defaultAction":"SCMP_ACT_TRACE"}""" },
        { "defaultErrnoRet", """{"defaultErrnoRet":38}""" },
        { "defaultErrnoRet absent", """{"defaultErrnoRet":null}""" },
        { "an architecture more", """{"architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86","SCMP_ARCH_X32"]}""" },
        { "architectures reordered", """{"architectures":["SCMP_ARCH_X86","SCMP_ARCH_X86_64"]}""" },
        { "architectures absent", """{"architectures":null}""" },
        { "a flag more", """{"flags":["SECCOMP_FILTER_FLAG_LOG","SECCOMP_FILTER_FLAG_SPEC_ALLOW"]}""" },
        { "flags empty", """{"flags":[]}""" },
        { "flags absent", """{"flags":null}""" },
        { "listenerPath set", """{"listenerPath":"/run/agent.sock"}""" },
        { "a rule's action", """{"syscalls/2/action":"SCMP_ACT_TRACE"}""" },
        { "a rule's errnoRet", """{"syscalls/2/errnoRet":98}""" },
        { "a rule's errnoRet absent", """{"syscalls/2/errnoRet":null}""" },
        { "a rule's names", """{"syscalls/0/names":["read","write","exit"]}""" },
        { "a rule's names reordered", """{"syscalls/0/names":["write","read","exit_group"]}""" },
        { "an arg's value", """{"syscalls/2/args/0/value":41}""" },
        { "an arg's valueTwo", """{"syscalls/3/args/0/valueTwo":1}""" },
        { "an arg's index", """{"syscalls/2/args/0/index":1}""" },
        { "an arg's op", """{"syscalls/2/args/0/op":"SCMP_CMP_NE"}""" },
        { "an arg more", """{"syscalls/2/args/1":{"index":1,"value":0,"op":"SCMP_CMP_EQ"}}""" },
        { "a rule more", """{"syscalls/4":{"names":["personality"],"action":"SCMP_ACT_ALLOW"}}""" },
    };

    static string Changed(string json, string change)
    {
        var root = JsonNode.Parse(json)!.AsObject();
        foreach (var (path, value) in JsonNode.Parse(change)!.AsObject())
        {
            var parts = path.Split('/');
            JsonNode node = root;
            foreach (var p in parts[..^1]) node = int.TryParse(p, out int i) ? node[i]! : node[p]!;
            string last = parts[^1];
            var copy = value?.DeepClone();
            if (node is JsonArray a)
            {
                int i = int.Parse(last);
                if (i == a.Count) a.Add(copy); else a[i] = copy;
            }
            else node[last] = copy;
        }
        return root.ToJsonString();
    }

    [Theory]
    [MemberData(nameof(Changes))]
    public void Any_changed_input_misses_and_compiles_the_changed_profile(string what, string change)
    {
        var original = Profiles.Parse(WithArgs);
        var changed = Profiles.Parse(Changed(WithArgs, change));
        SeccompCacheKey.For(changed).Should().NotEqual(SeccompCacheKey.For(original)!, what);
        SeccompCompiler.Compile(original, _root);
        ShouldBeSame(SeccompCompiler.Compile(changed, _root), SeccompCompiler.Compile(changed));
        Directory.GetFiles(CacheDir).Should().HaveCount(2, what);
    }

    [Fact]
    public void The_environment_is_part_of_the_key()
    {
        var profile = Profiles.Parse(WithArgs);
        byte[] env = SeccompCacheKey.Environment(BuildId.Current!);
        SeccompCacheKey.For(profile).Should().Equal(SeccompCacheKey.For(profile, env));
        var keys = new[]
        {
            SeccompCacheKey.For(profile, env),
            SeccompCacheKey.For(profile, SeccompCacheKey.Environment([.. BuildId.Current!, 1])),
            SeccompCacheKey.For(profile, [.. env, 0]),
        };
        keys.Select(Convert.ToHexString).Should().OnlyHaveUniqueItems("another csrun build or another libseccomp, architecture or API level is another key");
    }

    [Fact]
    public void The_build_id_is_the_programs_gnu_build_id() =>
        BuildId.Current.Should().NotBeNull().And.Subject.Should().HaveCountGreaterThanOrEqualTo(20);

    /// <summary>Damaged entries are never loaded: each is ignored, compiled afresh and replaced.</summary>
    [Theory]
    [InlineData("forged header: another key")]
    [InlineData("cut short")]
    [InlineData("a byte more")]
    [InlineData("a BPF byte changed")]
    [InlineData("instruction count changed")]
    [InlineData("empty")]
    [InlineData("not an entry")]
    public void A_damaged_or_mismatched_entry_is_ignored_and_replaced(string damage)
    {
        var profile = Profiles.Parse(WithArgs);
        byte[] key = SeccompCacheKey.For(profile)!;
        var fresh = SeccompCompiler.Compile(profile);
        var other = SeccompCompiler.Compile(Profiles.Parse("""{"defaultAction":"SCMP_ACT_ALLOW"}"""));
        byte[] good = SeccompCacheEntry.Encode(key, fresh);
        byte[] bad = damage switch
        {
            "forged header: another key" => SeccompCacheEntry.Encode(SeccompCacheKey.For(Profiles.Parse("""{"defaultAction":"SCMP_ACT_ALLOW"}"""))!, other),
            "cut short" => good[..^8],
            "a byte more" => [.. good, 0],
            "a BPF byte changed" => Flip(good, good.Length - 3),
            "instruction count changed" => Flip(good, SeccompCacheEntry.HeaderSize - Sha256.Size - 4),
            "empty" => [],
            _ => "csrunbpf is not what this file is"u8.ToArray(),
        };
        SeccompCacheEntry.Decode(bad, key, out string why).Should().BeNull();
        why.Should().NotBeEmpty();
        SeccompCompiler.Compile(profile, _root);
        string entry = Path.Combine(CacheDir, Convert.ToHexStringLower(key));
        File.WriteAllBytes(entry, bad);
        ShouldBeSame(SeccompCompiler.Compile(profile, _root), fresh);
        File.ReadAllBytes(entry).Should().Equal(good, "the damaged entry is written over");
    }

    static byte[] Flip(byte[] b, int at)
    {
        var c = (byte[])b.Clone();
        c[at] ^= 0x01;
        return c;
    }

    /// <summary>Who may write the directory decides what containers get: a directory or entry
    /// someone else could have written is not used (the filter is compiled, and not stored).</summary>
    [Theory]
    [InlineData("directory open to others")]
    [InlineData("directory of another uid")]
    [InlineData("directory is a symlink")]
    [InlineData("entry writable by others")]
    [InlineData("entry of another uid")]
    [InlineData("entry is a symlink")]
    [InlineData("entry has a second link")]
    [InlineData("entry is a fifo")]
    public void An_entry_or_directory_others_could_write_is_not_used(string setup)
    {
        var profile = Profiles.Parse(WithArgs);
        byte[] key = SeccompCacheKey.For(profile)!;
        string name = Convert.ToHexStringLower(key);
        var fresh = SeccompCompiler.Compile(profile);
        var allowAll = new CompiledSeccomp(SeccompCompiler.Compile(Profiles.Parse("""{"defaultAction":"SCMP_ACT_ALLOW"}""")).Bpf, fresh.Flags, false);
        byte[] planted = SeccompCacheEntry.Encode(key, allowAll);
        string elsewhere = Path.Combine(_root, "elsewhere");
        Directory.CreateDirectory(elsewhere);
        File.WriteAllBytes(Path.Combine(elsewhere, name), planted);
        string entry = Path.Combine(CacheDir, name);
        switch (setup)
        {
            case "directory is a symlink":
                File.SetUnixFileMode(elsewhere, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                Directory.CreateSymbolicLink(CacheDir, elsewhere);
                break;
            default:
                Directory.CreateDirectory(CacheDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                if (setup == "entry is a symlink") File.CreateSymbolicLink(entry, Path.Combine(elsewhere, name));
                else if (setup == "entry has a second link") Link(Path.Combine(elsewhere, name), entry);
                else if (setup == "entry is a fifo") Mkfifo(entry);
                else File.WriteAllBytes(entry, planted);
                break;
        }
        if (setup == "directory open to others") File.SetUnixFileMode(CacheDir, (UnixFileMode)0x1ff);
        if (setup == "directory of another uid") Chown(CacheDir, 65534);
        if (setup == "entry writable by others") File.SetUnixFileMode(entry, (UnixFileMode)0x1b6);
        if (setup == "entry of another uid") Chown(entry, 65534);

        ShouldBeSame(SeccompCompiler.Compile(profile, _root), fresh);
        if (setup.StartsWith("directory"))
            File.ReadAllBytes(entry).Should().Equal(planted, "nothing is written into an untrusted directory");
    }

    [Fact]
    public void A_refused_profile_is_not_stored_and_is_refused_every_time()
    {
        string bad = Changed(WithArgs, """{"syscalls/2/args/0/index":6}""");
        for (int i = 0; i < 2; i++)
            FluentActions.Invoking(() => SeccompCompiler.Compile(Profiles.Parse(bad), _root)).Should()
                .Throw<RuntimeError>().WithMessage("linux.seccomp.syscalls[2].args[0].index: 6 is out of range*");
        Directory.GetFiles(CacheDir).Should().BeEmpty();
    }

    [Fact]
    public void A_root_that_cannot_hold_the_cache_means_a_plain_compile()
    {
        var profile = Profiles.Parse(WithArgs);
        string file = Path.Combine(_root, "a-file");
        File.WriteAllText(file, "");
        ShouldBeSame(SeccompCompiler.Compile(profile, file), SeccompCompiler.Compile(profile));
        ShouldBeSame(SeccompCompiler.Compile(profile, Path.Combine(_root, "missing")), SeccompCompiler.Compile(profile));
        Directory.Exists(Path.Combine(_root, "missing")).Should().BeFalse();
    }

    [Fact]
    public void The_directory_stays_small()
    {
        for (int i = 0; i < 70; i++)
            SeccompCompiler.Compile(Profiles.Parse($$"""{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["getppid"],"action":"SCMP_ACT_ERRNO","errnoRet":{{i + 1}}}]}"""), _root);
        Directory.GetFiles(CacheDir).Length.Should().BeInRange(1, 64);
        Directory.GetFiles(CacheDir).Should().NotContain(f => Path.GetFileName(f).EndsWith(".tmp"));
    }

    /// <summary>Against .NET's own SHA-256 (OpenSSL, which the test host may use), across block boundaries.</summary>
    [Fact]
    public void Sha256_matches_the_reference()
    {
        var rng = new Random(14);
        foreach (int n in new[] { 0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, 11408, 100_000 })
        {
            var data = new byte[n];
            rng.NextBytes(data);
            Sha256.Hash(data).Should().Equal(System.Security.Cryptography.SHA256.HashData(data), $"{n} bytes");
        }
        Convert.ToHexStringLower(Sha256.Hash("abc"u8)).Should().Be("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    static void Chown(string path, int uid)
    {
        var r = CliRun("chown", uid.ToString(), path);
        r.Should().Be(0);
    }

    static void Link(string from, string to) => CliRun("ln", from, to).Should().Be(0);
    static void Mkfifo(string path) => CliRun("mkfifo", path).Should().Be(0);

    static int CliRun(string file, params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(file);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        p.WaitForExit();
        return p.ExitCode;
    }
}
