using CsRun.Cgroups;
using CsRun.Cli;
using CsRun.Spec;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Cgroups;

public class DeviceRuleLineTests
{
    [Fact]
    public void Absent_type_and_numbers_are_wildcards() =>
        DevicesWriter.Line(new DeviceRule { Access = "rwm" }, "f").Should().Be("a *:* rwm");

    [Fact]
    public void Numbers_are_kept() =>
        DevicesWriter.Line(new DeviceRule { Type = "b", Major = 8, Minor = 0, Access = "r" }, "f").Should().Be("b 8:0 r");

    [Theory]
    [InlineData("x", "rwm", "f.type: invalid device type \"x\"")]
    [InlineData("c", "", "f.access: invalid device access \"\"*")]
    [InlineData("c", "rwx", "f.access: invalid device access \"rwx\"*")]
    public void Invalid_rules_name_the_field(string type, string access, string message)
    {
        var act = () => DevicesWriter.Line(new DeviceRule { Type = type, Access = access }, "f");

        act.Should().Throw<RuntimeError>().WithMessage(message);
    }
}
