using CsRun.Spec;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Spec;

public class CapabilityNamesTests
{
    [Theory]
    [InlineData("CAP_CHOWN", 0)]
    [InlineData("CAP_KILL", 5)]
    [InlineData("CAP_NET_BIND_SERVICE", 10)]
    [InlineData("CAP_SYS_ADMIN", 21)]
    [InlineData("CAP_AUDIT_WRITE", 29)]
    [InlineData("CAP_SETFCAP", 31)]
    [InlineData("CAP_AUDIT_READ", 37)]
    [InlineData("CAP_PERFMON", 38)]
    [InlineData("CAP_BPF", 39)]
    [InlineData("CAP_CHECKPOINT_RESTORE", 40)]
    public void Names_map_to_the_kernel_numbers(string name, int number)
    {
        CapabilityNames.TryParse(name, out int n).Should().BeTrue();
        n.Should().Be(number);
        CapabilityNames.NameOf(number).Should().Be(name);
    }

    [Theory]
    [InlineData("CAP_NOPE")]
    [InlineData("cap_chown")]
    [InlineData("CHOWN")]
    [InlineData("")]
    public void Unknown_names_do_not_parse(string name) => CapabilityNames.TryParse(name, out _).Should().BeFalse();

    [Fact]
    public void The_table_covers_0_to_40_without_gaps()
    {
        CapabilityNames.Last.Should().Be(40);
        CapabilityNames.All.Should().HaveCount(41).And.OnlyHaveUniqueItems();
        CapabilityNames.NameOf(41).Should().BeNull();
        CapabilityNames.NameOf(-1).Should().BeNull();
    }

    [Fact]
    public void The_table_matches_the_installed_kernel_header_when_there_is_one()
    {
        const string header = "/usr/include/linux/capability.h";
        if (!File.Exists(header)) return;
        var defines = File.ReadLines(header)
            .Select(l => l.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            .Where(p => p.Length == 3 && p[0] == "#define" && p[1].StartsWith("CAP_") && int.TryParse(p[2], out _))
            .ToDictionary(p => p[1], p => int.Parse(p[2]));
        foreach (var (name, number) in defines.Where(d => d.Value <= CapabilityNames.Last))
            CapabilityNames.NameOf(number).Should().Be(name);
    }

    [Fact]
    public void ToMask_sets_known_bits_and_collects_unknown_names()
    {
        var unknown = new List<string>();
        ulong mask = CapabilityNames.ToMask(new[] { "CAP_CHOWN", "CAP_KILL", "CAP_FUTURE", "CAP_CHECKPOINT_RESTORE", "CAP_FUTURE" }, unknown);
        mask.Should().Be(1UL << 0 | 1UL << 5 | 1UL << 40);
        unknown.Should().Equal("CAP_FUTURE");
        CapabilityNames.ToMask(null, unknown).Should().Be(0);
    }
}
