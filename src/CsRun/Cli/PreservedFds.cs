using CsRun.Errors;
using CsRun.Linux;

namespace CsRun.Cli;

/// <summary>
/// --preserve-fds N (and $LISTEN_FDS) hand fds 3..3+N-1 to the container. Each must be open in
/// csrun's caller: a hole would be filled by an fd csrun opens itself (runc 1.1.5 passes its own
/// O_PATH of /sys/fs/cgroup that way, a host directory a container can walk out of; csrun's
/// runtime keeps /dev/urandom open). Whether they were is known from before the runtime started.
/// </summary>
internal static class PreservedFds
{
    public static int Checked(int count, string flag)
    {
        if (count < 0) throw new RuntimeError($"{flag}: must not be negative");
        int hole = InheritedFds.FirstClosed();
        if (hole >= 3 + count) return count;
        throw new RuntimeError($"{flag} {count}: fd {hole} is not open (bad file descriptor)");
    }
}
