using System.Globalization;
using ActorMesh.Http;
using ActorMesh.Upstream;
using Akka.IO;

namespace ActorMesh.Routing;

/// <summary>
/// Envoy's shadow writer for <c>request_mirror_policies</c>: a fire-and-forget copy of the request to the mirror
/// cluster, its Host suffixed with <c>-shadow</c>. The response is read to its end (so the connection can be pooled)
/// and dropped. Nothing here ever reaches the main request: every failure is swallowed.
/// </summary>
internal static class ShadowWriter
{
    /// <summary>Envoy's shadowing: <c>foo:8080</c> becomes <c>foo-shadow:8080</c>.</summary>
    public static string ShadowHost(string host)
    {
        var colon = host.LastIndexOf(':');
        var bracket = host.LastIndexOf(']');
        return colon > bracket && colon > 0 ? string.Concat(host.AsSpan(0, colon), "-shadow", host.AsSpan(colon)) : host + "-shadow";
    }

    /// <summary>A copy of the forwarded headers for the shadow: shadow Host, body framed by Content-Length.</summary>
    public static HttpHeaders ShadowHeaders(HttpHeaders forwarded)
    {
        var copy = new HttpHeaders(forwarded.Count + 1);
        foreach (var header in forwarded.Items)
        {
            if (header.Name.Equals("transfer-encoding", StringComparison.OrdinalIgnoreCase)
                || header.Name.Equals("content-length", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            copy.Add(header.Name, header.Name.Equals("host", StringComparison.OrdinalIgnoreCase) ? ShadowHost(header.Value) : header.Value);
        }
        return copy;
    }

    public static void Send(UpstreamHost host, string method, string target, HttpHeaders headers, ByteString body, Http1Limits limits, TimeSpan timeout)
    {
        if (body.Count > 0 || method is "POST" or "PUT" or "PATCH")
        {
            headers.Add("content-length", body.Count.ToString(CultureInfo.InvariantCulture));
        }
        _ = SendAsync(host, Http1Writer.RequestHead(method, target, headers).Concat(body), method == "HEAD", limits, timeout);
    }

    private static async Task SendAsync(UpstreamHost host, ByteString request, bool isHead, Http1Limits limits, TimeSpan timeout)
    {
        UpstreamConnection? connection = null;
        var status = 0;
        try
        {
            if (host.TryLease(out connection) == LeaseResult.Overflow)
            {
                // A shadow never queues behind the circuit breaker: the copy is simply not sent.
                return;
            }
            var exchange = ExchangeAsync(connection!, request, isHead, limits);
            var finished = timeout > TimeSpan.Zero ? await Task.WhenAny(exchange, Task.Delay(timeout)).ConfigureAwait(false) : exchange;
            if (finished != exchange)
            {
                host.Release(connection!, success: false, reusable: false);
                return;
            }
            (status, var reusable) = await exchange.ConfigureAwait(false);
            host.Release(connection!, success: status > 0, reusable: reusable, status);
        }
        catch (Exception)
        {
            if (connection is not null)
            {
                host.Release(connection, success: false, reusable: false, status);
            }
        }
    }

    /// <returns>The response status (0 when none came) and whether the connection may be pooled.</returns>
    private static async Task<(int Status, bool Reusable)> ExchangeAsync(UpstreamConnection connection, ByteString request, bool isHead, Http1Limits limits)
    {
        await connection.WriteAsync(request).ConfigureAwait(false);
        var buffer = ByteString.Empty;
        HttpResponseHead? response = null;
        BodyDecoder? decoder = null;
        var slices = new List<ByteString>();
        while (true)
        {
            var read = await connection.ReadAsync().ConfigureAwait(false);
            if (!read.HasValue)
            {
                return (response?.Status ?? 0, false);
            }
            var bytes = read.Value;
            if (response is null)
            {
                buffer = buffer.IsEmpty ? bytes : buffer.Concat(bytes);
                var headLength = Http1HeadParser.FindHeadEnd(buffer.ToReadOnlySpan(), limits, out var error);
                if (error is not null)
                {
                    return (0, false);
                }
                if (headLength == 0)
                {
                    continue;
                }
                response = Http1HeadParser.ParseResponse(buffer.ToReadOnlySpan()[..headLength], isHead, limits, out _);
                if (response is null || response.Status < 200)
                {
                    // A shadow has no use for interim responses and no way to follow them: give the connection up.
                    return (0, false);
                }
                decoder = new BodyDecoder(response.Framing, response.ContentLength, limits);
                bytes = headLength == buffer.Count ? ByteString.Empty : buffer.Slice(headLength);
            }
            slices.Clear();
            var consumed = decoder!.Decode(bytes, slices, out _);
            if (consumed < 0)
            {
                return (response.Status, false);
            }
            if (decoder.IsComplete)
            {
                return (response.Status, consumed == bytes.Count && response.KeepAlive);
            }
        }
    }
}
