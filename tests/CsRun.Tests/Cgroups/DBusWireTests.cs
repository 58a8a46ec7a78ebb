using System.Text;
using CsRun.Cgroups.Systemd;
using CsRun.Errors;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Cgroups;

/// <summary>The D-Bus wire format as csrun writes and reads it, byte for byte.</summary>
public class DBusWireTests
{
    static string Hex(ReadOnlySpan<byte> b) => Convert.ToHexStringLower(b);

    static string HexOf(string s) => Hex(Encoding.ASCII.GetBytes(s));

    static string Written(Action<DBusWriter> write)
    {
        var w = new DBusWriter();
        write(w);
        return Hex(w.Written);
    }

    [Fact]
    public void Hello_is_the_canonical_128_byte_message()
    {
        byte[] m = DBusMessage.MethodCall(1, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "Hello", "", null);

        string expected =
            "6c010001" + "00000000" + "01000000" + "6d000000" +              // l, call, no flags, v1; body 0; serial 1; fields 109 bytes
            "01016f00" + "15000000" + HexOf("/org/freedesktop/DBus") + "00" + "0000" + // PATH
            "02017300" + "14000000" + HexOf("org.freedesktop.DBus") + "00" + "000000" + // INTERFACE
            "03017300" + "05000000" + HexOf("Hello") + "00" + "0000" +                  // MEMBER
            "06017300" + "14000000" + HexOf("org.freedesktop.DBus") + "00" + "000000";  // DESTINATION, padded to 8

        m.Should().HaveCount(128);
        Hex(m).Should().Be(expected);
    }

    [Fact]
    public void A_body_follows_the_signature_field_at_an_8_byte_boundary()
    {
        byte[] m = DBusMessage.MethodCall(7, null, "/", null, "M", "su", w =>
        {
            w.String("ab");
            w.UInt32(5);
        });

        var parsed = DBusMessage.Parse(m);

        parsed.Serial.Should().Be(7);
        parsed.Signature.Should().Be("su");
        parsed.Member.Should().Be("M");
        var body = parsed.Body();
        (body.Position % 8).Should().Be(0);
        Hex(m.AsSpan(body.Position)).Should().Be("02000000" + "61620000" + "05000000");
        body.String().Should().Be("ab");
        body.UInt32().Should().Be(5);
        body.AtEnd.Should().BeTrue();
        DBusMessage.TotalLength(m.AsSpan(0, DBusMessage.PrefixLength)).Should().Be(m.Length);
    }

    [Fact]
    public void A_pids_property_is_a_struct_of_name_and_variant_array() =>
        Written(w => UnitProperty.UInt32s("PIDs", 5).Write(w)).Should().Be(
            "04000000" + HexOf("PIDs") + "00" +   // name
            "02" + HexOf("au") + "00" + "000000" + // variant signature, pad to 4
            "04000000" + "05000000");             // array of 4 bytes: 5

    [Fact]
    public void A_uint64_property_is_aligned_to_8() =>
        Written(w => UnitProperty.UInt64("MemoryMax", 1048576).Write(w)).Should().Be(
            "09000000" + HexOf("MemoryMax") + "00" + "01" + HexOf("t") + "00" + "00000000000000" + "0000100000000000");

    [Fact]
    public void Device_allow_entries_are_structs_aligned_to_8() =>
        Written(w => UnitProperty.Pairs("DeviceAllow", ("/dev/char/1:3", "rwm")).Write(w)).Should().Be(
            "0b000000" + HexOf("DeviceAllow") + "00" +
            "05" + HexOf("a(ss)") + "00" + "00" +                // signature, pad to 4
            "1c000000" + "00000000" +                          // 28 bytes of elements, pad to 8
            "0d000000" + HexOf("/dev/char/1:3") + "00" + "0000" + // struct: path
            "03000000" + HexOf("rwm") + "00");                 // access

    [Fact]
    public void An_empty_array_of_structs_keeps_its_padding() =>
        Written(w =>
        {
            w.Byte(1);
            w.EndArray(w.BeginArray(8));
        }).Should().Be("01000000" + "00000000");

    [Fact]
    public void A_bool_is_four_bytes_and_bytes_are_packed()
    {
        Written(w => UnitProperty.Bool("Delegate", true).Write(w)).Should().Be(
            "08000000" + HexOf("Delegate") + "00" + "01" + HexOf("b") + "00" + "01000000");
        Written(w => UnitProperty.Bytes("AllowedCPUs", new byte[] { 0x27, 0x01 }).Write(w)).Should().EndWith("02000000" + "2701");
    }

    [Fact]
    public void Skip_walks_nested_containers_and_variants()
    {
        byte[] m = DBusMessage.Encode(DBusMessageType.Signal, 3, new DBusHeader { Path = "/p", Interface = "i.f", Member = "S" },
            "a(sv)a{st}u", w =>
            {
                UnitProperty.WriteAll(w, new[]
                {
                    UnitProperty.String("A", "x"), UnitProperty.UInt32s("B", 1, 2), UnitProperty.Pairs("C", ("p", "q")),
                    UnitProperty.Bytes("D", new byte[] { 9 }), UnitProperty.Strings("E", "s"), UnitProperty.UInt64("F", 1),
                });
                var dict = w.BeginArray(8);
                w.BeginStruct();
                w.String("k");
                w.UInt64(2);
                w.EndArray(dict);
                w.UInt32(0xfeed);
            });

        var body = DBusMessage.Parse(m).Body();
        body.Skip("a(sv)a{st}");

        body.UInt32().Should().Be(0xfeed);
        body.AtEnd.Should().BeTrue();
    }

    [Fact]
    public void Big_endian_messages_are_read_too()
    {
        // A method return (serial 2, reply to 1) from a big-endian peer, body "s" = "ok".
        string hex = "42020001" + "00000007" + "00000002" + "0000000f" +
                     "05017500" + "00000001" + "08016700" + "01730000" +
                     "000000026f6b00";
        byte[] m = Convert.FromHexString(hex);

        DBusMessage.TotalLength(m).Should().Be(m.Length);
        var parsed = DBusMessage.Parse(m);

        parsed.Type.Should().Be(DBusMessageType.MethodReturn);
        parsed.ReplySerial.Should().Be(1);
        parsed.Body().String().Should().Be("ok");
    }

    [Fact]
    public void Truncated_values_are_format_errors()
    {
        byte[] m = DBusMessage.MethodCall(1, null, "/", null, "M", "s", w => w.String("abcdef"));
        var cut = m.AsSpan(0, m.Length - 4).ToArray();

        var act = () => DBusMessage.Parse(cut).Body().String();

        act.Should().Throw<DBusFormatException>();
    }

    [Theory]
    [InlineData(null, "/run/dbus/system_bus_socket")]
    [InlineData("unix:path=/var/run/dbus/system_bus_socket", "/var/run/dbus/system_bus_socket")]
    [InlineData("tcp:host=x;unix:path=/tmp/a%20b,guid=0123", "/tmp/a b")]
    public void The_system_bus_address_names_a_socket(string? address, string path) =>
        DBusConnection.SocketPath(address).Should().Be(path);

    [Fact]
    public void Only_unix_path_addresses_are_usable()
    {
        var act = () => DBusConnection.SocketPath("unix:abstract=/tmp/x");

        act.Should().Throw<RuntimeError>().WithMessage("*unix:path=*");
    }
}
