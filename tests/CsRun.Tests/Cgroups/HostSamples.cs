namespace CsRun.Tests.Cgroups;

/// <summary>/proc/self/mountinfo and /proc/self/cgroup as typical hosts show them.</summary>
internal static class HostSamples
{
    /// <summary>Debian without systemd: v1 controllers, cpu and cpuacct apart, plus systemd's unified mount.</summary>
    public const string HybridMountinfo = """
        23 1 254:0 / / rw,relatime - ext4 /dev/vda rw
        31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
        33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
        34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
        35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
        37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
        40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
        41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        """;

    public const string HybridSelf = """
        9:name=systemd:/
        6:freezer:/
        5:devices:/
        4:memory:/process_api/f430
        3:cpuset:/
        2:cpuacct:/
        1:cpu:/
        0::/
        """;

    /// <summary>A systemd host, unified only; csrun runs in a login session.</summary>
    public const string V2Mountinfo = """
        22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
        30 22 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
        """;

    public const string V2Self = "0::/user.slice/user-1000.slice/session-3.scope\n";

    /// <summary>Older distributions mount cpu and cpuacct together; inside a container the mounts show a sub-tree.</summary>
    public const string NestedV1Mountinfo = """
        100 99 0:40 / / rw - overlay overlay rw
        101 100 0:41 / /sys/fs/cgroup rw - tmpfs tmpfs rw
        102 101 0:29 /docker/abc /sys/fs/cgroup/cpu,cpuacct ro - cgroup cgroup rw,cpu,cpuacct
        103 101 0:32 /docker/abc /sys/fs/cgroup/memory ro - cgroup cgroup rw,memory
        104 101 0:33 /docker/abc /sys/fs/cgroup/devices ro - cgroup cgroup rw,devices
        105 101 0:37 /docker/abc /sys/fs/cgroup/other rw - cgroup cgroup rw,name=other
        """;

    public const string NestedV1Self = """
        7:name=other:/docker/abc
        4:cpu,cpuacct:/docker/abc/inner
        3:memory:/docker/abc
        2:devices:/docker/abc
        0::/
        """;
}
