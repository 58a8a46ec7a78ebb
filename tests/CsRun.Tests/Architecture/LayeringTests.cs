using CsRun.Errors;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Architecture;

/// <summary>
/// The namespaces of csrun are layers (docs/design.md, "Layers"): a namespace uses only those
/// of lower layers, never a higher one nor another of its own layer, checked on the compiled
/// code so a fully qualified name or a using line cannot hide a dependency.
/// </summary>
public class LayeringTests
{
    /// <summary>Lowest first; "" is the CsRun namespace itself (Program).</summary>
    static readonly string[][] Layers =
    {
        new[] { "Errors" },
        new[] { "Linux" },
        new[] { "Diagnostics" },
        new[] { "Spec" },
        new[] { "Seccomp", "Cgroups" },
        new[] { "Launch" },
        new[] { "Rootfs" },
        new[] { "Container" },
        new[] { "Criu" },
        new[] { "Cli" },
        new[] { "" },
    };

    /// <summary>Uses allowed against the layering, until they go (none today: a new one needs its reason here).</summary>
    static readonly (string From, string To)[] Tolerated = System.Array.Empty<(string, string)>();

    static readonly Type[] CsRunTypes = typeof(RuntimeError).Assembly.GetTypes();

    /// <summary>"Linux" for CsRun.Linux and CsRun.Linux.X, "" for CsRun, null outside csrun.</summary>
    static string? LayerOf(Type t) => t.Assembly != typeof(RuntimeError).Assembly || t.Namespace is not { } ns ? null
        : ns == "CsRun" ? ""
        : ns.StartsWith("CsRun.", StringComparison.Ordinal) ? ns["CsRun.".Length..].Split('.')[0]
        : null;

    static int Rank(string layer) => Array.FindIndex(Layers, l => l.Contains(layer));

    [Fact]
    public void Every_namespace_has_a_layer()
    {
        var unplaced = CsRunTypes.Select(LayerOf).OfType<string>().Distinct().Where(l => Rank(l) < 0);
        unplaced.Should().BeEmpty("a new namespace gets its place in LayeringTests.Layers (and in docs/design.md)");
    }

    [Fact]
    public void No_namespace_uses_a_higher_or_a_sibling_one()
    {
        var violations = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (layer, user, used) in Uses())
        {
            if (layer == used.Layer || Tolerated.Contains((layer, used.Layer))) continue;
            if (Rank(used.Layer) >= Rank(layer)) violations.Add($"{layer} -> {used.Layer}: {user.FullName} uses {used.Type.FullName}");
        }
        violations.Should().BeEmpty();
    }

    [Fact]
    public void The_scan_sees_uses_inside_method_bodies()
    {
        // Linux.Files throws RuntimeError from a method body only: the scan must see that.
        Uses().Should().Contain(u => u.User == typeof(CsRun.Linux.Files) && u.Used.Type == typeof(RuntimeError));
        Tolerated.Where(t => !Uses().Any(u => u.From == t.From && u.Used.Layer == t.To)).Should().BeEmpty(
            "a tolerated use that is gone comes off the list");
    }

    static IEnumerable<(string From, Type User, (string Layer, Type Type) Used)> Uses() =>
        UsesOnce.Value;

    static readonly Lazy<List<(string, Type, (string, Type))>> UsesOnce = new(() =>
        (from t in CsRunTypes
         let userLayer = LayerOf(t)
         where userLayer != null
         from used in TypeReferences.Of(t)
         let usedLayer = LayerOf(used)
         where usedLayer != null
         select (userLayer, t, (usedLayer, used))).ToList());
}
