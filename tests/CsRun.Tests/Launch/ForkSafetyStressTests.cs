using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CsRun.Launch;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace CsRun.Tests.Launch;

/// <summary>
/// The fork-safety proof (docs/design.md): thousands of clones of this (multi-threaded, JIT) process
/// while a hostile thread forces collections. A child cloned mid-collection parks forever at
/// its first GC poll; the spawner must notice, kill it and clone again, so every start succeeds
/// and no child is left hung.
/// </summary>
[Collection(Serial.Name)]
public class ForkSafetyStressTests
{
    readonly ITestOutputHelper _out;
    public ForkSafetyStressTests(ITestOutputHelper output) { _out = output; }

    const int Starts = 2000;

    [Fact]
    public void Thousands_of_starts_under_forced_collections_all_succeed()
    {
        var (done, replaced, hung, failed) = Stress(Starts, stopAtFirstHang: false, hangTimeoutMs: 10_000);
        _out.WriteLine($"{done} starts, {replaced} children replaced after a collection ran across the clone, {hung} hung, {failed} failed");
        hung.Should().Be(0, "a parked child must be detected and replaced, never left hanging");
        failed.Should().Be(0);
        replaced.Should().BeGreaterThan(0, "the hostile thread must really have collected across some clones, or the test proves nothing");
    }

    /// <summary>The control: without the check, the same load leaves children parked forever.</summary>
    [Fact]
    public void Without_the_check_some_children_hang()
    {
        Spawner.DetectParkedChildren = false;
        try
        {
            var (done, _, hung, _) = Stress(Starts * 3, stopAtFirstHang: true, hangTimeoutMs: 2_000);
            _out.WriteLine($"first hang after {done} starts");
            hung.Should().BeGreaterThan(0, "the hazard the spawner guards against must be real");
        }
        finally
        {
            Spawner.DetectParkedChildren = true;
        }
    }

    static (int Done, int Replaced, int Hung, int Failed) Stress(int starts, bool stopAtFirstHang, int hangTimeoutMs)
    {
        WarmUpChildCode();
        int retriesBefore = Spawner.Retries;
        int hung = 0, failed = 0, done = 0;
        using var stop = new CancellationTokenSource();
        var hostile = new Thread(() =>
        {
            // Collections at random moments, with gaps: a clone of this large test host takes
            // milliseconds, and back-to-back collections would overlap every single attempt.
            var junk = new List<byte[]>();
            var random = new Random(42);
            while (!stop.IsCancellationRequested)
            {
                junk.Add(new byte[1024]);
                if (junk.Count > 256) junk.Clear();
                GC.Collect();
                Thread.SpinWait(random.Next(0, 200_000));
            }
        })
        { IsBackground = true };
        hostile.Start();
        try
        {
            for (; done < starts; done++)
            {
                int pid = Spawner.Spawn(Program(), CsRun.Linux.CloneFlags.NewUts, -1, -1);
                int? status = Spawner.WaitWithTimeout(pid, hangTimeoutMs);
                if (status == null)
                {
                    hung++;
                    kill(pid, 9);
                    Spawner.Reap(pid);
                    if (stopAtFirstHang) break;
                }
                else if (status != 0) failed++;
            }
        }
        finally
        {
            stop.Cancel();
            hostile.Join();
        }
        return (done, Spawner.Retries - retriesBefore, hung, failed);
    }

    /// <summary>The child of a container start, reduced to its essentials: a namespace, a syscall, an exec.</summary>
    static SetupProgram Program()
    {
        var p = new SetupProgram();
        var a = p.Arena;
        SethostnameStep.Emit(p, "hostname", "sethostname stress", a.Str("stress"), 6);
        FindExecutableStep.Emit(p, "process.args", "find /bin/true", a.StrArray(new[] { "/bin/true" }));
        ExecveStep.Emit(p, "process.args", "execve /bin/true", a.StrArray(new[] { "true" }), a.StrArray(Array.Empty<string>()));
        return p;
    }

    /// <summary>
    /// The child must not JIT: compile everything it can reach, and resolve every P/Invoke, in
    /// the parent first (csrun itself is AOT-compiled and needs none of this).
    /// </summary>
    static void WarmUpChildCode()
    {
        var asm = typeof(Interpreter).Assembly;
        // Every child class and every step type too (their Execute): a method the child meets
        // un-jitted would make it JIT in a fork.
        var childTypes = asm.GetTypes().Where(t => t.Namespace == "CsRun.Launch.Child" && t.IsClass
            || t.Namespace == "CsRun.Launch" && t.IsValueType && t.Name.EndsWith("Step")).Select(t => t.FullName!);
        foreach (var name in new[] { "CsRun.Launch.Interpreter", "CsRun.Launch.StepResult", "CsRun.Linux.Libc" }.Concat(childTypes).Distinct())
        {
            var type = asm.GetType(name, throwOnError: true)!;
            Marshal.PrelinkAll(type);
            foreach (var m in type.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                if (!m.IsAbstract && !m.ContainsGenericParameters) RuntimeHelpers.PrepareMethod(m.MethodHandle);
        }
        int pid = Spawner.Spawn(Program(), CsRun.Linux.CloneFlags.NewUts, -1, -1);
        Spawner.Reap(pid);
    }

    [DllImport("libc")]
    static extern int kill(int pid, int sig);
}
