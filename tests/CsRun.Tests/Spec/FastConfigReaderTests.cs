using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using CsRun.Errors;
using CsRun.Spec;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Spec;

/// <summary>The hand-written config reader against System.Text.Json's serializer: the same model
/// from what it reads, an error where it refuses (the words: ConfigErrorMessagesTests).</summary>
public class FastConfigReaderTests
{
    static string Serialize(Config c) => ReferenceJson.Serialize(c);

    /// <summary>System.Text.Json's result serialized ("null" for a JSON null), or null if it throws.</summary>
    static string? Reference(byte[] json)
    {
        try
        {
            return ReferenceJson.Deserialize<Config>(json) is { } c ? Serialize(c) : "null";
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The reader's result the same way, or null if it refuses.</summary>
    static string? Fast(byte[] json)
    {
        try
        {
            return FastConfigReader.ReadConfigJson(json) is { } c ? Serialize(c) : "null";
        }
        catch (RuntimeError)
        {
            return null;
        }
    }

    static void SameAsSystemTextJson(byte[] json)
    {
        string? expected = Reference(json);
        expected.Should().NotBeNull("the test's input is meant to be a config System.Text.Json reads");
        Fast(json).Should().Be(expected);
    }

    static void SameAsSystemTextJson(string json) => SameAsSystemTextJson(Encoding.UTF8.GetBytes(json));

    /// <summary>Every .json under spec-fixtures/, at any depth; the seccomp profiles go into
    /// linux.seccomp of an otherwise empty config.</summary>
    public static TheoryData<string> AllFixtures()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.EnumerateFiles(Fixtures.Root, "*.json", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal))
            data.Add(Path.GetRelativePath(Fixtures.Root, f));
        return data;
    }

    static byte[] FixtureJson(string name)
    {
        byte[] json = File.ReadAllBytes(Fixtures.PathOf(name));
        if (!name.StartsWith("seccomp" + Path.DirectorySeparatorChar, StringComparison.Ordinal)) return json;
        return Encoding.UTF8.GetBytes("{\"linux\":{\"seccomp\":" + Encoding.UTF8.GetString(json) + "}}");
    }

    [Theory]
    [MemberData(nameof(AllFixtures))]
    public void Every_fixture_reads_as_System_Text_Json_reads_it(string name)
    {
        byte[] json = FixtureJson(name);
        Fast(json).Should().Be(Reference(json));
    }

    [Fact]
    public void The_seccomp_fixtures_are_read_with_their_rules()
    {
        var c = FastConfigReader.ReadConfigJson(FixtureJson(Path.Combine("seccomp", "docker-default.json")));
        c!.Linux!.Seccomp!.Syscalls!.Count.Should().BeGreaterThan(10);
    }

