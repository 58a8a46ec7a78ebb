using System.Net.Sockets;
using System.Text;
using CsRun.Cgroups.Systemd;
using CsRun.Errors;
using CsRun.Linux;
using FluentAssertions;
using Xunit;

namespace CsRun.Tests.Cgroups;

/// <summary>
/// Rootless --systemd-cgroup reaches the caller's systemd --user: over its private socket
/// $XDG_RUNTIME_DIR/systemd/private (peer to peer: no bus daemon, no Hello, no AddMatch, signals
/// come unasked), else over the user bus $XDG_RUNTIME_DIR/bus. The VM test runs the real one.
/// </summary>
[Collection(nameof(SystemdBusTests))]
public class UserSystemdTests
{
    [Fact]
    public void The_private_socket_is_a_peer_connection_without_Hello()
    {
        string xdg = TempDir();
        try
        {
            using var peer = new PeerSystemd(Path.Combine(xdg, "systemd", "private"));
            using (var client = SystemdClient.On(DBusConnection.ConnectUserManager(xdg, null)))
            {
                client.Timeout = TimeSpan.FromSeconds(10);
                client.ControlGroup().Should().Be(PeerSystemd.ManagerCgroup);
                client.WaitForJob(client.StartTransientUnit("csrun-c1.scope", new List<UnitProperty>())).Should().Be("done");
            }
            peer.Join();
            peer.Auth.Should().Be("AUTH EXTERNAL " + Convert.ToHexStringLower(Encoding.ASCII.GetBytes(Identity.EffectiveUid.ToString(System.Globalization.CultureInfo.InvariantCulture))));
            peer.Members.Should().Equal("Get", "StartTransientUnit");
        }
        finally
        {
            Directory.Delete(xdg, true);
        }
    }

    [Fact]
    public void Without_the_private_socket_the_user_bus_is_used()
    {
        using var bus = new FakeSystemdBus();
        using var client = SystemdClient.On(DBusConnection.ConnectUserManager(Path.GetDirectoryName(bus.Socket), null));
        client.Timeout = TimeSpan.FromSeconds(10);

        client.WaitForJob(client.StartTransientUnit("csrun-c2.scope", new List<UnitProperty>())).Should().Be("done");
        bus.Members.Should().Equal("StartTransientUnit");
    }

    [Fact]
    public void No_user_manager_is_a_clear_error()
    {
        string xdg = TempDir();
        try
        {
            var act = () => DBusConnection.ConnectUserManager(xdg, null);
            act.Should().Throw<RuntimeError>().WithMessage($"failed to connect to the user bus: dial unix {xdg}/bus: no such file or directory");
            act = () => DBusConnection.ConnectUserManager(null, null);
            act.Should().Throw<RuntimeError>().WithMessage("*$XDG_RUNTIME_DIR is not set");
        }
        finally
        {
            Directory.Delete(xdg, true);
        }
    }

    [Theory]
    [InlineData("/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/user.slice/csrun-a.scope", true)]
    [InlineData("/sys/fs/cgroup/system.slice/csrun-a.scope", false)]
    [InlineData("/sys/fs/cgroup/user.slice/user-1000.slice/csrun-a.scope", false)]
    [InlineData("/sys/fs/cgroup/user@.service/csrun-a.scope", false)]
    [InlineData("/sys/fs/cgroup/user@x.service/csrun-a.scope", false)]
    public void A_saved_cgroup_below_user_at_uid_service_belongs_to_the_user_manager(string dir, bool user) =>
        SystemdManager.InUserManager(dir).Should().Be(user);

    [Fact]
    public void Features_says_the_user_manager_is_supported()
    {
        var r = CsRun.Tests.Integration.CsrunCli.Run(new[] { "features" });
        r.ExitCode.Should().Be(0, r.ToString());
        System.Text.Json.JsonDocument.Parse(r.Stdout).RootElement.GetProperty("linux").GetProperty("cgroup")
            .GetProperty("systemdUser").GetBoolean().Should().BeTrue();
    }

    [Theory]
    [InlineData("         0          0 4294967295\n", 0u, 0u)]
    [InlineData("         0       1000          1\n", 0u, 1000u)]
    [InlineData("         0       1000          1\n         1     100000      65536\n", 5u, 100004u)]
    [InlineData("         0       1000          1\n", 7u, 7u)]
    public void Root_in_a_user_namespace_authenticates_as_the_uid_outside(string map, uint uid, uint outside) =>
        PeerUid.Outside(map, uid).Should().Be(outside);

    [Fact]
    public void The_rootless_default_slice_is_the_user_managers_user_slice()
    {
        var unit = SystemdUnit.Parse("c1", null, SystemdUnit.UserSlice);
        unit.UnitName.Should().Be("csrun-c1.scope");
        new SystemdManager(unit, "/sys/fs/cgroup", user: true, "/user.slice/user-1000.slice/user@1000.service").Paths[""]
            .Should().Be("/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/user.slice/csrun-c1.scope");
        SystemdUnit.Parse("c1", ":p:c1", SystemdUnit.UserSlice).Slice.Should().Be("user.slice");
    }

