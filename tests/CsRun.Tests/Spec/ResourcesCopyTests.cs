using System.Text;
using CsRun.Spec;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Spec;

/// <summary>`update` merges into a copy of the saved resources, so a failed update leaves them as they were.</summary>
public class ResourcesCopyTests
{
    static string Json(Resources r) => Encoding.UTF8.GetString(ReflectionJson.Serialize(r, indented: true));

    [Fact]
    public void A_fully_populated_copy_equals_the_original()
    {
        var original = FullConfig.FullResources();
        Json(ResourcesCopy.Of(original)).Should().Be(Json(original));
    }

    [Fact]
    public void Nothing_but_strings_is_shared_with_the_original()
    {
        var original = FullConfig.FullResources();
        var copy = ResourcesCopy.Of(original);
        var inOriginal = new HashSet<object>(ReferenceEqualityComparer.Instance);
        ModelTree.Walk(original, node: o => inOriginal.Add(o));
        var inCopy = new HashSet<object>(ReferenceEqualityComparer.Instance);
        ModelTree.Walk(copy, node: o => inCopy.Add(o));
        inCopy.Should().HaveCount(inOriginal.Count);
        inCopy.Where(inOriginal.Contains).Should().BeEmpty();
    }

    [Fact]
    public void Changing_the_copy_leaves_the_original_unchanged()
    {
        var original = FullConfig.FullResources();
        string before = Json(original);
        var copy = ResourcesCopy.Of(original);
        copy.Devices![1].Allow = false;
        copy.Memory!.Limit = 1;
        copy.Cpu!.Cpus = "9";
        copy.Pids!.Limit = 9;
        copy.BlockIo!.WeightDevice![0].Weight = 9;
        copy.BlockIo.ThrottleReadBpsDevice!.Add(new ThrottleDevice { Major = 9 });
        copy.BlockIo.ThrottleWriteIopsDevice!.Add(new ThrottleDevice());
        copy.HugepageLimits![0].Limit = 9;
        copy.Network!.Priorities![0].Priority = 9;
        copy.Rdma!["mlx5_1"].HcaHandles = 9;
        copy.Rdma["new"] = new RdmaLimit();
        copy.Unified!["z"] = "9";
        Json(original).Should().Be(before);
    }

    [Fact]
    public void Nulls_stay_where_they_were()
    {
        var original = new Resources { Devices = new() { null! }, Rdma = new() { ["x"] = null! }, Unified = new() { ["k"] = null! } };
        Json(ResourcesCopy.Of(original)).Should().Be(Json(original));
        Json(ResourcesCopy.Of(new Resources())).Should().Be("{}");
    }
}
