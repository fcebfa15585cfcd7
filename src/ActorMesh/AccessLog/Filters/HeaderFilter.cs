using ActorMesh.Config;
using ActorMesh.Http;
using ActorMesh.Routing;

namespace ActorMesh.AccessLog.Filters;

/// <summary>
/// <c>header_filter</c>: the route's header matcher on the request's headers, pseudo-headers included; a request that
/// never got as far as a head (a codec error) has none.
/// </summary>
internal sealed class HeaderFilter(HeaderMatcherConfig config) : AccessLogFilter
{
    private static readonly HttpHeaders NoHeaders = new();

    private readonly HeaderMatcher _matcher = new(config);

    public override bool Evaluate(StreamInfo info) =>
        info.Request is { } request ? _matcher.Matches(request) : _matcher.Matches(NoHeaders);
}
