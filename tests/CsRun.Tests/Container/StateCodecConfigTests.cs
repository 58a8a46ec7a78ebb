using System.Text;
using CsRun.Container;
using CsRun.Spec;
using CsRun.Tests.Spec;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Container;

/// <summary>A config state.json cannot take raw (not strict JSON, or changed by `update`) is
/// embedded from the model, compact.</summary>
public class StateCodecConfigTests
{
    static string Json(Config c) => Encoding.UTF8.GetString(ReflectionJson.Serialize(c, indented: false));

    [Fact]
    public void A_config_from_the_model_is_embedded_compact_and_reads_back_the_same()
    {
        var config = FullConfig.Create();
        var s = new ContainerState { Id = "c", InitPid = 42, Config = config };
        string state = Encoding.UTF8.GetString(StateCodec.Write(s));
        state.Should().Contain("\"config\":" + Json(config) + "}");
        Json(StateCodec.Read(Encoding.UTF8.GetBytes(state)).Config).Should().Be(Json(config));
    }
}
