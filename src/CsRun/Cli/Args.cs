using CsRun.Errors;

namespace CsRun.Cli;

/// <summary>A flag a command accepts: long name, optional short name, and whether it takes a value.</summary>
internal sealed record FlagSpec(string Name, string? Short, bool TakesValue, string Help, bool Repeatable = false);

/// <summary>
/// Parsed flags and positional arguments, in runc's (urfave/cli) shape: `--flag value`,
/// `--flag=value`, `-f value`, single-dash long names, bool flags with optional `=true|false`,
/// and `--` to end the flags.
/// </summary>
internal sealed class ParsedArgs
{
    readonly Dictionary<string, List<string>> _values = new();
    public List<string> Positional { get; } = new();

    public bool Has(string name) => _values.ContainsKey(name);
    public string? Get(string name) => _values.TryGetValue(name, out var v) ? v[^1] : null;
    public IReadOnlyList<string> GetAll(string name) => _values.TryGetValue(name, out var v) ? v : Array.Empty<string>();

    public bool Bool(string name)
    {
        var v = Get(name);
        return v != null && v != "false" && v != "0";
    }

    public int Int(string name, int fallback)
    {
        var v = Get(name);
        if (v == null) return fallback;
        if (!int.TryParse(v, out int n)) throw new RuntimeError($"invalid value \"{v}\" for flag --{name}: parse error");
        return n;
    }

    internal void Add(string name, string value)
    {
        if (!_values.TryGetValue(name, out var list)) _values[name] = list = new List<string>();
        list.Add(value);
    }

    /// <summary>Parse <paramref name="args"/>. With <paramref name="stopAtPositional"/>, the first
    /// positional ends flag parsing (exec's command, the global options before a command).</summary>
    public static ParsedArgs Parse(IReadOnlyList<string> args, IReadOnlyList<FlagSpec> specs, bool stopAtPositional = false, int start = 0)
    {
        var result = new ParsedArgs();
        int i = start;
        for (; i < args.Count; i++)
        {
            string a = args[i];
            if (a == "--") { i++; break; }
            if (a.Length < 2 || a[0] != '-')
            {
                result.Positional.Add(a);
                if (stopAtPositional) { i++; break; }
                continue;
            }
            string body = a.StartsWith("--") ? a[2..] : a[1..];
            string? inline = null;
            int eq = body.IndexOf('=');
            if (eq >= 0) { inline = body[(eq + 1)..]; body = body[..eq]; }
            var spec = specs.FirstOrDefault(s => s.Name == body || s.Short == body)
                ?? throw new RuntimeError($"flag provided but not defined: -{body}");
            if (spec.TakesValue)
            {
                if (inline == null)
                {
                    if (i + 1 >= args.Count) throw new RuntimeError($"flag needs an argument: -{body}");
                    inline = args[++i];
                }
                result.Add(spec.Name, inline);
            }
            else
            {
                result.Add(spec.Name, inline ?? "true");
            }
        }
        for (; i < args.Count; i++) result.Positional.Add(args[i]);
        return result;
    }
}
