using System.Text.Json;
using CsRun.Errors;
using CsRun.Linux;

namespace CsRun.Spec;

/// <summary>Reads config.json into the model. Fields this runtime does not know are ignored, as
/// the spec requires; a value of the wrong JSON type is an error that names its JSON path.</summary>
public static class ConfigLoader
{
    /// <summary>
    /// The most config.json (and exec --process) may weigh. Parsing costs memory in proportion:
    /// about 8 times the file for strings (a 112 MB config drove csrun to 922 MB), up to 31
    /// times for a list of empty objects. Real configs are small: runc's starter config is
    /// 2.6 KB, podman's with its seccomp profile 20-60 KB; a Kubernetes pod spec must fit
    /// etcd's 1.5 MiB request limit, and a process's args and environment must fit execve's
    /// ARG_MAX (2 MiB by default, 6 MiB at most). 8 MiB leaves room for all of that and bounds
    /// csrun near 70 MB for a config of strings, 260 MB at worst. runc has no limit.
    /// </summary>
    public const long ConfigLimit = 8 << 20;

    /// <summary>update -r: a resources object (a few KB even with device rules and unified keys).</summary>
    public const long ResourcesLimit = 1 << 20;

    public static Config Load(string path) => Load(path, out _);

    /// <summary>Load, also handing back the file's bytes (create keeps them in state.json as they are).</summary>
    public static Config Load(string path, out byte[] data)
    {
        int errno = ReadBounded(path, ConfigLimit, out data);
        // runc's words for the common case, so that callers matching them keep working.
        if (errno == Errno.ENOENT) throw new RuntimeError($"JSON specification file {path} not found: {Errno.Message(errno)}");
        if (errno != 0) throw new RuntimeError($"open {path}: {Errno.Message(errno)}");
        return Parse(data);
    }

    /// <summary>
    /// A regular file of at most <paramref name="limit"/> bytes, read before anything is made.
    /// A FIFO, /dev/zero or a socket is refused without reading it (runc waits forever on a
    /// FIFO), a larger file before it is read. Returns 0, or the errno of open or read
    /// for the caller to word; throws the size and type errors itself.
    /// </summary>
    public static int ReadBounded(string path, long limit, out byte[] data)
    {
        var r = Files.ReadRegular(path, limit);
        data = r.Data;
        if (r.NotRegular) throw new RuntimeError($"{path}: not a regular file ({Files.TypeName(r.Type)})");
        if (r.Errno == Errno.EFBIG) throw TooLarge(path, r.Size, limit);
        return r.Errno;
    }

    /// <summary>"config.json: too large (N bytes, limit M)"; a <paramref name="size"/> of -1
    /// for input whose size is not known (a pipe, or a file that grew while read).</summary>
    public static RuntimeError TooLarge(string what, long size, long limit) =>
        new($"{what}: too large ({(size < 0 ? "more than " + limit : size.ToString())} bytes, limit {limit})");

    /// <summary>Strict JSON (no comments, no trailing commas, no byte-order mark): safe to embed
    /// as a raw value.</summary>
    public static bool IsStrictJson(ReadOnlySpan<byte> json)
    {
        if (json.StartsWith("\uFEFF"u8)) return false;
        try
        {
            var r = new Utf8JsonReader(json);
            while (r.Read()) { }
            return true;
        }
        catch (JsonException) { return false; }
    }

    public static Config Parse(ReadOnlySpan<byte> json)
    {
        Config? config = FastConfigReader.ReadConfigJson(json);
        if (config == null) throw new RuntimeError("config cannot be null");
        if (NullElements.FirstPath(json) is string at) throw new RuntimeError($"{at}: must not be null");
        return config;
    }
}
