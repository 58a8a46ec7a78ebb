using CsRun.Errors;
using CsRun.Linux;

namespace CsRun.Criu;

/// <summary>
/// What checkpoint --lazy-pages needs of CRIU and the host, checked before anything is frozen:
/// a half-served lazy migration leaves the restored copy stuck on its missing pages.
/// </summary>
internal static unsafe class LazyPagesCheck
{
    /// <summary>The tee pipe CRIU's lazy page server reads pages through: CRIU (4.1 and
    /// since) asks F_SETPIPE_SZ for PIPE_MAX_SIZE pages, (8 pages / 40-byte pipe_buffer) x 4 KiB.</summary>
    const int CriuTeePipeBytes = 8 * 4096 / 40 * 4096;

    public static void Require(string criu, bool statusFd)
    {
        using (var swrk = CriuSwrk.Start(criu))
        {
            if (statusFd)
            {
                // status-ready, the notification --status-fd waits for, came with CRIU 3.15.
                var version = swrk.Run(CriuReqType.Version, CriuRequest.Version(keepOpen: true), null);
                if (version.VersionNumber < 31500)
                    throw new RuntimeError($"--status-fd: needs CRIU 3.15 or later (its status-ready notification); this is CRIU {version.Version}");
            }
            var features = swrk.Run(CriuReqType.FeatureCheck, CriuRequest.FeatureCheck(memTrack: false, lazyPages: true), null);
            if (!features.LazyPages)
                throw new RuntimeError("--lazy-pages: CRIU cannot restore pages lazily on this kernel (userfaultfd with non-cooperative events)");
        }
        RequireTeePipe();
    }

    /// <summary>
    /// CRIU ignores a failed F_SETPIPE_SZ and then fails on every page asked for. Its size is over
    /// the default fs.pipe-max-size (1 MiB), so it needs CAP_SYS_RESOURCE or a larger limit: tried
    /// here with the credentials CRIU will have.
    /// </summary>
    static void RequireTeePipe()
    {
        int* fds = stackalloc int[2];
        long r = Libc.Sys(Nr.Pipe2, (long)fds, O.CloExec);
        if (r < 0) throw new RuntimeError($"pipe2: {Errno.Message((int)-r)}");
        r = Libc.Sys(Nr.Fcntl, fds[0], 1031 /*F_SETPIPE_SZ*/, CriuTeePipeBytes);
        Files.Close(fds[0]);
        Files.Close(fds[1]);
        if (r < 0)
        {
            KernelFile.Read("/proc/sys/fs/pipe-max-size", out string max);
            throw new RuntimeError($"--lazy-pages: CRIU's lazy page server needs a {CriuTeePipeBytes}-byte pipe (F_SETPIPE_SZ: {Errno.Message((int)-r)}): " +
                $"raise fs.pipe-max-size (now {max.Trim()}) to 4194304 or give CAP_SYS_RESOURCE");
        }
    }
}
