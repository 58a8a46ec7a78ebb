using CsRun.Errors;

namespace CsRun.Criu;

/// <summary>CRIU's request types (rpc.proto criu_req_type), the ones csrun sends or reads.</summary>
internal enum CriuReqType
{
    Empty = 0, Dump = 1, Restore = 2, PreDump = 4, Notify = 6, FeatureCheck = 9, Version = 10,
}

/// <summary>
/// The criu_opts fields csrun sets (rpc.proto numbers in <see cref="Encode"/>), as runc sets
/// them for checkpoint and restore.
/// </summary>
internal sealed class CriuOptions
{
    public int ImagesDirFd = -1;
    public int WorkDirFd = -1;
    public int Pid;
    public bool LeaveRunning, ExtUnixSk, TcpEstablished, EvasiveDevices, ShellJob, FileLocks;
    public string LogFile = "";
    public string? Root, ParentImg, FreezeCgroup;
    public bool TrackMem, AutoDedup, RstSibling, OrphanPtsMaster, LazyPages;
    public readonly List<(string Key, string Value)> ExtMounts = new();
    public readonly List<(string Controller, string Path)> CgroupRoots = new();
    public readonly List<(string Key, int Fd)> InheritFds = new();
    public readonly List<string> External = new();
    public readonly List<(string Ns, string File)> JoinNamespaces = new();
    /// <summary>criu_cg_mode: IGNORE 0, SOFT 3, FULL 4, STRICT 5, DEFAULT 6.</summary>
    public int ManageCgroupsMode = 6;
    public uint EmptyNs;
    /// <summary>criu_page_server_info: where a dump sends its pages, or (lazy) the port it serves them on.</summary>
    public PageServerAddress? PageServer;

    public ProtoWriter Encode()
    {
        var w = new ProtoWriter().Int(1, ImagesDirFd);
        if (Pid != 0) w.Int(2, Pid);
        w.Flag(3, LeaveRunning).Flag(4, ExtUnixSk).Flag(5, TcpEstablished).Flag(6, EvasiveDevices).Flag(7, ShellJob)
            .Flag(8, FileLocks).Int(9, 4).String(10, LogFile).Bool(12, true).String(13, Root).String(14, ParentImg)
            .Flag(15, TrackMem).Flag(16, AutoDedup);
        if (PageServer != null) w.Message(11, new ProtoWriter().String(1, PageServer.Address).Int(2, PageServer.Port));
        if (WorkDirFd >= 0) w.Int(17, WorkDirFd);
        foreach (var (key, value) in ExtMounts) w.Message(23, new ProtoWriter().String(1, key).String(2, value));
        w.Bool(24, true);
        foreach (var (controller, path) in CgroupRoots) w.Message(25, new ProtoWriter().String(1, controller).String(2, path));
        w.Flag(26, RstSibling);
        foreach (var (key, fd) in InheritFds) w.Message(27, new ProtoWriter().String(1, key).Int(2, fd));
        w.Int(34, ManageCgroupsMode);
        foreach (var e in External) w.String(37, e);
        if (EmptyNs != 0) w.Int(38, EmptyNs);
        foreach (var (ns, file) in JoinNamespaces) w.Message(39, new ProtoWriter().String(1, ns).String(2, file));
        w.String(44, FreezeCgroup).Flag(48, LazyPages).Flag(50, OrphanPtsMaster);
        return w;
    }

    /// <summary>runc's --manage-cgroups-mode values; "" is CRIU's default.</summary>
    public static int CgroupMode(string? mode) => mode switch
    {
        null or "" => 6,
        "soft" => 3,
        "full" => 4,
        "strict" => 5,
        "ignore" => 0,
        _ => throw new RuntimeError($"--manage-cgroups-mode {mode}: invalid manage-cgroups-mode value (soft, full, strict or ignore)"),
    };
}

/// <summary>criu_req: a request, or the answer to a notification.</summary>
internal static class CriuRequest
{
    public static byte[] Of(CriuReqType type, CriuOptions? opts)
    {
        var w = new ProtoWriter().Int(1, (int)type);
        if (opts != null) w.Message(2, opts.Encode());
        return w.ToArray();
    }

