namespace ActorMesh.Http;

public enum HttpVersion
{
    Http10,
    Http11,
}

/// <summary>How a message body is delimited on the wire (RFC 9112 §6.3).</summary>
public enum BodyFraming
{
    None,
    ContentLength,
    Chunked,
    UntilClose,
}

/// <summary>A parsed request line and header section, with the framing derived from them.</summary>
public sealed record HttpRequestHead(
    string Method,
    string Target,
    HttpVersion Version,
    HttpHeaders Headers,
    BodyFraming Framing,
    long ContentLength,
    bool KeepAlive)
{
    public bool IsHead => Method == "HEAD";

    /// <summary>The path without its query, which is what Envoy's route matching compares.</summary>
    public string Path
    {
        get
        {
            var q = Target.IndexOf('?');
            return q < 0 ? Target : Target[..q];
        }
    }

    public string Host => Headers.Get("host") ?? string.Empty;

    /// <summary>
    /// An HTTP/1.1 request asking to switch protocols (<c>Upgrade</c> named in <c>Connection</c>) and carrying no
    /// body: after its head every byte belongs to the new protocol, never to another HTTP request.
    /// </summary>
    public bool WantsUpgrade =>
        Version == HttpVersion.Http11
        && Framing == BodyFraming.None
        && Headers.Get("upgrade") is { Length: > 0 }
        && Headers.HasToken("connection", "upgrade");
}

/// <summary>A parsed status line and header section from an upstream.</summary>
public sealed record HttpResponseHead(
    int Status,
    string Reason,
    HttpVersion Version,
    HttpHeaders Headers,
    BodyFraming Framing,
    long ContentLength,
    bool KeepAlive);
