namespace CsRun.Linux;

/// <summary>errno numbers, their symbolic names and messages, for runc-shaped errors.</summary>
internal static class Errno
{
    public const int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, ENXIO = 6, E2BIG = 7, ENOEXEC = 8;
    public const int EBADF = 9, ECHILD = 10, EAGAIN = 11, ENOMEM = 12, EACCES = 13, EFAULT = 14, EBUSY = 16;
    public const int EEXIST = 17, EXDEV = 18, ENODEV = 19, ENOTDIR = 20, EISDIR = 21, EINVAL = 22;
    public const int EMFILE = 24, ENOTTY = 25, ETXTBSY = 26, EFBIG = 27, ENOSPC = 28, EROFS = 30, EPIPE = 32, ERANGE = 34;
    public const int ECONNREFUSED = 111, ECONNRESET = 104, ENAMETOOLONG = 36, ENOSYS = 38, ENOTEMPTY = 39, ELOOP = 40, EOPNOTSUPP = 95, ETIMEDOUT = 110;

    static readonly string[] Names =
    {
        "", "EPERM", "ENOENT", "ESRCH", "EINTR", "EIO", "ENXIO", "E2BIG", "ENOEXEC", "EBADF", "ECHILD",
        "EAGAIN", "ENOMEM", "EACCES", "EFAULT", "ENOTBLK", "EBUSY", "EEXIST", "EXDEV", "ENODEV", "ENOTDIR",
        "EISDIR", "EINVAL", "ENFILE", "EMFILE", "ENOTTY", "ETXTBSY", "EFBIG", "ENOSPC", "ESPIPE", "EROFS",
        "EMLINK", "EPIPE", "EDOM", "ERANGE", "EDEADLK", "ENAMETOOLONG", "ENOLCK", "ENOSYS", "ENOTEMPTY", "ELOOP",
    };

    static readonly string[] Messages =
    {
        "success", "operation not permitted", "no such file or directory", "no such process",
        "interrupted system call", "input/output error", "no such device or address", "argument list too long",
        "exec format error", "bad file descriptor", "no child processes", "resource temporarily unavailable",
        "cannot allocate memory", "permission denied", "bad address", "block device required",
        "device or resource busy", "file exists", "invalid cross-device link", "no such device", "not a directory",
        "is a directory", "invalid argument", "too many open files in system", "too many open files",
        "inappropriate ioctl for device", "text file busy", "file too large", "no space left on device",
        "illegal seek", "read-only file system", "too many links", "broken pipe", "numerical argument out of domain",
        "numerical result out of range", "resource deadlock avoided", "file name too long", "no locks available",
        "function not implemented", "directory not empty", "too many levels of symbolic links",
    };

    public static string Name(int errno) => errno > 0 && errno < Names.Length ? Names[errno] : errno switch
    {
        EOPNOTSUPP => "EOPNOTSUPP",
        ETIMEDOUT => "ETIMEDOUT",
        ECONNREFUSED => "ECONNREFUSED",
        _ => "errno " + errno,
    };

    /// <summary>Go's strerror wording, which runc's messages carry.</summary>
    public static string Message(int errno) => errno > 0 && errno < Messages.Length ? Messages[errno] : errno switch
    {
        EOPNOTSUPP => "operation not supported",
        ETIMEDOUT => "connection timed out",
        ECONNREFUSED => "connection refused",
        _ => "errno " + errno,
    };
}
