using System.Reflection;
using CsRun.Launch;
using FluentAssertions;
using Xunit;
using CsRun.Launch.Child;

namespace CsRun.Tests.Launch;

/// <summary>
/// The child's rules (docs/design.md: no allocation, no throw, no lock, no glibc wrapper with
/// process-wide state between clone and execve), checked on the IL of everything the child can
/// run, from <see cref="Interpreter.Run"/> down, instead of trusted to comments.
/// </summary>
public class ChildRulesTests
{
    [Fact]
    public void Everything_the_child_runs_obeys_the_child_rules()
    {
        var scanner = new ChildCodeScanner();
        scanner.Scan(typeof(Interpreter).GetMethod(nameof(Interpreter.Run), BindingFlags.Public | BindingFlags.Static)!);
        scanner.Reached.Count.Should().BeGreaterThan(50, "the walk must reach the step implementations");
        scanner.Reached.Should().Contain(m => m.DeclaringType!.Name == "ChildFs", "the walk follows calls into the Child* files");
        var executes = StepTypes().Select(t => t.GetMethod("Execute", BindingFlags.Public | BindingFlags.Static)!).ToList();
        executes.Should().HaveCountGreaterThan(50);
        executes.Except(scanner.Reached).Should().BeEmpty("the interpreter dispatches to every step type's Execute");
        scanner.Violations.Distinct().Should().BeEmpty();
    }

    [Fact]
    public void Every_method_of_the_child_files_obeys_them_too()
    {
        // Child*.cs hold only child code (their file names are the boundary): a helper added
        // there but not yet called is checked before anything calls it.
        var types = typeof(Interpreter).Assembly.GetTypes()
            .Where(t => t.Namespace == "CsRun.Launch.Child").ToList();
        types.Count.Should().BeGreaterThan(15);
        // And the child half (Execute*) of every step type (Launch/Steps).
        types.AddRange(StepTypes());
        var scanner = new ChildCodeScanner();
        foreach (var m in types.SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly))
                     .Where(m => !StepTypes().Contains(m.DeclaringType!) || m.Name.StartsWith("Execute")))
            scanner.Scan(m);
        scanner.Violations.Distinct().Should().BeEmpty();
    }

    /// <summary>The step types: a struct with the child's static Execute.</summary>
    static List<Type> StepTypes() => typeof(Interpreter).Assembly.GetTypes()
        .Where(t => t.Namespace == "CsRun.Launch" && t.IsValueType && t.Name.EndsWith("Step") && t.GetMethod("Execute", BindingFlags.Public | BindingFlags.Static) != null).ToList();

    [Fact]
    public void The_scanner_sees_each_kind_of_violation()
    {
        var scanner = new ChildCodeScanner();
        scanner.Scan(typeof(ChildRulesTests).GetMethod(nameof(Breaks), BindingFlags.NonPublic | BindingFlags.Static)!);
        var v = string.Join("\n", scanner.Violations);
        v.Should().Contain("allocation").And.Contain("newarr").And.Contain("box").And.Contain("throw")
            .And.Contain("System.Threading.Monitor").And.Contain("catch block").And.Contain("P/Invoke of getpid")
            .And.Contain("type initializer");
    }

    static readonly object Gate = new();
    static readonly string[] Table = { "a" };

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "getpid")]
    static extern int GetPid();

    static int Breaks(int x)
    {
        var list = new List<int> { x };
        int[] a = new int[x];
        object o = x;
        lock (Gate) x++;
        try { x += GetPid(); }
        catch (InvalidOperationException) { x--; }
        if (x > 100) throw new InvalidOperationException();
        return list.Count + a.Length + o.GetHashCode() + Table.Length;
    }
}
