using CsRun.Linux;

namespace CsRun.Launch;

/// <summary>Turns a child's (step, errno) report into one message naming the config field, the action, the path and the errno.</summary>
internal static class StepError
{
    public static string Describe(SetupProgram p, int step, int errno)
    {
        if (step < 0 || step >= p.Steps.Count) return $"container init failed: {ReportedErrorText.Describe(errno)}";
        var s = p.Steps[step];
        if (s.Kind == StepKind.FindExecutable && s.Subject != null)
        {
            return errno == Errno.ENOENT && !s.Subject.Contains('/')
                ? $"exec: \"{s.Subject}\": executable file not found in $PATH"
                : $"exec: \"{s.Subject}\": stat {s.Subject}: {ReportedErrorText.Describe(errno)}";
        }
        string what = ReportedErrorText.Describe(errno);
        if (errno < 1000) what += $" ({Errno.Name(errno)})";
        return s.Field.Length > 0 ? $"{s.Field}: {s.Text}: {what}" : $"{s.Text}: {what}";
    }
}
