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
        Objects(original, inOriginal);
        var inCopy = new HashSet<object>(ReferenceEqualityComparer.Instance);
        Objects(copy, inCopy);
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

    /// <summary>Every list, map and record reachable from <paramref name="value"/>.</summary>
    static void Objects(object value, ISet<object> found)
    {
        if (value is string || value.GetType().IsValueType || !found.Add(value)) return;
        if (value is System.Collections.IDictionary map)
        {
            foreach (System.Collections.DictionaryEntry e in map) if (e.Value != null) Objects(e.Value, found);
            return;
        }
        if (value is System.Collections.IEnumerable list)
        {
            foreach (var item in list) if (item != null) Objects(item, found);
            return;
        }
        foreach (var p in value.GetType().GetProperties().Where(p => p.GetIndexParameters().Length == 0))
            if (p.GetValue(value) is { } v) Objects(v, found);
    }
}
