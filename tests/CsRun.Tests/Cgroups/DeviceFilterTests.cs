using CsRun.Cgroups;
using CsRun.Errors;
using CsRun.Spec;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Cgroups;

/// <summary>
/// The v2 device program compiled from rule lists: the emulated v1 semantics (last rule wins,
/// "a" resets, default deny) and the exact instruction stream, which follows runc's.
/// </summary>
public class DeviceFilterTests
{
    const string Prologue =
        "0: r2 = *(u32 *)(r1 + 0)\n" +
        "1: w2 &= 65535\n" +
        "2: r3 = *(u32 *)(r1 + 0)\n" +
        "3: w3 >>= 16\n" +
        "4: r4 = *(u32 *)(r1 + 4)\n" +
        "5: r5 = *(u32 *)(r1 + 8)\n";

    static DeviceRule Rule(bool allow, string? type, long? major, long? minor, string access) =>
        new() { Allow = allow, Type = type, Major = major, Minor = minor, Access = access };

    static string Program(params DeviceRule[] rules) => DeviceFilter.Describe(DeviceFilter.Compile(rules));

    [Fact]
    public void No_rules_deny_everything() =>
        Program().Should().Be(Prologue + "6: w0 = 0\n7: exit\n");

    [Fact]
    public void Allow_all_allows_everything() =>
        Program(Rule(true, "a", null, null, "rwm")).Should().Be(Prologue + "6: w0 = 1\n7: exit\n");

    [Fact]
    public void Deny_all_then_one_device_allows_that_device_only() =>
        Program(Rule(false, null, null, null, "rwm"), Rule(true, "c", 1, 3, "rwm")).Should().Be(Prologue +
            "6: if r2 != 2 goto 11\n" +
            "7: if r4 != 1 goto 11\n" +
            "8: if r5 != 3 goto 11\n" +
            "9: w0 = 1\n" +
            "10: exit\n" +
            "11: w0 = 0\n" +
            "12: exit\n");

    [Fact]
    public void Partial_access_is_checked_against_the_request() =>
        Program(Rule(true, "b", 8, null, "rw")).Should().Be(Prologue +
            "6: if r2 != 1 goto 13\n" +
            "7: w1 = w3\n" +
            "8: w1 &= 6\n" +
            "9: if r1 != r3 goto 13\n" +
            "10: if r4 != 8 goto 13\n" +
            "11: w0 = 1\n" +
            "12: exit\n" +
            "13: w0 = 0\n" +
            "14: exit\n");

    [Fact]
    public void Allow_all_but_one_block_device_denies_it() =>
        Program(Rule(true, "a", null, null, "rwm"), Rule(false, "b", 8, 0, "rwm")).Should().Be(Prologue +
            "6: if r2 != 1 goto 11\n" +
            "7: if r4 != 8 goto 11\n" +
            "8: if r5 != 0 goto 11\n" +
            "9: w0 = 0\n" +
            "10: exit\n" +
            "11: w0 = 1\n" +
            "12: exit\n");

    [Fact]
    public void A_type_a_rule_forgets_everything_before_it() =>
        // b 8:1 is denied before the reset and so allowed after it; b 8:2 stays denied.
        Program(Rule(false, "b", 8, 1, "rwm"), Rule(true, "a", null, null, "rwm"), Rule(false, "b", 8, 2, "rwm"))
            .Should().Be(Program(Rule(true, "a", null, null, "rwm"), Rule(false, "b", 8, 2, "rwm")));

    [Fact]
    public void A_later_rule_takes_access_back()
    {
        var emu = DeviceEmulator.From(new[] { Rule(true, "c", 1, 3, "rwm"), Rule(false, "c", 1, 3, "w") });

        emu.Exceptions().Select(e => e.ToString()).Should().Equal("c 1:3 rm");
        DeviceEmulator.From(new[] { Rule(true, "c", 1, 3, "rwm"), Rule(false, "c", 1, 3, "rwm") }).Exceptions().Should().BeEmpty();
    }

    [Fact]
    public void Same_device_rules_merge_their_access() =>
        DeviceEmulator.From(new[] { Rule(true, "c", 1, 3, "r"), Rule(true, "c", 1, 3, "m") })
            .Exceptions().Select(e => e.ToString()).Should().Equal("c 1:3 rm");

    [Fact]
    public void Punching_a_hole_into_a_wildcard_is_refused()
    {
        var act = () => DeviceFilter.Compile(new[] { Rule(true, "c", 1, null, "rwm"), Rule(false, "c", 1, 3, "r") });

        act.Should().Throw<RuntimeError>()
            .WithMessage("linux.resources.devices[1]: rule \"c 1:3 r\" would punch a hole in the wider rule \"c 1:* rwm\"*");
    }

    [Theory]
    [InlineData("u", "rwm", "linux.resources.devices[0].type: invalid device type \"u\"")]
    [InlineData("c", "", "linux.resources.devices[0].access: invalid device access \"\"*")]
    [InlineData("c", "RW", "linux.resources.devices[0].access: invalid device access \"RW\"*")]
    public void Invalid_rules_name_the_field(string type, string access, string message)
    {
        var act = () => DeviceFilter.Compile(new[] { Rule(true, type, 1, 3, access) });

        act.Should().Throw<RuntimeError>().WithMessage(message);
    }

    /// <summary>runc's default rules: mknod of any device, then the usual nodes, sorted by number.</summary>
    [Fact]
    public void Default_rules()
    {
        string expected = Prologue;
        int at = 6;
        void Block(string lines)
        {
            var l = lines.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            int next = at + l.Length;
            foreach (string line in l) expected += $"{at++}: {line.Replace("NEXT", next.ToString())}\n";
        }
        Block("if r2 != 1 goto NEXT\nw1 = w3\nw1 &= 1\nif r1 != r3 goto NEXT\nw0 = 1\nexit");   // b *:* m
        Block("if r2 != 2 goto NEXT\nw1 = w3\nw1 &= 1\nif r1 != r3 goto NEXT\nw0 = 1\nexit");   // c *:* m
        foreach (var (major, minor) in new[] { (1, 3), (1, 5), (1, 7), (1, 8), (1, 9), (5, 0), (5, 2), (10, 200) })
            Block($"if r2 != 2 goto NEXT\nif r4 != {major} goto NEXT\nif r5 != {minor} goto NEXT\nw0 = 1\nexit");
        Block("if r2 != 2 goto NEXT\nif r4 != 136 goto NEXT\nw0 = 1\nexit");                       // c 136:* (ptys)
        expected += $"{at}: w0 = 0\n{at + 1}: exit\n";

        var program = DeviceFilter.Compile(DefaultDeviceRules.Complete(null).Devices);

        DeviceFilter.Describe(program).Should().Be(expected);
        program.Should().HaveCount(64);
    }

    [Fact]
    public void Instructions_are_encoded_as_struct_bpf_insn()
    {
        var p = DeviceFilter.Compile(new[] { Rule(true, "c", 1, 3, "rwm") });

        p[0].Should().Be(0x0000_0000_0000_1261UL);   // ldxw r2, [r1+0]
        p[1].Should().Be(0x0000_FFFF_0000_0254UL);   // and32 r2, 0xffff
        p[4].Should().Be(0x0000_0000_0004_1461UL);   // ldxw r4, [r1+4]
        p[6].Should().Be(0x0000_0002_0004_0255UL);   // jne r2, 2, +4
        p[9].Should().Be(0x0000_0001_0000_00b4UL);   // mov32 r0, 1
        p[10].Should().Be(0x95UL);                   // exit
    }
}
