using CsRun.Errors;
using CsRun.Linux;

namespace CsRun.Diagnostics;

/// <summary>
/// A .NET I/O exception in runc's words ("open /x: permission denied"): never its message, which
/// in the AOT binary is a resource key ("UnauthorizedAccess_IODenied_Path, /x").
/// </summary>
internal static class SystemErrorText
{
    const int EACCES = 13, ENOENT = 2, ENAMETOOLONG = 36;

    /// <summary>errno of the failure: the exception's type, or the raw errno .NET keeps as an IOException's HResult.</summary>
    public static int Errno(Exception e) => e switch
    {
        UnauthorizedAccessException => EACCES,
        FileNotFoundException or DirectoryNotFoundException => ENOENT,
        PathTooLongException => ENAMETOOLONG,
        IOException io when io.HResult > 0 && io.HResult < 4096 => io.HResult,
        _ => 0,
    };

    /// <summary>"op path: strerror" where <paramref name="op"/> and <paramref name="path"/> are known.</summary>
    public static string Of(Exception e, string? op = null, string? path = null)
    {
        if (e is RuntimeError) return e.Message;
        path ??= PathIn(e);
        int errno = Errno(e);
        string reason = errno != 0 ? Linux.Errno.Message(errno) : "input/output error";
        string subject = (op, path) switch
        {
            (not null, not null) => $"{op} {path}: ",
            (null, not null) => $"{path}: ",
            (not null, null) => $"{op}: ",
            _ => "",
        };
        return subject + reason;
    }

    /// <summary>The path .NET put in the message: after the resource key's ", " (AOT), or in quotes.</summary>
    static string? PathIn(Exception e)
    {
        if (e is FileNotFoundException { FileName: string file }) return file;
        string m = e.Message;
        int quote = m.IndexOf('\'');
        if (quote >= 0 && m.IndexOf('\'', quote + 1) is int end && end > quote) return m[(quote + 1)..end];
        int comma = m.IndexOf(", /", StringComparison.Ordinal);
        return comma >= 0 && !m[..comma].Contains(' ') ? m[(comma + 2)..] : null;
    }
}
