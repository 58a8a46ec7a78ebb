namespace CsRun.Criu;

/// <summary>CRIU's own account of a failure: its log's "Error" lines, as runc quotes them.</summary>
internal static class CriuLog
{
    /// <summary>
    /// An "Error" CRIU logs and goes on from: it cannot raise its own fd limit without
    /// CAP_SYS_RESOURCE (a container host often drops it), which only matters for huge fd tables.
    /// </summary>
    public static bool IsNoise(string line) => line.Contains("Can't setup RLIMIT_NOFILE", StringComparison.Ordinal);

    /// <summary>The cause of a failed page server connection, which CRIU logs as information.</summary>
    static bool IsError(string line) =>
        (line.Contains("Error", StringComparison.Ordinal) || line.Contains("Can't connect to server", StringComparison.Ordinal)) && !IsNoise(line);

    /// <summary><paramref name="message"/>, then the log's first error lines and where the log is.</summary>
    public static string WithErrors(string message, string logPath)
    {
        string[] lines;
        try { lines = File.ReadAllLines(logPath); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return message; }
        var errors = lines.Where(IsError).Take(3).Select(l => l.Trim());
        string quoted = string.Join("; ", errors);
        return quoted.Length > 0 ? $"{message}: {quoted} (log: {logPath})" : $"{message} (log: {logPath})";
    }
}
