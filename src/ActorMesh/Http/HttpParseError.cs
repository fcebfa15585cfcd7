namespace ActorMesh.Http;

/// <summary>Why a message could not be parsed, with the status a proxy answers it with (400, 431, 501, 505, 502).</summary>
public sealed record HttpParseError(int Status, string Details)
{
    /// <summary>The details of a request whose header section did not arrive within <c>request_headers_timeout</c>.</summary>
    public const string RequestHeadersTimeout = "request header timeout";

    public bool IsTimeout => Status == 408;
}

/// <summary>Limits on what the codec accepts; defaults are Envoy's.</summary>
public sealed record Http1Limits(int MaxHeadersBytes, int MaxHeadersCount, int MaxChunkExtensionBytes)
{
    /// <summary>Envoy's <c>max_request_headers_kb</c> (60) and <c>max_headers_count</c> (100).</summary>
    public static readonly Http1Limits Default = new(60 * 1024, 100, 4096);
}