    /// <summary>FEATURE_CHECK asking whether CRIU can track memory changes (pre-dump, --parent-path)
    /// and restore pages lazily (--lazy-pages).</summary>
    public static byte[] FeatureCheck(bool memTrack, bool lazyPages) => new ProtoWriter().Int(1, (int)CriuReqType.FeatureCheck)
        .Message(5, new ProtoWriter().Flag(1, memTrack).Flag(2, lazyPages)).ToArray();

    /// <summary>VERSION; keep_open: CRIU then waits for another request on the same socket.</summary>
    public static byte[] Version(bool keepOpen) => new ProtoWriter().Int(1, (int)CriuReqType.Version).Flag(4, keepOpen).ToArray();

    public static byte[] NotifyDone() => new ProtoWriter().Int(1, (int)CriuReqType.Notify).Bool(3, true).ToArray();
}

/// <summary>criu_resp, the fields csrun reads.</summary>
internal sealed record CriuResponse
{
    public CriuReqType Type { get; init; }
    public bool Success { get; init; }
    public int Errno { get; init; }
    public string? ErrorMessage { get; init; }
    public string? NotifyScript { get; init; }
    public int NotifyPid { get; init; }
    public int RestoredPid { get; init; }
    public string? Version { get; init; }
    /// <summary>FEATURE_CHECK's answer: criu_features.mem_track, lazy_pages.</summary>
    public bool MemTrack { get; init; }
    public bool LazyPages { get; init; }
    /// <summary>VERSION's answer as runc compares it: major * 10000 + minor * 100 + sublevel.</summary>
    public int VersionNumber { get; init; }

    public static CriuResponse Parse(ReadOnlySpan<byte> data)
    {
        var r = new ProtoReader(data);
        CriuReqType type = 0;
        bool success = false;
        int errno = 0, notifyPid = 0, restoredPid = 0;
        string? message = null, script = null, version = null;
        bool memTrack = false, lazyPages = false;
        int versionNumber = 0;
        while (r.Next())
        {
            switch (r.Field)
            {
                case 1: type = (CriuReqType)(int)r.Varint; break;
                case 2: success = r.Varint != 0; break;
                case 4: restoredPid = FirstInt(r.Bytes, 1); break;
                case 5:
                    var n = new ProtoReader(r.Bytes);
                    while (n.Next())
                    {
                        if (n.Field == 1) script = n.String;
                        else if (n.Field == 2) notifyPid = (int)n.Varint;
                    }
                    break;
                case 7: errno = (int)r.Varint; break;
                case 9: message = r.String; break;
                case 8:
                    memTrack = FirstInt(r.Bytes, 1) != 0;
                    lazyPages = FirstInt(r.Bytes, 2) != 0;
                    break;
                case 10: (version, versionNumber) = VersionOf(r.Bytes); break;
            }
        }
        return new CriuResponse
        {
            Type = type, Success = success, Errno = errno, ErrorMessage = message, NotifyScript = script,
            NotifyPid = notifyPid, RestoredPid = restoredPid, Version = version, MemTrack = memTrack,
            LazyPages = lazyPages, VersionNumber = versionNumber,
        };
    }

    static int FirstInt(ReadOnlySpan<byte> message, int field)
    {
        var r = new ProtoReader(message);
        while (r.Next()) if (r.Field == field) return (int)r.Varint;
        return 0;
    }

    static (string, int) VersionOf(ReadOnlySpan<byte> message)
    {
        var r = new ProtoReader(message);
        ulong major = 0, minor = 0, sub = 0;
        while (r.Next())
        {
            if (r.Field == 1) major = r.Varint;
            else if (r.Field == 2) minor = r.Varint;
            else if (r.Field == 4) sub = r.Varint;
        }
        return ($"{major}.{minor}.{sub}", (int)(major * 10000 + minor * 100 + sub));
    }
}
