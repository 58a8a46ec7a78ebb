namespace CsRun.Spec.Validation;

/// <summary>The config under validation, with the namespace questions most rules ask.</summary>
internal sealed class Context
{
    public Config Config { get; }
    public LinuxConfig Linux { get; }
    public string BundleDir { get; }
    public ValidationOptions Options { get; }

    public Context(Config config, string bundleDir, ValidationOptions options)
    {
        Config = config;
        Linux = config.Linux ?? new LinuxConfig();
        BundleDir = bundleDir;
        Options = options;
    }

    /// <summary>Index in linux.namespaces of the first entry of that type, or -1.</summary>
    public int IndexOf(string type) => Linux.Namespaces?.FindIndex(n => n.Type == type) ?? -1;

    /// <summary>The container gets its own namespace of that type: a new one or a joined one
    /// (runc's "Contains"; joining is how pods share one).</summary>
    public bool Has(string type) => IndexOf(type) >= 0;

    /// <summary>The path of a namespace to join, or null when it is new or absent.</summary>
    public string? JoinPath(string type)
    {
        int i = IndexOf(type);
        return i >= 0 && !string.IsNullOrEmpty(Linux.Namespaces![i].Path) ? Linux.Namespaces[i].Path : null;
    }

    /// <summary>A rule's reason when the namespace is missing.</summary>
    public static string Needs(string type) =>
        $"requires {(type == "ipc" ? "an" : "a")} {type} namespace (linux.namespaces has no \"{type}\")";
}
