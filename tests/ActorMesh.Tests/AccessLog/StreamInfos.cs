using System.Diagnostics;
using System.Net;
using ActorMesh.Http;
using HttpVersion = ActorMesh.Http.HttpVersion;

namespace ActorMesh.Tests.AccessLog;

/// <summary>Hand-built exchanges with fixed times, so formatted lines can be compared byte for byte.</summary>
internal static class StreamInfos
{
    public static readonly DateTimeOffset StartTime = new(2016, 4, 15, 20, 17, 0, 310, TimeSpan.Zero);

    private const long StartTimestamp = 1_000_000;

    /// <summary>A Stopwatch timestamp <paramref name="milliseconds"/> after the start (plus a sliver, so truncation is exact).</summary>
    public static long After(int milliseconds) =>
        StartTimestamp + Stopwatch.Frequency * milliseconds / 1000 + Stopwatch.Frequency / 10_000;

    /// <summary>The example exchange of Envoy's access log docs, over HTTP/1.1.</summary>
    public static StreamInfo Complete()
    {
        var requestHeaders = new HttpHeaders();
        requestHeaders.Add("Host", "location.example.com");
        requestHeaders.Add("User-Agent", "nsq2http");
        requestHeaders.Add("X-Request-Id", "cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2");
        requestHeaders.Add("X-Forwarded-For", "10.0.35.28");
        requestHeaders.Add("X-Forwarded-Proto", "http");
        var responseHeaders = new HttpHeaders();
        responseHeaders.Add("content-type", "application/json");
        responseHeaders.Add("x-envoy-upstream-service-time", "100");
        return new StreamInfo
        {
            StartTime = StartTime,
            StartTimestamp = StartTimestamp,
            DownstreamRemoteAddress = new IPEndPoint(IPAddress.Parse("10.0.35.28"), 51234),
            DownstreamLocalAddress = new IPEndPoint(IPAddress.Parse("10.0.0.5"), 10000),
            Request = new HttpRequestHead("POST", "/api/v1/locations?limit=5", HttpVersion.Http11, requestHeaders, BodyFraming.ContentLength, 154, KeepAlive: true),
            ResponseHeaders = responseHeaders,
            ResponseCode = 204,
            ResponseCodeDetails = "via_upstream",
            BytesReceived = 154,
            BytesSent = 0,
            FirstUpstreamByteTimestamp = After(120),
            EndTimestamp = After(226),
            RouteName = "locations",
            UpstreamCluster = "location_service",
            UpstreamHost = new IPEndPoint(IPAddress.Parse("10.0.0.1"), 8080),
        };
    }

    /// <summary>An exchange that ended before anything was known: no request, no response, still in flight.</summary>
    public static StreamInfo Empty() => new() { StartTime = StartTime, StartTimestamp = StartTimestamp };
}
