using System.Text;
using System.Text.Json;
using CsRun.Errors;
using CsRun.Linux;

namespace CsRun.Diagnostics;

/// <summary>
/// runc's --log/--log-format: one line per record, `{"level","msg","time"}` in json, logrus's
/// `time="…" level=… msg="…"` in text. Without --log, warnings (and debug records at --debug)
/// go to stderr in the chosen format, and so does the final error in json (runc alike).
/// The file is opened once, before the command runs, as runc does: a path that cannot be opened
/// (a directory, a missing directory) fails every command but `--version` and `--help`.
/// </summary>
internal static class Log
{
    static string? _path;
    static int _fd = -1;
    static bool _json;
    public static bool Debugging { get; private set; }

    public static void Configure(string? path, string format, bool debug)
    {
        if (format != "text" && format != "json") throw new RuntimeError($"invalid log-format: {format}");
        if (_fd >= 0) { Files.Close(_fd); _fd = -1; }
        _path = string.IsNullOrEmpty(path) ? null : path;
        _json = format == "json";
        Debugging = debug;
    }

    /// <summary>
    /// Opens the --log file for appending (created 0644, as runc's O_CREATE|O_WRONLY|O_APPEND),
    /// kept open, close-on-exec, for the rest of the command. Children close it at their first
    /// step, and a hole it fills is still one for --preserve-fds (checked against the fds open
    /// before the runtime started).
    /// </summary>
    public static void Open()
    {
        int errno = TryOpen();
        if (errno == 0) return;
        string path = _path!;
        _path = null; // the error itself goes to stderr only
        throw new RuntimeError($"--log: open {path}: {Errno.Message(errno)}");
    }

    static int TryOpen()
    {
        if (_path == null || _fd >= 0) return 0;
        int fd = Files.TryOpen(_path, O.WrOnly | O.Creat | O.Append, 0x1a4 /*0644*/);
        if (fd < 0) return -fd;
        _fd = fd;
        return 0;
    }

    public static void Debug(string msg) { if (Debugging) Write("debug", msg); }
    public static void Warn(string msg) => Write("warning", msg, toStderr: true);
    public static void Error(string msg) => Write("error", msg, toStderr: false);

    /// <summary>
    /// The error a command ends with: to --log as a record and to stderr as the bare message;
    /// without --log, stderr gets it as a JSON record in json format (runc's logrus writes it
    /// there), the bare message in text.
    /// </summary>
    public static void Fatal(string msg)
    {
        if (_path == null && _json)
        {
            Output.ErrLine(Format("error", msg, Now(), json: true));
            return;
        }
        Error(msg);
        Output.ErrLine(msg);
    }

    static string Now() => DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffffK", System.Globalization.CultureInfo.InvariantCulture);

    static void Write(string level, string msg, bool toStderr = true)
    {
        string time = Now();
        if (_path == null)
        {
            if (toStderr && (level != "debug" || Debugging)) Output.ErrLine(Format(level, msg, time, _json));
            return;
        }
        int errno = TryOpen();
        if (errno != 0 || Files.WriteAll(_fd, Encoding.UTF8.GetBytes(Format(level, msg, time, _json) + "\n")) != 0)
            Output.ErrLine($"csrun: cannot write log {_path}{(errno != 0 ? ": " + Errno.Message(errno) : "")}");
    }

    internal static string Format(string level, string msg, string time, bool json)
    {
        if (!json) return $"time=\"{time}\" level={level} msg={Quote(msg)}";
        using var stream = new MemoryStream();
        // Quotes as \" (Go's encoding, runc's), not \u0022.
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("level", level);
            w.WriteString("msg", msg);
            w.WriteString("time", time);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    static string Quote(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n") + "\"";
}