    static string TempDir()
    {
        string d = Path.Combine(Path.GetTempPath(), "csrun-test-xdg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(d);
        return d;
    }

    /// <summary>
    /// systemd's private socket as sd-bus serves it: SASL EXTERNAL (BEGIN pipelined), then
    /// method calls with no bus in between; JobRemoved is sent to the connection without any
    /// match rule.
    /// </summary>
    sealed class PeerSystemd : IDisposable
    {
        public const string ManagerCgroup = "/user.slice/user-1000.slice/user@1000.service";

        readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        readonly Thread _thread;
        readonly List<string> _members = new();
        Exception? _failure;

        public PeerSystemd(string path)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            _listener.Bind(new UnixDomainSocketEndPoint(path));
            _listener.Listen(1);
            _thread = new Thread(Serve) { IsBackground = true };
            _thread.Start();
        }

        public string Auth { get; private set; } = "";

        public List<string> Members
        {
            get
            {
                lock (_members) return _members.ToList();
            }
        }

        public void Join()
        {
            _thread.Join(10000).Should().BeTrue();
            if (_failure != null) throw new InvalidOperationException("peer failed", _failure);
        }

        void Serve()
        {
            try
            {
                using var s = _listener.Accept();
                s.ReceiveTimeout = 10000;
                var input = new List<byte>();
                byte[] nul = Take(s, input, 1);
                if (nul[0] != 0) throw new InvalidOperationException("no credentials byte");
                Auth = Line(s, input);
                // systemd 252's server leaves the authentication at BEGIN and leaves message
                // bytes read along with it unparsed until more data comes: a client must send
                // BEGIN before any message can follow it, i.e. without waiting for the OK (as
                // sd-bus clients do). This peer wants BEGIN before it answers.
                if (Line(s, input) != "BEGIN") throw new InvalidOperationException("no BEGIN");
                s.Send(Encoding.ASCII.GetBytes("OK 0123456789abcdef0123456789abcdef\r\n"));
                uint serial = 0;
                while (true)
                {
                    byte[] prefix;
                    try { prefix = Take(s, input, DBusMessage.PrefixLength, peek: true); }
                    catch (EndOfStreamException) { return; }
                    var m = DBusMessage.Parse(Take(s, input, DBusMessage.TotalLength(prefix)));
                    lock (_members) _members.Add(m.Member ?? "");
                    var reply = new DBusHeader { ReplySerial = m.Serial };
                    if (m.Member == "Get")
                    {
                        s.Send(DBusMessage.Encode(DBusMessageType.MethodReturn, ++serial, reply, "v", w =>
                        {
                            w.Signature("s");
                            w.String(ManagerCgroup);
                        }));
                    }
                    else if (m.Member == "StartTransientUnit")
                    {
                        string job = "/org/freedesktop/systemd1/job/7";
                        s.Send(DBusMessage.Encode(DBusMessageType.MethodReturn, ++serial, reply, "o", w => w.ObjectPath(job)));
                        s.Send(DBusMessage.Encode(DBusMessageType.Signal, ++serial,
                            new DBusHeader { Path = "/org/freedesktop/systemd1", Interface = "org.freedesktop.systemd1.Manager", Member = "JobRemoved" }, "uoss", w =>
                            {
                                w.UInt32(7);
                                w.ObjectPath(job);
                                w.String(m.Body().String());
                                w.String("done");
                            }));
                    }
                    else
                    {
                        s.Send(DBusMessage.Encode(DBusMessageType.Error, ++serial, new DBusHeader { ReplySerial = m.Serial, ErrorName = "org.freedesktop.DBus.Error.UnknownMethod" }, "s",
                            w => w.String("Unknown method " + m.Member)));
                    }
                }
            }
            catch (Exception e)
            {
                _failure = e;
            }
        }

        static string Line(Socket s, List<byte> input)
        {
            while (true)
            {
                int nl = input.IndexOf((byte)'\n');
                if (nl >= 0)
                {
                    string line = Encoding.ASCII.GetString(input.GetRange(0, nl).ToArray()).TrimEnd('\r');
                    input.RemoveRange(0, nl + 1);
                    return line;
                }
                Fill(s, input);
            }
        }

        static byte[] Take(Socket s, List<byte> input, int n, bool peek = false)
        {
            while (input.Count < n) Fill(s, input);
            byte[] data = input.GetRange(0, n).ToArray();
            if (!peek) input.RemoveRange(0, n);
            return data;
        }

        static void Fill(Socket s, List<byte> input)
        {
            var buf = new byte[4096];
            int n = s.Receive(buf);
            if (n == 0) throw new EndOfStreamException();
            input.AddRange(buf.AsSpan(0, n).ToArray());
        }

        public void Dispose()
        {
            _listener.Dispose();
        }
    }
}
