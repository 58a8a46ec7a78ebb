using System.Text;
using CsRun.Cli;
using CsRun.Errors;
using CsRun.Linux;
using CsRun.Spec;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Spec;

public class ConfigLoaderTests
{
    static Config Parse(string json) => ConfigLoader.Parse(Encoding.UTF8.GetBytes(json));

    [Theory]
    [InlineData("""{"process":{"args":"sh"}}""", "process.args: must be an array of strings")]
    [InlineData("""{"process":{"args":["sh",1]}}""", "process.args: must be an array of strings")]
    [InlineData("""{"process":{"args":[null]}}""", "process.args: must be an array of strings")]
    [InlineData("""{"linux":{"uidMappings":[{"containerID":0,"hostID":0,"size":"x"}]}}""", "linux.uidMappings[0].size: must be a number")]
    [InlineData("""{"linux":{"uidMappings":[{"size":-1}]}}""", "linux.uidMappings[0].size: must be an integer from 0 to 4294967295")]
    [InlineData("""{"linux":{"uidMappings":[{"size":1.5}]}}""", "linux.uidMappings[0].size: must be an integer from 0 to 4294967295")]
    [InlineData("""{"linux":{"uidMappings":{}}}""", "linux.uidMappings: must be an array of objects")]
    [InlineData("""{"mounts":["x"]}""", "mounts[0]: must be an object")]
    [InlineData("""{"process":{"terminal":"yes"}}""", "process.terminal: must be a boolean")]
    [InlineData("""{"process":{"cwd":null}}""", "process.cwd: must be a string")]
    [InlineData("""{"process":{"user":null}}""", "process.user: must be an object")]
    [InlineData("""{"process":{"user":{"additionalGids":["a"]}}}""", "process.user.additionalGids[0]: must be a number")]
    [InlineData("""{"process":{"oomScoreAdj":"1"}}""", "process.oomScoreAdj: must be a number")]
    [InlineData("""{"process":{"rlimits":[{"type":"RLIMIT_NOFILE","hard":1024,"soft":-1}]}}""", "process.rlimits[0].soft: must be an integer from 0 to 18446744073709551615")]
    [InlineData("""{"annotations":{"a.b":1}}""", "annotations: must be an object with string values")]
    [InlineData("""{"linux":{"sysctl":[]}}""", "linux.sysctl: must be an object with string values")]
    [InlineData("""{"linux":{"netDevices":{"eth0":{"name":23}}}}""", "linux.netDevices.eth0.name: must be a string")]
    [InlineData("""{"linux":{"timeOffsets":{"monotonic":{"secs":"x"}}}}""", "linux.timeOffsets.monotonic.secs: must be a number")]
    [InlineData("""{"linux":{"resources":{"rdma":{"mlx5_1":{"hcaHandles":"not a uint32"}}}}}""", "linux.resources.rdma.mlx5_1.hcaHandles: must be a number")]
    [InlineData("""{"linux":{"seccomp":{"syscalls":[{"names":null}]}}}""", "linux.seccomp.syscalls[0].names: must be an array of strings")]
    [InlineData("""{"root":"rootfs"}""", "root: must be an object")]
    [InlineData("""[]""", "config.json: must be an object")]
    [InlineData("""null""", "config cannot be null")]
    [InlineData("{\"ociVersion\": \"1.0.0\",\n  \"process\": {]", "invalid JSON at line 2, column 15")]
    public void Type_errors_name_the_json_path_and_the_rule(string json, string message)
    {
        var act = () => Parse(json);
        act.Should().Throw<RuntimeError>().WithMessage(message);
    }

    [Fact]
    public void Unknown_fields_are_ignored()
    {
        var c = Parse("""{"ociVersion":"1.0.0","vm":{"hypervisor":{"path":"/x"}},"process":{"future":[1,{"a":2}],"cwd":"/"}}""");
        c.OciVersion.Should().Be("1.0.0");
        c.Process!.Cwd.Should().Be("/");
    }

    [Fact]
    public void Names_match_case_insensitively_as_in_go()
    {
        Parse("""{"OciVersion":"1.0.0","Process":{"CWD":"/"}}""").Process!.Cwd.Should().Be("/");
    }

    [Fact]
    public void Missing_file_is_reported_like_runc_with_the_errno_text()
    {
        string path = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "config.json");
        var act = () => ConfigLoader.Load(path);
        act.Should().Throw<RuntimeError>().WithMessage($"JSON specification file {path} not found: no such file or directory");
    }

    [Fact]
    public void Unreadable_path_names_the_errno()
    {
        string dir = Directory.CreateTempSubdirectory().FullName;
        try
        {
            var act = () => ConfigLoader.Load(dir);
            act.Should().Throw<RuntimeError>().WithMessage($"open {dir}: is a directory");
        }
        finally { Directory.Delete(dir); }
    }

    [Fact]
    public void Load_reads_the_file()
    {
        string dir = Directory.CreateTempSubdirectory().FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "config.json"), """{"ociVersion":"1.2.0","root":{"path":"rootfs"}}""");
            ConfigLoader.Load(Path.Combine(dir, "config.json")).Root!.Path.Should().Be("rootfs");
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>A file one byte over the limit is refused before it is read (sparse: no disk used).</summary>
    [Fact]
    public void A_config_over_the_limit_is_refused_with_its_size()
    {
        string dir = Directory.CreateTempSubdirectory().FullName;
        try
        {
            string path = Path.Combine(dir, "config.json");
            using (var f = File.Create(path)) f.SetLength(ConfigLoader.ConfigLimit + 1);
            var act = () => ConfigLoader.Load(path);
            act.Should().Throw<RuntimeError>().WithMessage($"{path}: too large (8388609 bytes, limit 8388608)");
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>runc waits forever on a FIFO and parses /dev/zero until the first NUL; csrun reads neither.</summary>
    [Theory]
    [InlineData("fifo", "a fifo")]
    [InlineData("/dev/zero", "a character device")]
    public void A_config_that_is_not_a_regular_file_is_refused_unread(string kind, string words)
    {
        string dir = Directory.CreateTempSubdirectory().FullName;
        try
        {
            string path = Path.Combine(dir, "config.json");
            if (kind == "fifo") Files.Mkfifo(path, 0x180);
            else File.CreateSymbolicLink(path, kind);
            var load = Task.Run(() => ConfigLoader.Load(path));
            Task.WhenAny(load, Task.Delay(TimeSpan.FromSeconds(10))).Result.Should().BeSameAs(load, "reading must not hang");
            load.Exception!.InnerException.Should().BeOfType<RuntimeError>()
                .Which.Message.Should().Be($"{path}: not a regular file ({words})");
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Exec_process_and_update_resources_files_are_bounded_too()
    {
        string dir = Directory.CreateTempSubdirectory().FullName;
        try
        {
            string process = Path.Combine(dir, "process.json"), resources = Path.Combine(dir, "resources.json");
            using (var f = File.Create(process)) f.SetLength(ConfigLoader.ConfigLimit + 10);
            using (var f = File.Create(resources)) f.SetLength(ConfigLoader.ResourcesLimit + 10);
            var exec = () => ExecCommand.FromFile(process);
            exec.Should().Throw<RuntimeError>().WithMessage($"{process}: too large (8388618 bytes, limit 8388608)");
            var update = () => UpdateCommand.FromJson(resources);
            update.Should().Throw<RuntimeError>().WithMessage($"{resources}: too large (1048586 bytes, limit 1048576)");
        }
        finally { Directory.Delete(dir, true); }
    }
}
