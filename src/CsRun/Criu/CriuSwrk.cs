using System.Collections;
using CsRun.Errors;
using CsRun.Launch;
using CsRun.Linux;

namespace CsRun.Criu;

/// <summary>
/// One conversation with `criu swrk 3`, as runc has it: a SOCK_SEQPACKET socketpair whose other
/// end is CRIU's fd 3, one request, then notifications (each answered) until the final response.
/// CRIU opens the fds named in the options (images_dir_fd, work_dir_fd) through
/// /proc/&lt;our pid&gt;/fd, so only the socket and csrun's stdio (0-2, which restored pipes are
/// reconnected to) are handed to it. CRIU is spawned through the setup interpreter, like hooks:
/// no managed code runs in the fork.
/// </summary>
internal sealed unsafe class CriuSwrk : IDisposable
{
    /// <summary>CRIU's RPC messages are small; runc reads into 40 KiB.</summary>
    const int BufferSize = 64 * 1024;

    int _socket;
    int _pid;

    public int Pid => _pid;

    CriuSwrk(int socket, int pid)
    {
        _socket = socket;
        _pid = pid;
    }

    /// <summary>Starts criu (the --criu path, or "criu" looked up in $PATH) with
    /// <paramref name="extraFds"/> as its fds 4, 5, ... (inherit_fd names them so).</summary>
    public static CriuSwrk Start(string criu, IReadOnlyList<int>? extraFds = null)
    {
        var env = new List<string>();
        foreach (DictionaryEntry e in Environment.GetEnvironmentVariables()) env.Add($"{e.Key}={e.Value}");
        var (ours, theirs) = SyncChannel.CreatePair();
        var (parentSync, childSync) = SyncChannel.CreatePair();
        var moved = new List<int>();
        try
        {
            // Sources above every target, so that no dup2 overwrites a later source, and none
            // dup2s onto itself (which would keep close-on-exec).
            int rpc = HighCopy(theirs, moved);
            var program = new SetupProgram();
            var a = program.Arena;
            Dup2Step.Emit(program, "", "criu's rpc socket as fd 3", rpc, 3);
            for (int i = 0; i < (extraFds?.Count ?? 0); i++)
                Dup2Step.Emit(program, "", $"inherited fd {4 + i}", HighCopy(extraFds![i], moved), 4 + i);
            ResetSignalsStep.Emit(program, "", "default signal dispositions, empty mask");
            FindExecutableStep.Emit(program, "", $"find {criu}", a.StrArray(ProcessCompiler.ExecCandidates(criu, env)), subject: criu);
            ExecveStep.Emit(program, "", $"execve {criu}", a.StrArray(new[] { criu, "swrk", "3" }), a.StrArray(env));
            int pid = Spawner.Spawn(program, 0, childSync, parentSync);
            Files.Close(childSync);
            childSync = -1;
            // EOF: exec'd (the sync socket is close-on-exec); a message: a step failed.
            if (SyncChannel.Receive(parentSync) is { Type: (int)SyncType.Error } m)
            {
                Spawner.Reap(pid);
                throw new RuntimeError($"criu: {StepError.Describe(program, m.Step, m.Errno)}");
            }
            var session = new CriuSwrk(ours, pid);
            ours = -1;
            return session;
        }
        finally
        {
            Files.Close(ours);
            Files.Close(theirs);
            Files.Close(parentSync);
            Files.Close(childSync);
            foreach (int fd in moved) Files.Close(fd);
        }
    }

    /// <summary>A close-on-exec copy of <paramref name="fd"/> numbered 64 or above, to close after the spawn.</summary>
    static int HighCopy(int fd, List<int> moved)
    {
        long r = Libc.Sys(Nr.Fcntl, fd, 1030 /*F_DUPFD_CLOEXEC*/, 64);
        if (r < 0) throw new RuntimeError($"fcntl F_DUPFD_CLOEXEC: {Errno.Message((int)-r)}");
        moved.Add((int)r);
        return (int)r;
    }

