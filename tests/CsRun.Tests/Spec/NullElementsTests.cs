using CsRun.Errors;
using CsRun.Spec;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Spec;

public class NullElementsTests
{
    [Theory]
    [InlineData("{\"ociVersion\":\"1\",\"linux\":{\"namespaces\":[{\"type\":\"pid\"},null]}}", "linux.namespaces[1]: must not be null")]
    [InlineData("{\"ociVersion\":\"1\",\"mounts\":[{\"destination\":\"/a\"}],\"linux\":{\"devices\":[{\"type\":\"c\",\"path\":\"/dev/x\"},null]}}", "linux.devices[1]: must not be null")]
    [InlineData("{\"ociVersion\":\"1\",\"hooks\":{\"prestart\":[null]}}", "hooks.prestart[0]: must not be null")]
    public void A_null_array_element_is_an_error_naming_its_path(string json, string message)
    {
        var act = () => ConfigLoader.Parse(System.Text.Encoding.UTF8.GetBytes(json));
        act.Should().Throw<RuntimeError>().WithMessage(message);
    }
}
