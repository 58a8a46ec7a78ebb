using CsRun.Diagnostics;
using CsRun.Errors;
using CsRun.Linux;
using CsRun.Spec;

namespace CsRun.Cgroups;

/// <summary>
/// linux.resources.devices, in order. The list is taken as complete: the create path is
/// expected to pass the spec's rules followed by the default devices every container gets
/// (runc appends /dev/null, /dev/zero, ... the same way). A null list leaves the cgroup alone.
/// </summary>
internal static class DevicesWriter
{
    const string Field = "linux.resources.devices";

    /// <summary>
    /// v1: each rule is one line to devices.allow or devices.deny. A type "a" rule replaces the
    /// whole list: "deny a" empties it into deny-by-default, "allow a" allows everything. runc
    /// instead computes the minimal transition from the current list (no instant where a running
    /// container loses a device it keeps); writing in order is exact for a new cgroup.
    /// </summary>
    public static void V1(string? dir, List<DeviceRule>? rules)
    {
        if (rules == null) return;
        string d = CgroupFiles.Need(dir, "devices", Field);
        // One open per file for all its rules (a default config has a dozen): the kernel takes
        // each write(2) as one rule.
        int allow = -1, deny = -1;
        try
        {
            for (int i = 0; i < rules.Count; i++)
            {
                string field = $"{Field}[{i}]";
                string file = rules[i].Allow ? "devices.allow" : "devices.deny";
                ref int fd = ref rules[i].Allow ? ref allow : ref deny;
                if (fd < 0) fd = KernelFile.OpenForWrite(CgroupFiles.PathOf(d, file));
                int r = fd < 0 ? fd : KernelFile.WriteValue(fd, Line(rules[i], field));
                if (r < 0) throw CgroupFiles.WriteError(field, d, file, -r);
            }
        }
        finally
        {
            Files.Close(allow);
            Files.Close(deny);
        }
    }

    /// <summary>
    /// v2 has no device files: access is decided by an eBPF program (BPF_PROG_TYPE_CGROUP_DEVICE)
    /// compiled from the rules (<see cref="DeviceFilter"/>) and attached to the cgroup in place
    /// of the program there before (<see cref="DeviceProgram"/>).
    /// </summary>
    public static void V2(string dir, List<DeviceRule>? rules)
    {
        if (rules == null) return;
        var emu = DeviceEmulator.From(rules);
        ulong[] program = DeviceFilter.Compile(emu);
        if (Log.Debugging) Log.Debug($"device program for {dir}:\n{DeviceFilter.Describe(program)}");
        DeviceProgram.Install(dir, program, emu.AllowsAll, Field);
    }

    /// <summary>"TYPE MAJOR:MINOR ACCESS", "*" for an absent number, as devices.allow reads it.</summary>
    internal static string Line(DeviceRule rule, string field)
    {
        string type = string.IsNullOrEmpty(rule.Type) ? "a" : rule.Type;
        if (type is not ("a" or "b" or "c")) throw new RuntimeError($"{field}.type: invalid device type \"{type}\"");
        string access = DeviceEmulator.AccessText(DeviceEmulator.ParseAccess(rule.Access, field));
        string major = rule.Major is long ma && ma >= 0 ? CgroupFiles.Num(ma) : "*";
        string minor = rule.Minor is long mi && mi >= 0 ? CgroupFiles.Num(mi) : "*";
        return $"{type} {major}:{minor} {access}";
    }
}
