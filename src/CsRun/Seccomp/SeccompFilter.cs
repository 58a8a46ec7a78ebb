using CsRun.Errors;
using CsRun.Linux;
using Microsoft.Win32.SafeHandles;

namespace CsRun.Seccomp;

/// <summary>
/// One libseccomp filter context. Calls return libseccomp's 0 or -errno for the compiler to
/// phrase; only a failure that no config can cause throws here.
/// </summary>
internal sealed unsafe class SeccompFilter : IDisposable
{
    nint _ctx;

    SeccompFilter(nint ctx) => _ctx = ctx;

    /// <summary>Null when libseccomp refuses the default action (one the kernel lacks).</summary>
    public static SeccompFilter? Create(uint defaultAction)
    {
        nint ctx = LibSeccomp.Init(defaultAction);
        return ctx == 0 ? null : new SeccompFilter(ctx);
    }

    public int SetAttr(int attr, uint value) => LibSeccomp.AttrSet(_ctx, attr, value);

    public int AddArch(uint token) => LibSeccomp.ArchAdd(_ctx, token);

    public int AddRule(uint action, int syscall, ReadOnlySpan<LibSeccomp.ArgCmp> conditions)
    {
        fixed (LibSeccomp.ArgCmp* c = conditions)
            return LibSeccomp.RuleAddArray(_ctx, action, syscall, (uint)conditions.Length, c);
    }

    /// <summary>
    /// The filter as raw sock_filter bytes. libseccomp 2.5 can only write them to an fd, so
    /// they go through an anonymous memfd.
    /// </summary>
    public byte[] ExportBpf()
    {
        long fd;
        fixed (byte* name = "csrun-seccomp\0"u8)
            fd = Libc.Sys(Nr.Memfd, (long)name, Mfd.CloExec);
        if (fd < 0) throw new RuntimeError($"seccomp: memfd_create: {Errno.Message((int)-fd)}");
        using var handle = new SafeFileHandle((nint)fd, ownsHandle: true);
        int rc = LibSeccomp.ExportBpf(_ctx, (int)fd);
        if (rc < 0) throw new RuntimeError($"seccomp: exporting the BPF filter: {Errno.Message(-rc)}");
        var bpf = new byte[RandomAccess.GetLength(handle)];
        for (int done = 0; done < bpf.Length;)
        {
            int n = RandomAccess.Read(handle, bpf.AsSpan(done), done);
            if (n == 0) throw new RuntimeError("seccomp: the exported BPF filter was cut short");
            done += n;
        }
        return bpf;
    }

    public void Dispose()
    {
        if (_ctx == 0) return;
        LibSeccomp.Release(_ctx);
        _ctx = 0;
        // libseccomp's rule tree for a real profile (podman's: ~1.3 MB) is freed into the heap,
        // which glibc keeps; the container's init is cloned from this process and would carry
        // it, resident, until its exec. Hand it back to the kernel first (tens of µs).
        _ = Libc.MallocTrim(0);
    }
}
