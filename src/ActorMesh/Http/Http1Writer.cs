using System.Globalization;
using System.Text;
using Akka.IO;

namespace ActorMesh.Http;

/// <summary>Serialises header sections and chunk framing; bodies themselves are passed through as slices.</summary>
internal static class Http1Writer
{
    public static readonly ByteString LastChunk = ByteString.FromString("0\r\n\r\n", Encoding.ASCII);

    private static readonly ByteString Crlf = ByteString.FromString("\r\n", Encoding.ASCII);

    public static ByteString RequestHead(string method, string target, HttpHeaders headers) =>
        Head(method, " ", target, " HTTP/1.1", headers);

    public static ByteString ResponseHead(HttpVersion version, int status, string reason, HttpHeaders headers) =>
        Head(version == HttpVersion.Http10 ? "HTTP/1.0" : "HTTP/1.1", " ", StatusText(status), " " + reason, headers);

    public static ByteString Chunk(ByteString data) =>
        ByteString.FromString(data.Count.ToString("x", CultureInfo.InvariantCulture) + "\r\n", Encoding.ASCII)
            .Concat(data).Concat(Crlf);

    /// <summary>Envoy's <c>CodeUtility::toString</c>: the standard reason phrase, <c>Unknown</c> for any other code.</summary>
    public static string ReasonPhrase(int status) => status switch
    {
        100 => "Continue",
        101 => "Switching Protocols",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        203 => "Non-Authoritative Information",
        204 => "No Content",
        205 => "Reset Content",
        206 => "Partial Content",
        207 => "Multi-Status",
        208 => "Already Reported",
        226 => "IM Used",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        305 => "Use Proxy",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Payload Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Range Not Satisfiable",
        417 => "Expectation Failed",
        421 => "Misdirected Request",
        422 => "Unprocessable Entity",
        423 => "Locked",
        424 => "Failed Dependency",
        426 => "Upgrade Required",
        428 => "Precondition Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        506 => "Variant Also Negotiates",
        507 => "Insufficient Storage",
        508 => "Loop Detected",
        510 => "Not Extended",
        511 => "Network Authentication Required",
        _ => "Unknown",
    };

    private static string StatusText(int status) => status == 200 ? "200" : status.ToString(CultureInfo.InvariantCulture);

    /// <summary>Writes the start line (four parts) and the fields straight into one array: no intermediate string.</summary>
    private static ByteString Head(string a, string b, string c, string d, HttpHeaders headers)
    {
        var latin1 = Encoding.Latin1;
        var length = a.Length + b.Length + c.Length + d.Length + 4;
        foreach (var h in headers.Items)
        {
            length += h.Name.Length + h.Value.Length + 4;
        }
        var bytes = new byte[length];
        var at = 0;
        at += latin1.GetBytes(a, 0, a.Length, bytes, at);
        at += latin1.GetBytes(b, 0, b.Length, bytes, at);
        at += latin1.GetBytes(c, 0, c.Length, bytes, at);
        at += latin1.GetBytes(d, 0, d.Length, bytes, at);
        bytes[at++] = (byte)'\r';
        bytes[at++] = (byte)'\n';
        foreach (var h in headers.Items)
        {
            at += latin1.GetBytes(h.Name, 0, h.Name.Length, bytes, at);
            bytes[at++] = (byte)':';
            bytes[at++] = (byte)' ';
            at += latin1.GetBytes(h.Value, 0, h.Value.Length, bytes, at);
            bytes[at++] = (byte)'\r';
            bytes[at++] = (byte)'\n';
        }
        bytes[at++] = (byte)'\r';
        bytes[at] = (byte)'\n';
        return ByteString.FromBytes(bytes);
    }
}