    /// <summary>
    /// Sends the request and serves notifications (<paramref name="notify"/> gets each, with the fd
    /// it carried or -1, which it must close or keep) until CRIU's answer, which is returned
    /// when it succeeded. CRIU's failure is a RuntimeError naming the request and CRIU's errno.
    /// </summary>
    public CriuResponse Run(CriuReqType type, CriuOptions opts, Action<CriuResponse, int>? notify) =>
        Run(type, CriuRequest.Of(type, opts), notify);

    public CriuResponse Run(CriuReqType type, byte[] request, Action<CriuResponse, int>? notify)
    {
        Send(request);
        while (true)
        {
            var (resp, fd) = Receive(type);
            if (!resp.Success)
            {
                Files.Close(fd);
                string detail = resp.ErrorMessage is { Length: > 0 } msg && !CriuLog.IsNoise(msg) ? $": {msg.Trim()}" : "";
                throw new RuntimeError($"criu failed: type {Name(resp.Type)} errno {resp.Errno}{detail}");
            }
            if (resp.Type != CriuReqType.Notify)
            {
                Files.Close(fd);
                if (resp.Type != type) throw new RuntimeError($"criu answered {Name(resp.Type)} to {Name(type)}");
                return resp;
            }
            if (notify != null) notify(resp, fd);
            else Files.Close(fd);
            Send(CriuRequest.NotifyDone());
        }
    }

    public static string Name(CriuReqType t) => t switch
    {
        CriuReqType.Dump => "DUMP",
        CriuReqType.Restore => "RESTORE",
        CriuReqType.PreDump => "PRE_DUMP",
        CriuReqType.Notify => "NOTIFY",
        CriuReqType.FeatureCheck => "FEATURE_CHECK",
        CriuReqType.Version => "VERSION",
        _ => ((int)t).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    void Send(byte[] data)
    {
        long r;
        fixed (byte* p = data)
        {
            r = Libc.SysRetry(Nr.Sendto, _socket, (long)p, data.Length, SyncChannel.MsgNoSignal, 0, 0);
        }
        if (r < 0) throw new RuntimeError($"criu: send request: {Errno.Message((int)-r)}");
    }

    (CriuResponse, int) Receive(CriuReqType sent)
    {
        var buf = new byte[BufferSize];
        long* iov = stackalloc long[2];
        byte* control = stackalloc byte[64];
        long* hdr = stackalloc long[7];
        long r;
        fixed (byte* p = buf)
        {
            iov[0] = (long)p; iov[1] = buf.Length;
            hdr[0] = 0; hdr[1] = 0; hdr[2] = (long)iov; hdr[3] = 1; hdr[4] = (long)control; hdr[5] = 64; hdr[6] = 0;
            r = Libc.SysRetry(Nr.Recvmsg, _socket, (long)hdr, 0x40000000 /*MSG_CMSG_CLOEXEC*/);
        }
        if (r < 0) throw new RuntimeError($"criu: read response: {Errno.Message((int)-r)}");
        if (r == 0) throw new RuntimeError($"criu exited without answering {Name(sent)} (unexpected EOF)");
        if (r == buf.Length) throw new RuntimeError("criu: response too large");
        int fd = hdr[5] >= 20 && *(int*)(control + 8) == 1 && *(int*)(control + 12) == 1 ? *(int*)(control + 16) : -1;
        try
        {
            return (CriuResponse.Parse(buf.AsSpan(0, (int)r)), fd);
        }
        catch (FormatException e)
        {
            Files.Close(fd);
            throw new RuntimeError($"criu: malformed response: {e.Message}");
        }
    }

    /// <summary>Closes the socket and reaps CRIU; its exit status (-1 if already reaped).</summary>
    public int Finish()
    {
        Files.Close(_socket);
        _socket = -1;
        if (_pid <= 0) return -1;
        int status = Spawner.Reap(_pid);
        _pid = 0;
        return status;
    }

    public void Dispose() => Finish();
}
