using CsRun.Errors;
using CsRun.Linux;
using CsRun.Spec;

namespace CsRun.Criu;

/// <summary>
/// Namespaces the config joins by path, as runc hands them to CRIU: a joined network or pid
/// namespace is "external" (CRIU neither dumps nor makes it; the restore gets an fd of it under
/// the key extRoot&lt;Type&gt;NS), any other is joined by CRIU at restore (join_ns). A joined
/// cgroup namespace CRIU cannot handle: an error, as in runc.
/// </summary>
internal static class CriuNamespaces
{
    static string Key(string type) => "extRoot" + char.ToUpperInvariant(type[0]) + type[1..] + "NS";

    static IEnumerable<Namespace> Joined(Config config) =>
        (config.Linux?.Namespaces ?? new List<Namespace>()).Where(n => !string.IsNullOrEmpty(n.Path));

    public static void ForDump(CriuOptions opts, Config config)
    {
        foreach (var ns in Joined(config))
        {
            if (ns.Type is not ("network" or "pid")) continue;
            if (Files.Stat(ns.Path!, out var id) != 0) throw new RuntimeError($"linux.namespaces: stat {ns.Path}: no such file or directory");
            opts.External.Add($"{CriuName(ns.Type)}[{id.Ino}]:{Key(CriuName(ns.Type))}");
        }
    }

    /// <summary>Adds what the restore needs; returns the fds to hand CRIU as its fds 4, 5, ...
    /// (the caller closes them).</summary>
    public static List<int> ForRestore(CriuOptions opts, Config config)
    {
        var fds = new List<int>();
        try
        {
            foreach (var ns in Joined(config))
            {
                switch (ns.Type)
                {
                    case "network" or "pid":
                        fds.Add(Files.Open(ns.Path!, O.RdOnly, $"linux.namespaces: {ns.Type}"));
                        opts.InheritFds.Add((Key(CriuName(ns.Type)), 3 + fds.Count));
                        break;
                    case "cgroup":
                        throw new RuntimeError($"linux.namespaces: cgroup namespace {ns.Path}: CRIU cannot restore into a joined cgroup namespace");
                    default:
                        opts.JoinNamespaces.Add((CriuName(ns.Type), ns.Path!));
                        break;
                }
            }
            return fds;
        }
        catch
        {
            foreach (int fd in fds) Files.Close(fd);
            throw;
        }
    }

    /// <summary>The spec's namespace names as CRIU (and /proc/pid/ns) spells them.</summary>
    static string CriuName(string type) => type switch
    {
        "network" => "net",
        "mount" => "mnt",
        _ => type,
    };
}