    /// <summary>A config that sets every property of the model (checked against the serializer's
    /// metadata, so a property added to the model and not to this config fails here).</summary>
    const string Everything = """
    {
      "ociVersion": "1.2.0",
      "process": {
        "terminal": true, "consoleSize": { "height": 24, "width": 80 },
        "user": { "uid": 1, "gid": 2, "umask": 18, "additionalGids": [5, 6], "username": "u" },
        "args": ["sh", "-c", "x"], "commandLine": "sh -c x", "env": ["A=1", "B=\u00e9\n"], "cwd": "/w",
        "capabilities": { "bounding": ["CAP_A"], "effective": ["CAP_B"], "inheritable": ["CAP_C"], "permitted": ["CAP_D"], "ambient": ["CAP_E"] },
        "rlimits": [{ "type": "RLIMIT_NOFILE", "hard": 18446744073709551615, "soft": 1024 }],
        "noNewPrivileges": true, "apparmorProfile": "ap", "oomScoreAdj": -1000,
        "scheduler": { "policy": "SCHED_DEADLINE", "nice": -5, "priority": 3, "flags": ["SCHED_FLAG_RESET_ON_FORK"], "runtime": 1, "deadline": 2, "period": 3 },
        "selinuxLabel": "sl", "ioPriority": { "class": "IOPRIO_CLASS_RT", "priority": 4 },
        "execCPUAffinity": { "initial": "0", "final": "0-1" }
      },
      "root": { "path": "rootfs", "readonly": true },
      "hostname": "h", "domainname": "d",
      "mounts": [{ "destination": "/m", "type": "bind", "source": "/s", "options": ["rbind", "ro"],
                   "uidMappings": [{ "containerID": 0, "hostID": 1000, "size": 1 }], "gidMappings": [{ "containerID": 1, "hostID": 2000, "size": 4294967295 }] }],
      "hooks": {
        "prestart": [{ "path": "/a", "args": ["a"], "env": ["E=1"], "timeout": 5 }],
        "createRuntime": [{ "path": "/b" }], "createContainer": [{ "path": "/c" }], "startContainer": [{ "path": "/d" }],
        "poststart": [{ "path": "/e" }], "poststop": [{ "path": "/f" }]
      },
      "annotations": { "a.b": "c", "": "" },
      "linux": {
        "uidMappings": [{ "containerID": 0, "hostID": 100000, "size": 65536 }],
        "gidMappings": [{ "containerID": 0, "hostID": 100000, "size": 65536 }],
        "sysctl": { "net.ipv4.ip_forward": "1" },
        "resources": {
          "devices": [{ "allow": false, "type": "c", "major": 1, "minor": -1, "access": "rwm" }],
          "memory": { "limit": 1, "reservation": 2, "swap": -1, "kernel": 4, "kernelTCP": 5, "swappiness": 6, "disableOOMKiller": true, "useHierarchy": false, "checkBeforeUpdate": true },
          "cpu": { "shares": 1, "quota": -1, "burst": 3, "period": 4, "realtimeRuntime": 5, "realtimePeriod": 6, "cpus": "0-1", "mems": "0", "idle": 1 },
          "pids": { "limit": -1 },
          "blockIO": {
            "weight": 10, "leafWeight": 65535,
            "weightDevice": [{ "major": 8, "minor": 0, "weight": 500, "leafWeight": 300 }],
            "throttleReadBpsDevice": [{ "major": 8, "minor": 0, "rate": 1 }],
            "throttleWriteBpsDevice": [{ "major": 8, "minor": 1, "rate": 2 }],
            "throttleReadIOPSDevice": [{ "major": 8, "minor": 2, "rate": 3 }],
            "throttleWriteIOPSDevice": [{ "major": 8, "minor": 3, "rate": 4 }]
          },
          "hugepageLimits": [{ "pageSize": "2MB", "limit": 9223372036854775807 }],
          "network": { "classID": 1048577, "priorities": [{ "name": "eth0", "priority": 500 }] },
          "rdma": { "mlx5_1": { "hcaHandles": 3, "hcaObjects": 10000 } },
          "unified": { "io.weight": "10" }
        },
        "cgroupsPath": "/c",
        "namespaces": [{ "type": "pid" }, { "type": "network", "path": "/proc/1/ns/net" }],
        "devices": [{ "path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438, "uid": 0, "gid": 0 }],
        "netDevices": { "eth0": { "name": "ctr0" } },
        "seccomp": {
          "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1, "architectures": ["SCMP_ARCH_X86_64"],
          "flags": ["SECCOMP_FILTER_FLAG_LOG"], "listenerPath": "/run/l.sock", "listenerMetadata": "m",
          "syscalls": [{ "names": ["read"], "action": "SCMP_ACT_ALLOW", "errnoRet": 2,
                         "args": [{ "index": 0, "value": 1, "valueTwo": 18446744073709551615, "op": "SCMP_CMP_EQ" }] }]
        },
        "rootfsPropagation": "rslave", "maskedPaths": ["/proc/kcore"], "readonlyPaths": ["/proc/sys"], "mountLabel": "ml",
        "intelRdt": { "closID": "g", "l3CacheSchema": "L3:0=f", "memBwSchema": "MB:0=50", "enableCMT": true, "enableMBM": false },
        "memoryPolicy": { "mode": "MPOL_BIND", "nodes": "0", "flags": ["MPOL_F_STATIC_NODES"] },
        "personality": { "domain": "LINUX32", "flags": [] },
        "timeOffsets": { "monotonic": { "secs": -5, "nanosecs": 999999999 }, "boottime": { "secs": 9223372036854775807, "nanosecs": 0 } }
      }
    }
    """;

    [Fact]
    public void A_config_with_every_property_set_reads_the_same()
    {
        SameAsSystemTextJson(Everything);
    }

    [Fact]
    public void The_every_property_config_sets_every_property_of_the_model()
    {
        // Each (type, property) of the model must be set, somewhere, to something not null.
        var seen = new Dictionary<Type, HashSet<string>>();
        Walk(ReferenceJson.Options.GetTypeInfo(typeof(Config)), JsonNode.Parse(Everything)!, seen);
        var missing = seen.SelectMany(t => ReferenceJson.Options.GetTypeInfo(t.Key).Properties
            .Where(p => !t.Value.Contains(p.Name)).Select(p => $"{t.Key.Name}.{p.Name}")).ToList();
        missing.Should().BeEmpty();
        seen.Count.Should().BeGreaterThan(35);
    }

