using CsRun.Diagnostics;
using CsRun.Errors;
using CsRun.Linux;

namespace CsRun.Cgroups;

/// <summary>
/// Puts a device program on a v2 cgroup in place of the ones there, as runc does: one
/// program attached before (ours from a previous create or update, or systemd's) is replaced
/// atomically (BPF_F_REPLACE), so that no instant has both or neither; with several, the new
/// one is attached first and the old ones detached after. Programs that csrun may not open
/// (an LSM said no) are left attached: extra device programs can only deny more.
/// </summary>
internal static class DeviceProgram
{
    public static void Install(string dir, ulong[] program, bool allowsAll, string field)
    {
        int cg = Files.TryOpen(dir, O.Directory | O.RdOnly);
        if (cg < 0) throw new RuntimeError($"{field}: open {dir}: {Errno.Message(-cg)}");
        var old = new List<int>();
        int prog = -1;
        try
        {
            int q = Bpf.Query(cg, Bpf.AttachCgroupDevice, out uint[] ids);
            if (q < 0)
            {
                if (Skippable(allowsAll, field, $"query the device programs of {dir}", -q)) return;
                throw new RuntimeError($"{field}: bpf_prog_query(BPF_CGROUP_DEVICE) on {dir}: {Errno.Message(-q)}");
            }
            foreach (uint id in ids)
            {
                int fd = Bpf.ProgramFd(id);
                if (fd == -Errno.EPERM || fd == -Errno.EACCES || fd == -Errno.ENOENT)
                {
                    Log.Debug($"device program {id} on {dir}: left attached: {Errno.Message(-fd)}");
                    continue;
                }
                if (fd < 0) throw new RuntimeError($"{field}: open device program {id} of {dir}: {Errno.Message(-fd)}");
                old.Add(fd);
            }

            prog = Bpf.LoadCgroupDevice(program, DeviceFilter.License, out string log);
            if (prog < 0)
            {
                if (Skippable(allowsAll, field, "load the device program", -prog)) return;
                throw new RuntimeError($"{field}: bpf_prog_load(BPF_PROG_TYPE_CGROUP_DEVICE): {Errno.Message(-prog)}"
                    + (log.Length > 0 ? $"; verifier: {log}" : ""));
            }

            if (old.Count == 1 && Bpf.Attach(cg, prog, Bpf.AttachCgroupDevice, replaceFd: old[0]) == 0) return;
            // No BPF_F_REPLACE (Linux < 5.6), or not one old program: attach, then detach the old.
            int r = Bpf.Attach(cg, prog, Bpf.AttachCgroupDevice);
            if (r < 0)
            {
                if (Skippable(allowsAll, field, $"attach the device program to {dir}", -r)) return;
                throw new RuntimeError($"{field}: bpf_prog_attach(BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI) to {dir}: {Errno.Message(-r)}");
            }
            if (old.Count > 1) Log.Debug($"{dir} had {old.Count} device programs: detaching them all");
            foreach (int fd in old)
            {
                r = Bpf.Detach(cg, fd, Bpf.AttachCgroupDevice);
                if (r < 0 && r != -Errno.ENOENT)
                    throw new RuntimeError($"{field}: bpf_prog_detach(BPF_CGROUP_DEVICE) of an old program on {dir}: {Errno.Message(-r)}");
            }
        }
        finally
        {
            // The attachment holds its own reference to the program.
            Files.Close(prog);
            foreach (int fd in old) Files.Close(fd);
            Files.Close(cg);
        }
    }

    /// <summary>
    /// runc's leniency: without bpf(2) (a user namespace, a seccomp profile), rules that allow
    /// every device lose nothing; anything that denies must fail the container.
    /// </summary>
    static bool Skippable(bool allowsAll, string field, string what, int errno)
    {
        if (!allowsAll && !UserNamespace.CallerIsInOne) return false;
        Log.Warn($"{field}: cannot {what} ({Errno.Message(errno)}): device rules not enforced");
        return true;
    }
}
