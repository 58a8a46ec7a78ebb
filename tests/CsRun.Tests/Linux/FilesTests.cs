using CsRun.Errors;
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
        act.Should().Throw<RuntimeError>().WithMessage("*no-such-dir/pid*no such file or directory*");
    }

    [Theory]
    [InlineData(0, 100_000, 0)]          // no limit: grows past the first buffer
    [InlineData(100_000, 100_000, 0)]    // exactly the limit
    [InlineData(99_999, 100_000, 27)]    // one byte over: EFBIG
    [InlineData(10, 0, 0)]               // empty
    public void ReadToEnd_reads_an_fd_to_its_end_within_a_limit(long limit, int length, int errno)
    {
        string path = Path.Combine(_tmp, "input");
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
        int fd = Files.TryOpen(path, O.RdOnly);
        try
        {
            int e = limit == 0 ? Files.ReadToEnd(fd, out var data) : Files.ReadToEnd(fd, out data, limit, sizeHint: 4096);
            e.Should().Be(errno);
            if (errno == 0) data.Should().Equal(bytes);
        }
        finally { Files.Close(fd); }
    }

    [Fact]
    public void ReadRegular_reads_an_exactly_sized_file_and_a_procfs_file_whose_size_is_zero()
    {
        string path = Path.Combine(_tmp, "config.json");
        File.WriteAllText(path, "{}");
        var r = Files.ReadRegular(path, 10);
        r.Errno.Should().Be(0);
        r.Data.Should().Equal("{}"u8.ToArray());
        var proc = Files.ReadRegular("/proc/self/status", 1 << 20);
        proc.Errno.Should().Be(0);
        proc.Data.Length.Should().BeGreaterThan(0);
        Files.ReadRegular(path, 1).Errno.Should().Be(Errno.EFBIG);
    }
}
