using System.Globalization;

namespace CsRun.Cgroups.Systemd;

/// <summary>
/// A systemd unit property as StartTransientUnit and SetUnitProperties take it: (name,
/// variant). The value is one of the few shapes csrun sends, named by its D-Bus signature.
/// </summary>
internal sealed record UnitProperty(string Name, string Signature, object Value)
{
    public static UnitProperty String(string name, string v) => new(name, "s", v);
    public static UnitProperty Bool(string name, bool v) => new(name, "b", v);
    public static UnitProperty UInt64(string name, ulong v) => new(name, "t", v);
    public static UnitProperty UInt32s(string name, params uint[] v) => new(name, "au", v);
    public static UnitProperty Bytes(string name, byte[] v) => new(name, "ay", v);
    public static UnitProperty Strings(string name, params string[] v) => new(name, "as", v);
    public static UnitProperty Pairs(string name, params (string, string)[] v) => new(name, "a(ss)", v);

    /// <summary>The (sv) struct: name, then the value as a variant.</summary>
    public void Write(DBusWriter w)
    {
        w.BeginStruct();
        w.String(Name);
        w.Signature(Signature);
        switch (Value)
        {
            case string s: w.String(s); break;
            case bool b: w.Bool(b); break;
            case ulong t: w.UInt64(t); break;
            case uint[] au:
                {
                    var a = w.BeginArray(4);
                    foreach (uint u in au) w.UInt32(u);
                    w.EndArray(a);
                    break;
                }
            case byte[] ay:
                {
                    var a = w.BeginArray(1);
                    foreach (byte y in ay) w.Byte(y);
                    w.EndArray(a);
                    break;
                }
            case string[] @as:
                {
                    var a = w.BeginArray(4);
                    foreach (string s in @as) w.String(s);
                    w.EndArray(a);
                    break;
                }
            case (string, string)[] pairs:
                {
                    var a = w.BeginArray(8);
                    foreach (var (x, y) in pairs)
                    {
                        w.BeginStruct();
                        w.String(x);
                        w.String(y);
                    }
                    w.EndArray(a);
                    break;
                }
            default: throw new InvalidOperationException($"unit property {Name}: unsupported value type");
        }
    }

    /// <summary>a(sv): a property list.</summary>
    public static void WriteAll(DBusWriter w, IEnumerable<UnitProperty> props)
    {
        var a = w.BeginArray(8);
        foreach (var p in props) p.Write(w);
        w.EndArray(a);
    }

    /// <summary>Name=value as systemctl shows it, for messages and the debug log.</summary>
    public override string ToString() => Name + "=" + Value switch
    {
        string s => s,
        bool b => b ? "yes" : "no",
        ulong t => t == ulong.MaxValue ? "infinity" : t.ToString(CultureInfo.InvariantCulture),
        uint[] au => string.Join(' ', au),
        byte[] ay => Convert.ToHexStringLower(ay),
        string[] @as => string.Join(' ', @as),
        (string, string)[] pairs => string.Join(' ', pairs.Select(p => p.Item1 + ":" + p.Item2)),
        _ => "?",
    };
}
