using System.Globalization;
using System.Text;
using Akka.IO;

namespace ActorMesh.Http;

/// <summary>Serialises header sections and chunk framing; bodies themselves are passed through as slices.</summary>
internal static class Http1Writer
{
    public static readonly ByteString LastChunk = ByteString.FromString("0\r\n\r\n", Encoding.ASCII);

    private static readonly ByteString Crlf = ByteString.FromString("\r\n", Encoding.ASCII);

    public static ByteString RequestHead(string method, string target, HttpHeaders headers)
    {
        var sb = new StringBuilder(256);
        sb.Append(method).Append(' ').Append(target).Append(" HTTP/1.1\r\n");
        AppendHeaders(sb, headers);
        return ByteString.FromBytes(Encoding.Latin1.GetBytes(sb.ToString()));
    }

    public static ByteString ResponseHead(HttpVersion version, int status, string reason, HttpHeaders headers)
    {
        var sb = new StringBuilder(256);
        sb.Append(version == HttpVersion.Http10 ? "HTTP/1.0 " : "HTTP/1.1 ")
            .Append(status.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(reason).Append("\r\n");
        AppendHeaders(sb, headers);
        return ByteString.FromBytes(Encoding.Latin1.GetBytes(sb.ToString()));
    }

    public static ByteString Chunk(ByteString data) =>
        ByteString.FromString(data.Count.ToString("x", CultureInfo.InvariantCulture) + "\r\n", Encoding.ASCII)
            .Concat(data).Concat(Crlf);

    public static string ReasonPhrase(int status) => status switch
    {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        _ => "Unknown",
    };

    private static void AppendHeaders(StringBuilder sb, HttpHeaders headers)
    {
        foreach (var h in headers.Items)
        {
            sb.Append(h.Name).Append(": ").Append(h.Value).Append("\r\n");
        }
        sb.Append("\r\n");
    }
}
