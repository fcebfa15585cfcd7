using System.Net;
using System.Text;

namespace ActorMesh.AccessLog;

/// <summary>Addresses as Envoy prints them: <c>10.0.0.1:80</c>, <c>[::1]:80</c>; without the port <c>::1</c>.</summary>
internal static class AddressFormat
{
    public static bool Append(EndPoint? endPoint, bool withPort, StringBuilder output)
    {
        switch (endPoint)
        {
            case IPEndPoint ip:
                Span<char> text = stackalloc char[64];
                if (!ip.Address.TryFormat(text, out var written))
                {
                    return false;
                }
                var v6 = ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
                if (withPort && v6)
                {
                    output.Append('[').Append(text[..written]).Append(']');
                }
                else
                {
                    output.Append(text[..written]);
                }
                if (withPort)
                {
                    output.Append(':').Append(ip.Port);
                }
                return true;
            case DnsEndPoint dns:
                output.Append(dns.Host);
                if (withPort)
                {
                    output.Append(':').Append(dns.Port);
                }
                return true;
            case null:
                return false;
            default:
                output.Append(endPoint.ToString());
                return true;
        }
    }

    public static string ToString(EndPoint? endPoint, bool withPort)
    {
        var builder = new StringBuilder();
        return Append(endPoint, withPort, builder) ? builder.ToString() : "-";
    }
}
