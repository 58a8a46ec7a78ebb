using CsRun.Linux;

namespace CsRun.Launch.Child;

/// <summary>Messages the child writes itself, once nobody is left to report to (after `create` exited).</summary>
internal static unsafe class ChildText
{
    public static void ReportOnStderr(long desc, int errno)
    {
        byte* buf = stackalloc byte[1024];
        int n = Append(buf, 0, "csrun: \0"u8);
        n = AppendC(buf, n, (byte*)desc);
        n = Append(buf, n, ": \0"u8);
        n = Append(buf, n, ErrnoText(errno));
        buf[n++] = (byte)'\n';
        Libc.Raw(Nr.Write, 2, (long)buf, n);
    }

    static ReadOnlySpan<byte> ErrnoText(int errno) => errno switch
    {
        Errno.ENOENT => "no such file or directory\0"u8,
        Errno.EACCES => "permission denied\0"u8,
        Errno.EPERM => "operation not permitted\0"u8,
        Errno.ENOEXEC => "exec format error\0"u8,
        Errno.EINVAL => "invalid argument\0"u8,
        Errno.E2BIG => "argument list too long\0"u8,
        Errno.ETXTBSY => "text file busy\0"u8,
        ChildErrors.HookTimedOut => "hook timed out\0"u8,
        _ when errno >= ChildErrors.HookFailedBase && errno < ChildErrors.HookFailedBase + 256 => "hook failed\0"u8,
        _ when errno > ChildErrors.HookWaitFailedBase && errno < ChildErrors.HookWaitFailedBase + 1000 => "wait4 for the hook failed\0"u8,
        _ => "system call failed\0"u8,
    };

    static int Append(byte* buf, int n, ReadOnlySpan<byte> text)
    {
        for (int i = 0; i < text.Length && text[i] != 0 && n < 1000; i++) buf[n++] = text[i];
        return n;
    }

    static int AppendC(byte* buf, int n, byte* text)
    {
        if (text == null) return n;
        for (int i = 0; text[i] != 0 && n < 900; i++) buf[n++] = text[i];
        return n;
    }
}
