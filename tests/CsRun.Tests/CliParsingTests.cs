using CsRun.Cli;
using CsRun.Errors;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests;

public class CliParsingTests
{
    static readonly FlagSpec[] Flags = { new("bundle", "b", true, ""), new("detach", "d", false, "") };

    [Theory]
    [InlineData("--bundle", "/b", "id")]
    [InlineData("--bundle=/b", "id")]
    [InlineData("-b", "/b", "id")]
    [InlineData("-bundle", "/b", "id")]
    [InlineData("id", "--bundle", "/b")]
    public void Value_flags_take_every_runc_spelling(params string[] argv)
    {
        var p = ParsedArgs.Parse(argv, Flags);
        p.Get("bundle").Should().Be("/b");
        p.Positional.Should().Equal("id");
    }

    [Fact]
    public void Bool_flags_accept_explicit_values()
    {
        ParsedArgs.Parse(new[] { "-d", "x" }, Flags).Bool("detach").Should().BeTrue();
        ParsedArgs.Parse(new[] { "--detach=false", "x" }, Flags).Bool("detach").Should().BeFalse();
    }

    [Fact]
    public void Unknown_flag_is_an_error_in_runc_words()
    {
        var act = () => ParsedArgs.Parse(new[] { "--nope" }, Flags);
        act.Should().Throw<RuntimeError>().WithMessage("flag provided but not defined: -nope");
    }

    [Fact]
    public void Double_dash_ends_flags()
    {
        var p = ParsedArgs.Parse(new[] { "--", "-d" }, Flags);
        p.Positional.Should().Equal("-d");
        p.Has("detach").Should().BeFalse();
    }
}