    static void Walk(JsonTypeInfo info, JsonNode node, Dictionary<Type, HashSet<string>> seen)
    {
        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object:
                if (!seen.TryGetValue(info.Type, out var set)) seen[info.Type] = set = new HashSet<string>();
                foreach (var p in info.Properties)
                {
                    if (node[p.Name] is not { } child) continue;
                    set.Add(p.Name);
                    Walk(ReferenceJson.Options.GetTypeInfo(p.PropertyType), child, seen);
                }
                break;
            case JsonTypeInfoKind.Enumerable:
                foreach (var e in node.AsArray()) Walk(ReferenceJson.Options.GetTypeInfo(info.ElementType!), e!, seen);
                break;
            case JsonTypeInfoKind.Dictionary:
                foreach (var (_, v) in node.AsObject()) Walk(ReferenceJson.Options.GetTypeInfo(info.ElementType!), v!, seen);
                break;
        }
    }

    [Theory]
    // names in any case, as PropertyNameCaseInsensitive
    [InlineData("""{"OCIVERSION":"1","Process":{"ARGS":["a"],"Cwd":"/","USER":{"UID":3}},"LINUX":{"ResourceS":{"blockio":{"WEIGHT":1}}}}""")]
    // escaped names and values
    [InlineData("""{"\u006fciVersion":"1\u00e9","process":{"\u0063wd":"\/x"}}""")]
    // comments, trailing commas, unknown properties of every kind (also nested, also with nulls inside)
    [InlineData("""
        // a comment
        {"ociVersion":"1", /* another */ "x":{"y":[null,1,{"z":null}]}, "process":{"args":["a",],"zz":[],"cwd":"/",},
         "linux":{"unknownThing":true,"namespaces":[{"type":"pid","extra":{"a":1}},],},}
        """)]
    // null for every kind of nullable property
    [InlineData("""{"process":null,"root":null,"hostname":null,"mounts":null,"hooks":null,"annotations":null,"linux":null}""")]
    [InlineData("""{"process":{"consoleSize":null,"args":null,"env":null,"oomScoreAdj":null,"capabilities":null,"rlimits":null,"scheduler":null,"user":{"umask":null,"additionalGids":null,"username":null}}}""")]
    [InlineData("""{"linux":{"resources":{"memory":{"limit":null,"disableOOMKiller":null},"rdma":null,"unified":null,"devices":null},"netDevices":{"a":{"name":null}},"seccomp":{"syscalls":null,"defaultErrnoRet":null}}}""")]
    // a repeated property: the last wins, as in System.Text.Json; a repeated key of a string map too
    [InlineData("""{"ociVersion":"1","ociVersion":"2","process":{"args":["a"]},"Process":{"cwd":"/b"},"annotations":{"a":"1","a":"2"}}""")]
    // numbers at their limits; exponents that are integers
    [InlineData("""{"process":{"oomScoreAdj":-2147483648,"user":{"uid":4294967295,"gid":0}},"linux":{"resources":{"blockIO":{"weight":65535},"memory":{"limit":-9223372036854775808}}}}""")]
    // empty objects and arrays
    [InlineData("""{"process":{"user":{},"capabilities":{}},"mounts":[],"annotations":{},"linux":{"resources":{},"seccomp":{}}}""")]
    [InlineData("""{}""")]
    [InlineData("""null""")]
    // nulls in arrays of objects and as map values are kept (ConfigLoader refuses the former)
    [InlineData("""{"mounts":[null],"hooks":{"prestart":[{"path":"/a"},null]},"linux":{"netDevices":{"eth0":null},"timeOffsets":{"monotonic":null}}}""")]
    // a repeated key of a map of objects: the last wins
    [InlineData("""{"linux":{"netDevices":{"eth0":{},"eth0":{"name":"x"}},"resources":{"rdma":{"a":{"hcaHandles":1},"a":{}}}}}""")]
    // names no property of the model has: not ASCII (Cyrillic es, dotless i, long s, Kelvin), '$' metadata
    [InlineData("""{"\u0441wd":"x","process":{"user":{"u\u0131d":"x"}},"linux":{"uidMappings":[{"\u017fize":"x"}],"resources":{"memory":{"\u212aernel":"x"}}}}""")]
    [InlineData("""{"$id":"1","$ref":"#","process":{"$type":"x"}}""")]
    public void Reads_what_System_Text_Json_reads(string json) => SameAsSystemTextJson(json);

    [Theory]
    [InlineData("""{"process":{"args":"sh"}}""")]
    [InlineData("""{"process":{"args":["sh",1]}}""")]
    [InlineData("""{"process":{"args":[null]}}""")]
    [InlineData("""{"process":{"user":{"additionalGids":[null]}}}""")]
    [InlineData("""{"linux":{"uidMappings":[{"size":"x"}]}}""")]
    [InlineData("""{"linux":{"uidMappings":[{"size":-1}]}}""")]
    [InlineData("""{"linux":{"uidMappings":[{"size":1.5}]}}""")]
    [InlineData("""{"linux":{"uidMappings":[{"size":4294967296}]}}""")]
    [InlineData("""{"linux":{"uidMappings":[{"size":1e3}]}}""")]
    [InlineData("""{"linux":{"resources":{"blockIO":{"weight":65536}}}}""")]
    [InlineData("""{"linux":{"uidMappings":{}}}""")]
    [InlineData("""{"mounts":["x"]}""")]
    [InlineData("""{"process":{"terminal":"yes"}}""")]
    [InlineData("""{"process":{"terminal":null}}""")]
    [InlineData("""{"process":{"cwd":null}}""")]
    [InlineData("""{"ociVersion":null}""")]
    [InlineData("""{"process":{"user":null}}""")]
    [InlineData("""{"process":{"oomScoreAdj":"1"}}""")]
    [InlineData("""{"annotations":{"a.b":1}}""")]
    [InlineData("""{"annotations":{"a.b":null}}""")]
    [InlineData("""{"linux":{"sysctl":[]}}""")]
    [InlineData("""{"linux":{"netDevices":{"eth0":{"name":23}}}}""")]
    [InlineData("""{"linux":{"timeOffsets":{"monotonic":{"secs":"x"}}}}""")]
    [InlineData("""{"linux":{"seccomp":{"syscalls":[{"names":null}]}}}""")]
    [InlineData("""{"root":"rootfs"}""")]
    [InlineData("""[]""")]
    [InlineData("""{"process":{]""")]
    [InlineData("""{} {}""")]
    [InlineData("""{"ociVersion":"1"}x""")]
    [InlineData("")]
    [InlineData("""{"process":{"\ud800":1}}""")]
    [InlineData("""{"ociVersion":"\ud800"}""")]
    public void Refuses_what_System_Text_Json_refuses(string json)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(json);
        Reference(bytes).Should().BeNull();
        Fast(bytes).Should().BeNull();
    }

    [Fact]
    public void Refuses_a_byte_order_mark_as_System_Text_Json_does()
    {
        byte[] json = "\uFEFF{}"u8.ToArray();
        Reference(json).Should().BeNull();
        Fast(json).Should().BeNull();
    }

    [Fact]
    public void Refuses_a_document_nested_too_deep_as_System_Text_Json_does()
    {
        byte[] json = Encoding.UTF8.GetBytes("{\"x\":" + new string('[', 70) + new string(']', 70) + "}");
        Reference(json).Should().BeNull();
        Fast(json).Should().BeNull();
    }

    static string Section(string name) => JsonNode.Parse(Everything)![name]!.ToJsonString();

    [Fact]
    public void Reads_a_process_on_its_own_as_System_Text_Json_reads_it()
    {
        byte[] json = Encoding.UTF8.GetBytes(Section("process"));
        ReferenceJson.Serialize(FastConfigReader.ReadProcessJson(json)).Should().Be(ReferenceJson.Serialize(ReferenceJson.Deserialize<ProcessConfig>(json)));
    }

    [Fact]
    public void Reads_resources_on_their_own_as_System_Text_Json_reads_them()
    {
        byte[] json = Encoding.UTF8.GetBytes(JsonNode.Parse(Everything)!["linux"]!["resources"]!.ToJsonString());
        ReferenceJson.Serialize(FastConfigReader.ReadResourcesJson(json)).Should().Be(ReferenceJson.Serialize(ReferenceJson.Deserialize<Resources>(json)));
    }

    [Fact]
    public void Reads_hooks_where_a_reader_stands_as_System_Text_Json_reads_them()
    {
        byte[] json = Encoding.UTF8.GetBytes(Section("hooks"));
        var r = new Utf8JsonReader(json);
        r.Read();
        var hooks = FastConfigReader.ReadHooksValue(ref r);
        r.TokenType.Should().Be(JsonTokenType.EndObject);
        ReferenceJson.Serialize(hooks).Should().Be(ReferenceJson.Serialize(ReferenceJson.Deserialize<HooksConfig>(json)));
    }

    [Fact]
    public void A_wrong_value_in_hooks_is_a_json_error()
    {
        var r = new Utf8JsonReader("""{"prestart":[{"path":1}]}"""u8);
        r.Read();
        try
        {
            FastConfigReader.ReadHooksValue(ref r);
            Assert.Fail("no error");
        }
        catch (JsonException e)
        {
            e.Message.Should().Be("hooks: must be a string");
        }
    }
}
