using CsRun.Container;
using CsRun.Errors;
using CsRun.Linux;
using CsRun.Spec;

namespace CsRun.Cli;

/// <summary>`csrun spec`: writes runc's starter config.json into the bundle, never over one.</summary>
internal sealed class SpecCommand : ICommand
{
    public string Name => "spec";
    public string Usage => "create a new specification file";
    public string ArgsUsage => "";

    public FlagSpec[] Flags { get; } =
    {
        new("bundle", "b", true, "path to the root of the bundle directory"),
        new("rootless", null, false, "generate a configuration for a rootless container"),
    };

    public int Run(GlobalOptions global, ParsedArgs args)
    {
        if (args.Positional.Count != 0) throw new RuntimeError("csrun: \"spec\" requires exactly 0 argument(s)");
        string bundle = args.Get("bundle") ?? "";
        // runc chdirs into the bundle; csrun only checks it as chdir would, and keeps its cwd.
        if (bundle.Length > 0)
        {
            int errno = Files.Stat(bundle, out var id);
            if (errno == 0 && !id.IsDirectory) errno = Errno.ENOTDIR;
            if (errno != 0) throw new RuntimeError($"chdir {bundle}: {Errno.Message(errno)}");
        }
        string path = bundle.Length > 0 ? Path.Combine(bundle, "config.json") : "config.json";
        var json = DefaultSpec.ToJson(DefaultSpec.Create(args.Bool("rootless")));
        int err = Files.WriteNew(path, json, 438); // 0666 less the umask, as runc
        if (err == Errno.EEXIST) throw new RuntimeError("File config.json exists. Remove it first");
        if (err != 0) throw new RuntimeError($"open {path}: {Errno.Message(err)}");
        return 0;
    }
}
