namespace ActorMesh.Config;

/// <summary>Envoy's <c>server_header_transformation</c>.</summary>
public enum ServerHeaderTransformation
{
    Overwrite,
    AppendIfAbsent,
    PassThrough,
}

/// <summary>Envoy's <c>headers_with_underscores_action</c>.</summary>
public enum HeadersWithUnderscoresAction
{
    Allow,
    RejectRequest,
    DropHeader,
}

/// <summary>
/// How an HTTP connection manager edits forwarded requests and its responses: Envoy's <c>use_remote_address</c>,
/// <c>xff_num_trusted_hops</c>, <c>skip_xff_append</c>, request ids, the server header and <c>proxy_100_continue</c>.
/// </summary>
public sealed record ForwardingConfig(
    bool UseRemoteAddress,
    int XffNumTrustedHops,
    bool SkipXffAppend,
    bool GenerateRequestId,
    bool PreserveExternalRequestId,
    string? ServerName,
    ServerHeaderTransformation ServerHeaderTransformation,
    bool Proxy100Continue)
{
    public static readonly ForwardingConfig Default = new(false, 0, false, true, false, null, ServerHeaderTransformation.Overwrite, false);
}

/// <summary>Envoy's <c>max_request_headers_kb</c> and <c>common_http_protocol_options</c> header limits.</summary>
public sealed record HttpLimitsConfig(int MaxRequestHeadersKb, int MaxHeadersCount, HeadersWithUnderscoresAction HeadersWithUnderscores)
{
    public static readonly HttpLimitsConfig Default = new(60, 100, HeadersWithUnderscoresAction.Allow);
}

/// <summary>
/// Envoy's HTTP connection manager timeouts with Envoy's defaults; <see cref="TimeSpan.Zero"/> disables one, as in
/// Envoy's config.
/// </summary>
public sealed record HttpTimeoutsConfig(
    TimeSpan StreamIdle,
    TimeSpan Request,
    TimeSpan RequestHeaders,
    TimeSpan Idle,
    TimeSpan Drain,
    TimeSpan DelayedClose)
{
    public static readonly HttpTimeoutsConfig Default = new(
        StreamIdle: TimeSpan.FromMinutes(5),
        Request: TimeSpan.Zero,
        RequestHeaders: TimeSpan.Zero,
        Idle: TimeSpan.FromHours(1),
        Drain: TimeSpan.FromSeconds(5),
        DelayedClose: TimeSpan.FromSeconds(1));
}

/// <summary>Envoy's <c>UpgradeConfig</c>: which <c>Upgrade</c> protocols may be tunnelled (e.g. <c>websocket</c>).</summary>
public sealed record UpgradeConfig(string UpgradeType, bool Enabled);
