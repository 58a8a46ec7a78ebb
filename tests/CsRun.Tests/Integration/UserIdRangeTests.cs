using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Integration;

/// <summary>
/// process.user ids above 2^31-1 are refused before anything is made. 4294967295 is (uid_t)-1,
/// which setresuid(2) reads as "leave it as it is": the process used to stay root.
/// </summary>
public class UserIdRangeTests
{
    [Theory]
    [InlineData("uid", "process.user.uid: must be in range 0-2147483647 (got 4294967295)")]
    [InlineData("gid", "process.user.gid: must be in range 0-2147483647 (got 4294967295)")]
    [InlineData("additionalGids", "process.user.additionalGids[1]: must be in range 0-2147483647 (got 4294967295)")]
    public void Create_refuses_an_id_out_of_range_and_leaves_nothing(string field, string message)
    {
        using var b = new Bundle("id");
        var user = b.Config.Process!.User;
        if (field == "uid") user.Uid = uint.MaxValue;
        else if (field == "gid") user.Gid = uint.MaxValue;
        else user.AdditionalGids = new() { 5, uint.MaxValue };
        string log = Path.Combine(b.Dir, "log.json");
        var id = b.NewId();
        var r = b.Csrun("--log", log, "--log-format", "json", "create", "-b", b.Dir, id);
        r.ExitCode.Should().Be(1, r.ToString());
        r.Stderr.Should().Contain(message).And.NotContain("Exception");
        File.ReadAllText(log).Should().Contain(message);
        Leftovers.AssertNone(b, id);
    }

    [Fact]
    public void Run_with_uid_2_to_the_31_is_refused()
    {
        using var b = new Bundle("id", "-u");
        b.Config.Process!.User.Uid = 1u << 31;
        var id = b.NewId();
        var r = b.Csrun("run", "-b", b.Dir, id);
        r.ExitCode.Should().Be(1, r.ToString());
        r.Stdout.Should().BeEmpty("the process must never run");
        r.Stderr.Should().Contain("process.user.uid: must be in range 0-2147483647 (got 2147483648)");
        Leftovers.AssertNone(b, id);
    }

    [Theory]
    [InlineData("4294967295", "process.user.uid: must be in range 0-2147483647 (got 4294967295)")]
    [InlineData("0:4294967295", "process.user.gid: must be in range 0-2147483647 (got 4294967295)")]
    public void Exec_user_flag_out_of_range_is_refused(string user, string message)
    {
        using var b = new Bundle("sleep", "100");
        var id = b.NewId();
        b.Csrun("run", "-d", "-b", b.Dir, id).ExitCode.Should().Be(0);
        var r = b.Csrun("exec", "-u", user, id, "id", "-u");
        r.ExitCode.Should().Be(255, r.ToString());
        r.Stdout.Should().BeEmpty("the process must never run");
        r.Stderr.Should().Contain(message);
        var g = b.Csrun("exec", "-g", "4294967295", id, "id");
        g.ExitCode.Should().Be(255, g.ToString());
        g.Stderr.Should().Contain("process.user.additionalGids[0]: must be in range 0-2147483647 (got 4294967295)");
        b.Csrun("exec", id, "true").ExitCode.Should().Be(0, "the container is untouched");
    }

    [Fact]
    public void Exec_process_file_with_uid_out_of_range_is_refused()
    {
        using var b = new Bundle("sleep", "100");
        var id = b.NewId();
        b.Csrun("run", "-d", "-b", b.Dir, id).ExitCode.Should().Be(0);
        string file = Path.Combine(b.Dir, "process.json");
        File.WriteAllText(file, """{"args":["id","-u"],"cwd":"/","user":{"uid":4294967295,"gid":0}}""");
        var r = b.Csrun("exec", "-p", file, id);
        r.ExitCode.Should().Be(255, r.ToString());
        r.Stdout.Should().BeEmpty("the process must never run");
        r.Stderr.Should().Contain($"{file}: user.uid: must be in range 0-2147483647 (got 4294967295)");
    }
}
