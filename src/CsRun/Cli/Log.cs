using System.Text;
using System.Text.Json;

namespace CsRun.Cli;

/// <summary>
/// runc's --log/--log-format: one line per record, `{"level","msg","time"}` in json, logrus's
/// `time="…" level=… msg="…"` in text. Without --log, records go to stderr only at --debug.
/// </summary>
internal static class Log
{
    static string? _path;
    static bool _json;
    public static bool Debugging { get; private set; }

    public static void Configure(string? path, string format, bool debug)
    {
        if (format != "text" && format != "json") throw new RuntimeError($"invalid log-format: {format}");
        _path = string.IsNullOrEmpty(path) ? null : path;
        _json = format == "json";
        Debugging = debug;
    }

    public static void Debug(string msg) { if (Debugging) Write("debug", msg); }
    public static void Info(string msg) => Write("info", msg, toStderr: false);
    public static void Warn(string msg) => Write("warning", msg, toStderr: true);
    public static void Error(string msg) => Write("error", msg, toStderr: false);

    static void Write(string level, string msg, bool toStderr = true)
    {
        string time = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffffK", System.Globalization.CultureInfo.InvariantCulture);
        if (_path == null)
        {
            if (toStderr && (level != "debug" || Debugging)) Output.ErrLine(Format(level, msg, time, json: false));
            return;
        }
        try
        {
            File.AppendAllText(_path, Format(level, msg, time, _json) + "\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Output.ErrLine($"csrun: cannot write log {_path}: {e.Message}");
        }
    }

    internal static string Format(string level, string msg, string time, bool json)
    {
        if (!json) return $"time=\"{time}\" level={level} msg={Quote(msg)}";
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
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
