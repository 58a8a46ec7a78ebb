using System.Text.Json;
using CsRun.Errors;

namespace CsRun.Criu;

/// <summary>
/// descriptors.json in the image directory, as runc writes it: what fds 0 to 2 of the dumped init
/// were (["/dev/null","pipe:[123]",...]). A restore hands CRIU its own fd of the same number for
/// each pipe (inherit_fd), so the restored init writes to the restorer's stdio.
/// </summary>
internal static class StdioDescriptors
{
    public const string FileName = "descriptors.json";

    public static byte[] Of(int pid)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartArray();
            for (int fd = 0; fd < 3; fd++)
            {
                string target;
                try { target = new FileInfo($"/proc/{pid}/fd/{fd}").LinkTarget ?? ""; }
                catch (IOException) { target = ""; }
                w.WriteStringValue(target);
            }
            w.WriteEndArray();
        }
        return buffer.ToArray();
    }

    /// <summary>The pipes among them, as (name, fd) for inherit_fd.</summary>
    public static List<(string Key, int Fd)> Pipes(string imageDir)
    {
        string path = Path.Combine(imageDir, FileName);
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new RuntimeError($"open {path}: no such file or directory");
        }
        var pipes = new List<(string, int)>();
        try
        {
            using var doc = JsonDocument.Parse(bytes);
            int fd = 0;
            foreach (var e in doc.RootElement.EnumerateArray())
            {
                if (e.ValueKind == JsonValueKind.String && e.GetString() is { } s && s.Contains("pipe:")) pipes.Add((s, fd));
                fd++;
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new RuntimeError($"{path}: not a JSON array of strings");
        }
        return pipes;
    }
}
