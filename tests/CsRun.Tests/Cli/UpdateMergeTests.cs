using CsRun.Container;
using CsRun.Spec;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Cli;

/// <summary>How `update` folds new values into the saved resources (runc's rules).</summary>
public class UpdateMergeTests
{
    static Resources Saved() => new()
    {
        Devices = new() { new DeviceRule { Allow = false, Access = "rwm" } },
        Memory = new MemoryResources { Limit = 64 << 20, Swap = 128 << 20 },
        Cpu = new CpuResources { Shares = 512, Quota = 20000, Period = 100000, Cpus = "0" },
        Pids = new PidsResources { Limit = 30 },
        BlockIo = new BlockIo
        {
            Weight = 100,
            WeightDevice = new() { new WeightDevice { Major = 8, Minor = 0, Weight = 200 } },
            ThrottleReadBpsDevice = new() { new ThrottleDevice { Major = 8, Minor = 0, Rate = 1000 } },
        },
    };

    [Fact]
    public void Given_values_replace_and_the_rest_is_kept()
    {
        var merged = Updater.Merge(Saved(), new Resources
        {
            Memory = new MemoryResources { Limit = 256 << 20 },
            Cpu = new CpuResources { Quota = 50000, Cpus = "" },
            Pids = new PidsResources { Limit = 0 },
        });

        merged.Memory!.Limit.Should().Be(256 << 20);
        merged.Memory.Swap.Should().Be(128 << 20);
        merged.Cpu!.Quota.Should().Be(50000);
        merged.Cpu.Period.Should().Be(100000, "a quota alone keeps the old period");
        merged.Cpu.Shares.Should().Be(512);
        merged.Cpu.Cpus.Should().Be("0", "an empty string is unset");
        merged.Pids!.Limit.Should().Be(30, "0 is unset");
        merged.Devices.Should().HaveCount(1, "update never touches device rules");
    }

    [Fact]
    public void The_saved_resources_are_not_changed_by_merging()
    {
        var saved = Saved();
        Updater.Merge(saved, new Resources { Memory = new MemoryResources { Limit = 1 }, BlockIo = new BlockIo { Weight = 500 } });
        saved.Memory!.Limit.Should().Be(64 << 20);
        saved.BlockIo!.Weight.Should().Be((ushort)100);
    }

    [Fact]
    public void Unlimited_memory_without_a_swap_value_lifts_the_swap_limit_too()
    {
        var merged = Updater.Merge(Saved(), new Resources { Memory = new MemoryResources { Limit = -1 } });
        merged.Memory!.Limit.Should().Be(-1);
        merged.Memory.Swap.Should().Be(0, "0 lets the writer lift memsw with the memory limit");
    }

    [Fact]
    public void Block_io_devices_are_updated_by_major_minor_or_appended()
    {
        var merged = Updater.Merge(Saved(), new Resources
        {
            BlockIo = new BlockIo
            {
                WeightDevice = new() { new WeightDevice { Major = 8, Minor = 0, LeafWeight = 300 }, new WeightDevice { Major = 8, Minor = 16, Weight = 400 } },
                ThrottleReadBpsDevice = new() { new ThrottleDevice { Major = 8, Minor = 0, Rate = 5000 } },
                ThrottleWriteIopsDevice = new() { new ThrottleDevice { Major = 8, Minor = 16, Rate = 10 } },
            },
        });

        var b = merged.BlockIo!;
        b.Weight.Should().Be((ushort)100);
        b.WeightDevice.Should().BeEquivalentTo(new[]
        {
            new WeightDevice { Major = 8, Minor = 0, Weight = 200, LeafWeight = 300 },
            new WeightDevice { Major = 8, Minor = 16, Weight = 400 },
        });
        b.ThrottleReadBpsDevice.Should().ContainSingle().Which.Rate.Should().Be(5000);
        b.ThrottleWriteIopsDevice.Should().ContainSingle().Which.Minor.Should().Be(16);
    }

    [Fact]
    public void Nothing_given_adds_no_empty_sections()
    {
        var merged = Updater.Merge(null, new Resources { Memory = new MemoryResources(), BlockIo = new BlockIo(), Cpu = new CpuResources() });
        merged.BlockIo.Should().BeNull();
        merged.Pids.Should().BeNull();
    }

    [Fact]
    public void Unified_keys_are_upserted()
    {
        var saved = new Resources { Unified = new() { ["memory.high"] = "1G", ["pids.max"] = "10" } };
        var merged = Updater.Merge(saved, new Resources { Unified = new() { ["pids.max"] = "20" } });
        merged.Unified.Should().Equal(new Dictionary<string, string> { ["memory.high"] = "1G", ["pids.max"] = "20" });
    }
}
