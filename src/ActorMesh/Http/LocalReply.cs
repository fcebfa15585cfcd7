using System.Globalization;
using System.Text;
using Akka.IO;

namespace ActorMesh.Http;

/// <summary>Responses the proxy makes itself (Envoy's local replies: 404 no route, 503 no healthy upstream, 400 …).</summary>
public static class LocalReply
{
    public const string NoHealthyUpstream = "no healthy upstream";
    public const string ConnectFailure = "upstream connect error or disconnect/reset before headers. reset reason: connection failure";
    public const string ConnectionTermination = "upstream connect error or disconnect/reset before headers. reset reason: connection termination";
    public const string Overflow = "upstream connect error or disconnect/reset before headers. reset reason: overflow";
    public const string ProtocolError = "upstream connect error or disconnect/reset before headers. reset reason: protocol error";
    public const string RemoteReset = "upstream connect error or disconnect/reset before headers. reset reason: remote reset";
    public const string RemoteRefusedStreamReset = "upstream connect error or disconnect/reset before headers. reset reason: remote refused stream reset";
    public const string UpstreamRequestTimeout = "upstream request timeout";
    public const string StreamTimeout = "stream timeout";
    public const string RequestTimeout = "request timeout";

    /// <summary>Envoy's interim answer to <c>Expect: 100-continue</c> when it does not proxy the upstream's.</summary>
    public static readonly ByteString Continue = ByteString.FromString("HTTP/1.1 100 Continue\r\n\r\n", Encoding.ASCII);

    /// <param name="serverName">The <c>server</c> header; none when null (<c>server_header_transformation: PASS_THROUGH</c>).</param>
    /// <param name="contentType">The body's content type; none when null (the extra headers carry it).</param>
    /// <param name="extraHeaders">Headers a route adds to its redirect or direct response (<c>location</c>, <c>response_headers_to_add</c>).</param>
    public static ByteString Build(HttpVersion version, int status, string body, bool close, string? serverName, string? contentType = "text/plain", HttpHeaders? extraHeaders = null)
    {
        var headers = new HttpHeaders();
        if (body.Length > 0)
        {
            headers.Add("content-length", Encoding.UTF8.GetByteCount(body).ToString(CultureInfo.InvariantCulture));
            if (contentType is not null)
            {
                headers.Add("content-type", contentType);
            }
        }
        else
        {
            headers.Add("content-length", "0");
        }
        if (extraHeaders is not null)
        {
            foreach (var header in extraHeaders.Items)
            {
                headers.Add(header.Name, header.Value);
            }
        }
        headers.Add("date", HttpDate.Now);
        if (serverName is not null)
        {
            headers.Add("server", serverName);
        }
        if (close)
        {
            headers.Add("connection", "close");
        }
        var head = Http1Writer.ResponseHead(version, status, Http1Writer.ReasonPhrase(status), headers);
        return body.Length == 0 ? head : head.Concat(ByteString.FromString(body, Encoding.UTF8));
    }
}

/// <summary>The IMF-fixdate for the Date header, formatted at most once a second.</summary>
public static class HttpDate
{
    private static string _value = string.Empty;
    private static long _second = -1;

    public static string Now
    {
        get
        {
            var now = DateTimeOffset.UtcNow;
            var second = now.ToUnixTimeSeconds();
            if (Interlocked.Read(ref _second) != second)
            {
                Volatile.Write(ref _value, now.ToString("r", CultureInfo.InvariantCulture));
                Interlocked.Exchange(ref _second, second);
            }
            return Volatile.Read(ref _value);
        }
    }
}
