using System.Net;
using System.Net.Sockets;
using ActorMesh.Config;

namespace ActorMesh.Http;

/// <summary>
/// Envoy's request header mutations at the connection manager (its <c>ConnectionManagerUtility</c>): the trusted
/// client address from <c>x-forwarded-for</c>, internal versus external origin, <c>x-forwarded-proto</c>,
/// <c>x-envoy-external-address</c>, <c>x-envoy-internal</c>, sanitising <c>x-envoy-*</c> on edge requests, and
/// <c>x-request-id</c>. Runs after hop-by-hop removal so a <c>Connection</c> header cannot strip what is added here.
/// </summary>
public static class ForwardingHeaders
{
    /// <summary>Headers only a trusted (internal) hop may set; an edge proxy removes them from external requests.</summary>
    private static readonly string[] InternalOnly =
    [
        "x-envoy-decorator-operation",
        "x-envoy-downstream-service-cluster",
        "x-envoy-downstream-service-node",
        "x-envoy-expected-rq-timeout-ms",
        "x-envoy-external-address",
        "x-envoy-force-trace",
        "x-envoy-hedge-on-per-try-timeout",
        "x-envoy-internal",
        "x-envoy-ip-tags",
        "x-envoy-max-retries",
        "x-envoy-retry-grpc-on",
        "x-envoy-retry-on",
        "x-envoy-upstream-alt-stat-name",
        "x-envoy-upstream-rq-per-try-timeout-ms",
        "x-envoy-upstream-rq-timeout-alt-response",
        "x-envoy-upstream-rq-timeout-ms",
    ];

    /// <summary>Mutates <paramref name="headers"/> for forwarding and returns the trusted client address.</summary>
    public static IPAddress? Apply(HttpHeaders headers, ForwardingConfig config, IPAddress? remote)
    {
        var xff = headers.CountOf("x-forwarded-for") == 0 ? null : string.Join(',', headers.GetAll("x-forwarded-for"));
        var xffAddresses = xff is null ? [] : ParseList(xff);
        IPAddress? trusted;
        bool internalRequest;
        if (config.UseRemoteAddress)
        {
            // The Nth address from the right of XFF when N hops in front are trusted; else the peer itself.
            trusted = config.XffNumTrustedHops > 0 && xffAddresses.Count >= config.XffNumTrustedHops
                ? xffAddresses[^config.XffNumTrustedHops] ?? remote
                : remote;
            internalRequest = xff is null && remote is not null && IsInternal(remote);
            if (!config.SkipXffAppend && remote is not null)
            {
                headers.Set("x-forwarded-for", xff is null ? remote.ToString() : $"{xff}, {remote}");
            }
        }
        else
        {
            // The (N+1)th from the right: the last hop appended it, and N hops before that are trusted.
            trusted = xffAddresses.Count > config.XffNumTrustedHops
                ? xffAddresses[^(config.XffNumTrustedHops + 1)] ?? remote
                : remote;
            internalRequest = xffAddresses is [{ } only] && IsInternal(only);
        }

        var edge = config.UseRemoteAddress && !internalRequest;
        if (edge)
        {
            foreach (var name in InternalOnly)
            {
                headers.Remove(name);
            }
            if (trusted is not null)
            {
                headers.Add("x-envoy-external-address", trusted.ToString());
            }
        }
        else if (internalRequest)
        {
            headers.Set("x-envoy-internal", "true");
        }
        else
        {
            headers.Remove("x-envoy-internal");
        }

        // A downstream's x-forwarded-proto is believed only when hops in front of us are trusted; there is no TLS yet.
        var proto = headers.Get("x-forwarded-proto");
        if (config.XffNumTrustedHops == 0 || proto is not ("http" or "https"))
        {
            headers.Set("x-forwarded-proto", "http");
        }

        var requestId = headers.Get("x-request-id");
        if (config.GenerateRequestId && (requestId is null || (edge && !config.PreserveExternalRequestId)))
        {
            headers.Set("x-request-id", RequestId.Next());
        }
        return trusted;
    }

    /// <summary>
    /// Whether the router may act on the request's <c>x-envoy-*</c> control headers (retries, timeouts): false for an
    /// external request at an edge proxy, whose such headers <see cref="Apply"/> strips, as Envoy sanitises them
    /// before its router sees them.
    /// </summary>
    public static bool TrustsEnvoyHeaders(HttpHeaders headers, ForwardingConfig config, IPAddress? remote) =>
        !config.UseRemoteAddress || (headers.CountOf("x-forwarded-for") == 0 && remote is not null && IsInternal(remote));

    /// <summary>
    /// Envoy's default notion of internal (<c>Network::Utility::isInternalAddress</c>): RFC 1918 space and 127.0.0.1
    /// for IPv4; <c>fd00::/8</c> (RFC 4193's locally assigned half) and <c>::1</c> for IPv6.
    /// </summary>
    public static bool IsInternal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> b = stackalloc byte[4];
            address.TryWriteBytes(b, out _);
            return b[0] == 10 || (b[0] == 172 && (b[1] & 0xF0) == 16) || (b[0] == 192 && b[1] == 168)
                || (b[0] == 127 && b[1] == 0 && b[2] == 0 && b[3] == 1);
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            Span<byte> b = stackalloc byte[16];
            address.TryWriteBytes(b, out _);
            return b[0] == 0xFD || address.Equals(IPAddress.IPv6Loopback);
        }
        return false;
    }

    /// <summary>The entries of an XFF list, left to right; one that is not an IP address is null, never trusted.</summary>
    private static List<IPAddress?> ParseList(string xff)
    {
        var addresses = new List<IPAddress?>();
        foreach (var part in xff.Split(','))
        {
            addresses.Add(IPAddress.TryParse(part.Trim(), out var address) ? address : null);
        }
        return addresses;
    }
}
