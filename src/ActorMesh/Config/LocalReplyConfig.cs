namespace ActorMesh.Config;

/// <summary>
/// Envoy's <c>LocalReplyConfig</c> on the HTTP connection manager: how the replies the proxy makes itself (404 no
/// route, 503 no healthy upstream, 504 timeouts, codec errors, filter replies, direct responses) are rewritten. The
/// first mapper whose filter matches applies; <see cref="BodyFormat"/> formats every body no mapper formats.
/// </summary>
public sealed record LocalReplyConfig(EquatableArray<ResponseMapperConfig> Mappers, AccessLogFormatConfig? BodyFormat);

/// <summary>
/// Envoy's <c>ResponseMapper</c>: when <see cref="Filter"/> matches, <see cref="Body"/> replaces the body (then
/// <c>%LOCAL_REPLY_BODY%</c>), <see cref="HeadersToAdd"/> are added, <see cref="StatusCode"/> replaces the status and
/// <see cref="BodyFormatOverride"/> formats the body, in that order.
/// </summary>
public sealed record ResponseMapperConfig(AccessLogFilterConfig Filter)
{
    public int? StatusCode { get; init; }

    public string? Body { get; init; }

    public EquatableArray<HeaderValueOptionConfig> HeadersToAdd { get; init; } = EquatableArray<HeaderValueOptionConfig>.Empty;

    public AccessLogFormatConfig? BodyFormatOverride { get; init; }
}
