using System.Text;
using System.Text.Json;
using CsRun.Errors;
using CsRun.Launch.Child;
using CsRun.Linux;
using CsRun.Spec;

namespace CsRun.Container;

/// <summary>
/// linux.seccomp.listenerPath: the container's notify fd goes to the listener over its unix
/// socket with the container process state, as runc sends it: {"ociVersion","fds":["seccompFd"],
/// "pid","metadata","state":{…}} and the fd in SCM_RIGHTS.
/// </summary>
internal static unsafe class SeccompListener
{
    public static void Forward(int notifyFd, Config config, string id, string bundle, int pid, string status)
    {
        try
        {
            var seccomp = config.Linux?.Seccomp ?? throw new RuntimeError("linux.seccomp: a notify fd arrived without a seccomp config");
            int socket = UnixSockets.Connect(seccomp.ListenerPath!, "linux.seccomp.listenerPath");
            try
            {
                byte[] json = ProcessState(seccomp.ListenerMetadata, config, id, bundle, pid, status);
                long r;
                fixed (byte* data = json) r = Launch.Child.ChildConsole.SendWithFd(socket, data, json.Length, notifyFd);
                if (r < 0) throw new RuntimeError($"linux.seccomp.listenerPath: send to {seccomp.ListenerPath}: {Errno.Message((int)-r)}");
            }
            finally { Files.Close(socket); }
        }
        finally { Files.Close(notifyFd); }
    }

    static byte[] ProcessState(string? metadata, Config config, string id, string bundle, int pid, string status)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("ociVersion", config.OciVersion);
            w.WriteStartArray("fds");
            w.WriteStringValue("seccompFd");
            w.WriteEndArray();
            w.WriteNumber("pid", pid);
            w.WriteString("metadata", metadata ?? "");
            w.WriteStartObject("state");
            w.WriteString("ociVersion", config.OciVersion);
            w.WriteString("id", id);
            w.WriteString("status", status);
            w.WriteNumber("pid", pid);
            w.WriteString("bundle", bundle);
            if (config.Annotations is { Count: > 0 } annotations)
            {
                w.WriteStartObject("annotations");
                foreach (var (k, v) in annotations) w.WriteString(k, v);
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return stream.ToArray();
    }
}
