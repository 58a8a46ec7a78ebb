using Xunit;

namespace CsRun.Tests;

/// <summary>
/// Tests that load both cores on purpose (thousands of clones under forced collections, fuzzing
/// through the binary) run alone, so that timing-sensitive tests elsewhere are not starved.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class Serial
{
    public const string Name = "serial: CPU-heavy";
}
