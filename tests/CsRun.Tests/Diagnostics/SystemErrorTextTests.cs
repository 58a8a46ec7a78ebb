using CsRun.Diagnostics;
using CsRun.Errors;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Diagnostics;

/// <summary>.NET I/O exceptions reach the user in runc's shape, "op path: strerror", whether the
/// message is .NET's text (JIT) or the resource key the AOT binary keeps.</summary>
public class SystemErrorTextTests
{
    [Theory]
    [InlineData("UnauthorizedAccess_IODenied_Path, /run/csrun")]
    [InlineData("Access to the path '/run/csrun' is denied.")]
    public void Access_denied_names_the_path_and_eacces(string message)
    {
        SystemErrorText.Of(new UnauthorizedAccessException(message), "mkdir").Should().Be("mkdir /run/csrun: permission denied");
        SystemErrorText.Of(new UnauthorizedAccessException(message)).Should().Be("/run/csrun: permission denied");
    }

    [Fact]
    public void An_io_error_keeps_its_errno_and_a_given_path_wins()
    {
        SystemErrorText.Of(new IOException("IO_FileExists_Name, /x", 17), "open", "/y").Should().Be("open /y: file exists");
        SystemErrorText.Of(new DirectoryNotFoundException("IO_PathNotFound_Path, /a/b")).Should().Be("/a/b: no such file or directory");
        SystemErrorText.Of(new RuntimeError("kept as is")).Should().Be("kept as is");
    }
}
