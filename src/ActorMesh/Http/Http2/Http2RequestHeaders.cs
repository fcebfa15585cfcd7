namespace ActorMesh.Http.Http2;

/// <summary>
/// An HTTP/1.1 request head as an HTTP/2 field list (RFC 9113 §8.3.1): the request line and Host become the pseudo
/// headers, names are lowercased, and the connection-specific fields HTTP/2 forbids are left out (§8.2.2), TE except
/// <c>trailers</c>.
/// </summary>
internal static class Http2RequestHeaders
{
    public static List<HttpHeader> From(HttpRequestHead request)
    {
        var fields = new List<HttpHeader>(request.Headers.Count + 4);
        var (authority, path) = SplitTarget(request.Target, request.Host);
        fields.Add(new HttpHeader(":method", request.Method));
        if (request.Method == "CONNECT")
        {
            fields.Add(new HttpHeader(":authority", authority));
        }
        else
        {
            // Upstream connections are cleartext (prior-knowledge h2c), so the scheme is always http.
            fields.Add(new HttpHeader(":scheme", "http"));
            fields.Add(new HttpHeader(":authority", authority));
            fields.Add(new HttpHeader(":path", path));
        }
        foreach (var header in request.Headers.Items)
        {
            var name = header.Name.ToLowerInvariant();
            if (IsConnectionSpecific(name) || name == "host" || (name == "te" && !header.Value.Equals("trailers", StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }
            fields.Add(new HttpHeader(name, header.Value));
        }
        return fields;
    }

    /// <summary>The fields RFC 9113 §8.2.2 makes malformed in HTTP/2.</summary>
    public static bool IsConnectionSpecific(string lowercaseName) =>
        lowercaseName is "connection" or "keep-alive" or "proxy-connection" or "transfer-encoding" or "upgrade";

    /// <summary>An absolute-form target carries its own authority; origin-form and <c>*</c> use Host's.</summary>
    private static (string Authority, string Path) SplitTarget(string target, string host)
    {
        var scheme = target.IndexOf("://", StringComparison.Ordinal);
        if (scheme <= 0 || target[0] == '/')
        {
            return (host, target);
        }
        var authorityStart = scheme + 3;
        var pathStart = target.IndexOfAny(['/', '?'], authorityStart);
        var authority = pathStart < 0 ? target[authorityStart..] : target[authorityStart..pathStart];
        var path = pathStart < 0 ? "/" : target[pathStart] == '?' ? "/" + target[pathStart..] : target[pathStart..];
        return (authority, path);
    }
}
