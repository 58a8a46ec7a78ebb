using CsRun.Linux;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Linux;

/// <summary>The raw-call file helpers, on a real file system.</summary>
public class FilesTests : IDisposable
{
    readonly string _tmp = Directory.CreateTempSubdirectory("csrun-files-").FullName;

    public void Dispose() => Directory.Delete(_tmp, recursive: true);

    [Fact]
    public void RemoveTree_removes_files_fifos_and_subdirectories_and_never_follows_a_link()
    {
        string outside = Path.Combine(_tmp, "outside");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "keep"), "x");
        string dir = Path.Combine(_tmp, "state");
        Directory.CreateDirectory(Path.Combine(dir, "sub", "deeper"));
        File.WriteAllText(Path.Combine(dir, "state.json"), "{}");
        File.WriteAllText(Path.Combine(dir, "sub", "deeper", "f"), "y");
        Files.Mkfifo(Path.Combine(dir, "exec.fifo"), 0x180);
        File.CreateSymbolicLink(Path.Combine(dir, "link"), outside);
        for (int i = 0; i < 300; i++) File.WriteAllText(Path.Combine(dir, $"many-{i:D3}-with-a-longer-name"), "");

        Files.RemoveTree(dir).Should().Be(0);

        Directory.Exists(dir).Should().BeFalse();
        File.ReadAllText(Path.Combine(outside, "keep")).Should().Be("x");
        Files.RemoveTree(dir).Should().Be(0, "a missing directory is already removed");
    }

    [Fact]
    public void WriteAtomic_replaces_the_file_and_leaves_no_temp_file()
    {
        string path = Path.Combine(_tmp, "pid");
        Files.WriteAtomic(path, "1");
        Files.WriteAtomic(path, "12345"u8);
        File.ReadAllText(path).Should().Be("12345");
        Directory.GetFiles(_tmp).Should().Equal(path);
        var act = () => Files.WriteAtomic(Path.Combine(_tmp, "no-such-dir", "pid"), "1");
        act.Should().Throw<CsRun.Cli.RuntimeError>().WithMessage("*no-such-dir/pid*no such file or directory*");
    }
}
