using System.Reflection;
using System.Text.Json;
using CsRun.Tests.Integration;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace CsRun.Tests.Spec;

/// <summary>A guard against the next silent field: every field of the spec model and every key
/// `csrun features` advertises must be listed with the test that shows csrun handles it.</summary>
public class SpecModelCoverageTests
{
    readonly ITestOutputHelper _out;

    public SpecModelCoverageTests(ITestOutputHelper output) => _out = output;

    [Fact]
    public void Every_spec_field_says_how_csrun_handles_it()
    {
        var model = SpecModelWalk.Paths();
        var table = SpecFieldTable.Fields;
        var gaps = SpecFieldTable.KnownGaps;
        foreach (var (path, why) in gaps) _out.WriteLine($"KNOWN GAP {path}: {why}");

        var problems = new List<string>();
        foreach (var path in model.Where(p => !table.ContainsKey(p) && !gaps.ContainsKey(p)))
            problems.Add($"{path}: not in SpecFieldTable. Add Consumed(\"Class.Method\") naming a test that sets it and observes its effect, " +
                "Refused(\"Class.Method\") naming the test of its error, IgnoredBySpec(\"…\") quoting the spec sentence that lets a runtime ignore it, " +
                "or (if csrun parses it and does nothing) an entry in KnownGaps with the reason");
        foreach (var path in table.Keys.Concat(gaps.Keys).Where(p => !model.Contains(p)))
            problems.Add($"{path}: listed in SpecFieldTable but not a field of the model (renamed or removed?)");
        foreach (var path in table.Keys.Where(gaps.ContainsKey))
            problems.Add($"{path}: both in Fields and in KnownGaps; keep one");
        problems.Should().BeEmpty();
    }

    [Fact]
    public void Every_named_test_exists_and_every_spec_quote_is_one()
    {
        var problems = new List<string>();
        foreach (var (path, entry) in SpecFieldTable.Fields)
        {
            if (entry.How == SpecFieldTable.How.IgnoredBySpec)
            {
                if (!entry.Evidence.Contains(".md") || !entry.Evidence.Contains('"'))
                    problems.Add($"{path}: IgnoredBySpec needs the spec file and its sentence in quotes");
                continue;
            }
            if (FindTest(entry.Evidence) is { } why) problems.Add($"{path}: {why}");
        }
        foreach (var (key, test) in FeatureTable.Keys)
            if (FindTest(test) is { } why) problems.Add($"features {key}: {why}");
        problems.Should().BeEmpty();
    }

    [Fact]
    public void Every_key_features_advertises_has_a_behaviour_test()
    {
        var r = CsrunCli.Run(new[] { "features" });
        r.ExitCode.Should().Be(0, r.ToString());
        var advertised = FeatureTable.Advertised(JsonDocument.Parse(r.Stdout).RootElement);
        advertised.Should().NotBeEmpty();
        foreach (var (key, why) in FeatureTable.KnownGaps) _out.WriteLine($"KNOWN GAP features {key}: {why}");

        var missing = advertised.Where(k => !FeatureTable.Keys.ContainsKey(k) && !FeatureTable.KnownGaps.ContainsKey(k))
            .Select(k => $"features advertises {k} but FeatureTable names no test that shows it taking effect: add one, or stop advertising it");
        var stale = FeatureTable.Keys.Keys.Concat(FeatureTable.KnownGaps.Keys).Where(k => !advertised.Contains(k))
            .Select(k => $"FeatureTable lists {k}, which features does not advertise (any more): remove the entry");
        missing.Concat(stale).Should().BeEmpty();
    }

    /// <summary>Null when "Class.Method" names exactly one [Fact]/[Theory] of this assembly.</summary>
    static string? FindTest(string name)
    {
        int dot = name.LastIndexOf('.');
        if (dot <= 0) return $"\"{name}\" is not Class.Method";
        string cls = name[..dot], method = name[(dot + 1)..];
        var types = typeof(SpecModelCoverageTests).Assembly.GetTypes().Where(t => t.Name == cls).ToList();
        if (types.Count != 1) return $"test class {cls} found {types.Count} times";
        var m = types[0].GetMethod(method, BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static);
        if (m == null) return $"no method {name}";
        return m.GetCustomAttributes<FactAttribute>().Any() ? null : $"{name} is not a [Fact] or [Theory]";
    }
}
