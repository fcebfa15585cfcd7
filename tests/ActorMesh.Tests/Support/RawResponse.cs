using System.Globalization;

namespace ActorMesh.Tests.Support;

/// <summary>
/// A response as a raw client read it: status, the header section as text (status line and header lines, each ending
/// in CRLF), the body.
/// </summary>
internal sealed record RawResponse(int Status, string Head, string Body)
{
    public bool HasHeader(string line) => Head.Contains("\r\n" + line + "\r\n", StringComparison.OrdinalIgnoreCase);

    /// <summary>The first value of header <paramref name="name"/>; null when absent.</summary>
    public string? Header(string name) => Values(name).FirstOrDefault();

    public int CountOf(string name) => Values(name).Count();

    private IEnumerable<string> Values(string name) =>
        Head.Split("\r\n").Skip(1)
            .Select(line => line.Split(':', 2))
            .Where(parts => parts.Length == 2 && parts[0].Equals(name, StringComparison.OrdinalIgnoreCase))
            .Select(parts => parts[1].Trim());

    /// <summary>The first response in <paramref name="raw"/> (a Content-Length body read as Latin-1: characters are bytes).</summary>
    public static RawResponse Parse(string raw)
    {
        var headEnd = raw.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (headEnd < 0)
        {
            throw new FormatException($"no complete response head in '{raw}'");
        }
        var head = raw[..(headEnd + 2)];
        var response = new RawResponse(int.Parse(head.AsSpan(9, 3), CultureInfo.InvariantCulture), head, "");
        var rest = raw[(headEnd + 4)..];
        var length = response.Header("content-length") is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : 0;
        return response with { Body = rest[..Math.Min(length, rest.Length)] };
    }

    /// <summary>Sends <paramref name="request"/> on a new connection (it should say <c>connection: close</c>) and parses the answer.</summary>
    public static async Task<RawResponse> Exchange(int port, string request) => Parse(await RawHttp.Exchange(port, request));
}
