using CsRun.Cgroups;
using CsRun.Errors;
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

    /// <summary>runc 1.1.5 (v1): any order, repeats, and characters other than r, w, m ignored.</summary>
    [Theory]
    [InlineData("rwa", "rw")]
    [InlineData("mrw", "rwm")]
    [InlineData("rrw", "rw")]
    [InlineData("rw ", "rw")]
    public void Access_is_written_as_the_kernel_takes_it(string access, string written) =>
        DevicesWriter.Line(new DeviceRule { Type = "c", Major = 4, Minor = 5, Access = access }, "f").Should().Be($"c 4:5 {written}");

    [Theory]
    [InlineData("x", "rwm", "f.type: invalid device type \"x\"")]
    [InlineData("c", "", "f.access: invalid device access \"\"*")]
    [InlineData("c", "xa", "f.access: invalid device access \"xa\"*")]
    public void Invalid_rules_name_the_field(string type, string access, string message)
    {
        var act = () => DevicesWriter.Line(new DeviceRule { Type = type, Access = access }, "f");

        act.Should().Throw<RuntimeError>().WithMessage(message);
    }
}
