using CsRun.Criu;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Criu;

/// <summary>The hand-written protobuf of CRIU's RPC, byte for byte where protobuf fixes the bytes.</summary>
public class CriuRpcTests
{
    [Fact]
    public void Varints_strings_and_negative_int32_encode_as_protobuf_does()
    {
        new ProtoWriter().Int(1, 150).ToArray().Should().Equal(0x08, 0x96, 0x01);
        new ProtoWriter().String(2, "ab").ToArray().Should().Equal(0x12, 0x02, (byte)'a', (byte)'b');
        // int32 -1 is sign-extended to ten bytes.
        new ProtoWriter().Int(1, -1).ToArray().Should().Equal(0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01);
        new ProtoWriter().Flag(3, false).ToArray().Should().BeEmpty("false bools are CRIU's default and left out");
    }

    [Fact]
    public void A_dump_request_carries_the_options_runc_sets()
    {
        var opts = new CriuOptions { ImagesDirFd = 5, Pid = 42, LeaveRunning = true, LogFile = "dump.log", Root = "/r" };
        opts.ExtMounts.Add(("/data", "/data"));
        byte[] req = CriuRequest.Of(CriuReqType.Dump, opts);
        var r = new ProtoReader(req);
        r.Next().Should().BeTrue();
        (r.Field, r.Varint).Should().Be((1, 1UL));
        r.Next().Should().BeTrue();
        r.Field.Should().Be(2);
        var fields = new Dictionary<int, List<string>>();
        var o = new ProtoReader(r.Bytes);
        while (o.Next()) (fields.TryGetValue(o.Field, out var l) ? l : fields[o.Field] = new()).Add(o.Field is 10 or 13 or 23 ? Convert.ToHexString(o.Bytes) : o.Varint.ToString());
        fields[1].Should().Equal("5");
        fields[2].Should().Equal("42");
        fields[3].Should().Equal("1");
        fields[12].Should().Equal(new[] { "1" }, "notify_scripts: csrun answers notifications");
        fields[24].Should().Equal(new[] { "1" }, "manage_cgroups");
        fields[34].Should().Equal(new[] { "6" }, "manage_cgroups_mode DEFAULT unless asked");
        fields[10].Should().Equal(Convert.ToHexString("dump.log"u8));
        fields[13].Should().Equal(Convert.ToHexString("/r"u8));
        fields[23].Should().ContainSingle();
    }

    [Fact]
    public void A_response_with_a_notification_and_an_error_parses()
    {
        var notify = new ProtoWriter().String(1, "post-restore").Int(2, 1234);
        byte[] resp = new ProtoWriter().Int(1, (int)CriuReqType.Notify).Bool(2, true).Message(5, notify).Int(7, 0).ToArray();
        var r = CriuResponse.Parse(resp);
        r.Type.Should().Be(CriuReqType.Notify);
        r.Success.Should().BeTrue();
        r.NotifyScript.Should().Be("post-restore");
        r.NotifyPid.Should().Be(1234);

        var failed = CriuResponse.Parse(new ProtoWriter().Int(1, 1).Bool(2, false).Int(7, 2).String(9, "bad").Message(8, new ProtoWriter().Bool(1, true)).ToArray());
        (failed.Success, failed.Errno, failed.ErrorMessage, failed.MemTrack).Should().Be((false, 2, "bad", true));
    }

    [Fact]
    public void A_truncated_response_is_a_format_error()
    {
        var act = () => CriuResponse.Parse(new byte[] { 0x0a, 0x05, 0x01 });
        act.Should().Throw<FormatException>();
    }
}
