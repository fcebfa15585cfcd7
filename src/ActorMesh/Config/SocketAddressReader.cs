using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using YamlDotNet.Core;

namespace ActorMesh.Config;

/// <summary>What an address may be where it is used.</summary>
internal sealed record AddressRules(long MinPort, bool PortRequired, bool RequireIp, bool Datagram = false)
{
    /// <summary>Listeners and admin bind: an IP literal, and port 0 asks for an ephemeral port (Envoy's default).</summary>
    public static readonly AddressRules Bind = new(0, false, true);

    /// <summary>Upstream endpoints: a host name is fine until the cluster type says otherwise, and port 0 is never reachable.</summary>
    public static readonly AddressRules Endpoint = new(1, true, false);

    /// <summary>A statsd server: Envoy resolves it once (an IP literal, no DNS) and sends UDP datagrams to it.</summary>
    public static readonly AddressRules StatsdTarget = new(1, true, true, Datagram: true);
}

/// <summary>A socket address with the position of its host, for checks that depend on things read later.</summary>
internal sealed record ReadAddress(SocketAddressConfig Value, string HostPath, Mark HostMark);

internal enum SocketProtocol
{
    Tcp,
    Udp,
}

/// <summary>Envoy's <c>Address</c> with its <c>socket_address</c> member.</summary>
internal static partial class SocketAddressReader
{
    private const long MaxPort = 65535;

    private static readonly Dictionary<string, SocketProtocol> Protocols =
        new(StringComparer.OrdinalIgnoreCase) { ["TCP"] = SocketProtocol.Tcp };

    private static readonly Dictionary<string, SocketProtocol> DatagramProtocols =
        new(StringComparer.OrdinalIgnoreCase) { ["TCP"] = SocketProtocol.Tcp, ["UDP"] = SocketProtocol.Udp };

    /// <summary>Reads <c>key: {socket_address: {...}}</c>, which must be present.</summary>
    public static ReadAddress? ReadRequired(YamlMap parent, string key, AddressRules rules) =>
        parent.RequiredMap(key) is { } address ? Read(address, rules) : null;

    /// <summary>Reads an <c>Address</c> mapping: <c>{socket_address: {...}}</c>.</summary>
    public static ReadAddress? Read(YamlMap address, AddressRules rules) =>
        address.RequiredMap("socket_address", "pipe", "envoy_internal_address") is { } socket
            ? ReadSocketAddress(socket, rules)
            : null;

    public static bool IsIpLiteral(string host) =>
        host.Contains(':')
            ? IPAddress.TryParse(host, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6
            // IPAddress.TryParse also takes "1" and "1.2" (inet_aton forms) which no Envoy user means as an IP.
            : DottedQuad().IsMatch(host) && IPAddress.TryParse(host, out _);

    /// <summary>The address as a comparable key, so <c>::1</c> and <c>0:0:0:0:0:0:0:1</c> are one address.</summary>
    public static string Normalize(SocketAddressConfig address) =>
        (IsIpLiteral(address.Address) ? IPAddress.Parse(address.Address).ToString() : address.Address.ToLowerInvariant())
        + "|" + address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static ReadAddress? ReadSocketAddress(YamlMap socket, AddressRules rules)
    {
        var host = socket.RequiredScalar("address");
        var hostPath = socket.ChildPath("address");
        var hostMark = socket.KeyMark("address");
        var hasPort = socket.Has("port_value");
        var port = socket.Integer("port_value", rules.MinPort, MaxPort);
        socket.Enum("protocol", rules.Datagram ? DatagramProtocols : Protocols);
        if (!hasPort && rules.PortRequired)
        {
            socket.Missing("port_value");
        }
        if (host is null || (hasPort && port is null) || (!hasPort && rules.PortRequired))
        {
            return null;
        }
        if (rules.RequireIp && !IsIpLiteral(host))
        {
            socket.Error("address", $"'{host}' is not an IP address");
            return null;
        }
        return new ReadAddress(new SocketAddressConfig(host, (int)(port ?? 0)), hostPath, hostMark);
    }

    [GeneratedRegex(@"^[0-9]{1,3}(\.[0-9]{1,3}){3}$", RegexOptions.CultureInvariant)]
    private static partial Regex DottedQuad();
}
