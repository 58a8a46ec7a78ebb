using System.Text;
using CsRun.Errors;
using CsRun.Linux;

namespace CsRun.Container;

/// <summary>
/// --pidfd-socket (runc 1.2+, create, run and exec): a pidfd of the container's process goes to
/// the AF_UNIX socket at that path in one message with SCM_RIGHTS, the data being "standard"
/// for a container's init and "setns" for an exec'd process (runc's init type, sent by its
/// setupPidfd). The socket is connected before anything starts, so a bad path fails first;
/// the pidfd is sent once the process is set up and its pid final.
/// </summary>
internal static class PidfdSocket
{
    public static int Connect(string? path) => path == null ? -1 : UnixSockets.Connect(path, "--pidfd-socket");

    public static void Send(int socket, int pid, string kind)
    {
        if (socket < 0) return;
        long pidfd = Libc.Sys(Nr.PidfdOpen, pid, 0);
        if (pidfd < 0) throw new RuntimeError($"--pidfd-socket: pidfd_open {pid}: {Errno.Message((int)-pidfd)}");
        try
        {
            int r = UnixSockets.SendFds(socket, Encoding.ASCII.GetBytes(kind), [(int)pidfd]);
            if (r < 0) throw new RuntimeError($"--pidfd-socket: send the pidfd: {Errno.Message((int)-r)}");
        }
        finally { Libc.Sys(Nr.Close, pidfd); }
    }
}
