using ActorMesh.Config;
using ActorMesh.Http;
using ActorMesh.Routing;

namespace ActorMesh.Filters.HealthCheck;

/// <summary>
/// <c>envoy.filters.http.health_check</c>: a request whose headers all match is a health check. While the admin has
/// failed health checks (<c>/healthcheck/fail</c>) it is answered 503 (<c>LH</c>) and every other response carries
/// <c>x-envoy-immediate-health-check-fail</c>; otherwise it is answered 200 here, or forwarded in
/// <c>pass_through_mode</c>. Every filter it hands out is stateless, so each is one shared instance.
/// </summary>
internal sealed class HealthCheckFilterFactory(string name, HealthCheckFilterConfig config, Func<bool> healthCheckFailed) : IHttpFilterFactory
{
    private static readonly HttpFilter Healthy = new Reply(new FilterLocalReply(200, string.Empty, ResponseFlags.None, "health_check_ok"));
    private static readonly HttpFilter Failed = new Reply(new FilterLocalReply(503, string.Empty, ResponseFlags.FailedLocalHealthCheck, "health_check_failed"));
    private static readonly HttpFilter MarkFailed = new ImmediateFailHeader();

    private readonly HeaderMatcher[] _headers = config.Headers.Select(h => new HeaderMatcher(h)).ToArray();

    public string Name { get; } = name;

    public HttpFilter? CreateFilter(in HttpFilterContext context)
    {
        var failed = healthCheckFailed();
        if (!IsHealthCheck(context.Request))
        {
            return failed ? MarkFailed : null;
        }
        // Envoy's setHealthCheck(true): the access log's not_health_check_filter reads it, pass-through or not.
        context.Info.HealthCheck = true;
        return failed ? Failed : config.PassThroughMode ? null : Healthy;
    }

    private bool IsHealthCheck(HttpRequestHead request)
    {
        foreach (var matcher in _headers)
        {
            if (!matcher.Matches(request))
            {
                return false;
            }
        }
        return true;
    }

    private sealed class Reply(FilterLocalReply reply) : HttpFilter
    {
        public override FilterStatus OnRequestHeaders(in HttpFilterContext context) => FilterStatus.LocalReply(reply);
    }

    private sealed class ImmediateFailHeader : HttpFilter
    {
        public override void OnResponseHeaders(HttpHeaders headers, StreamInfo info) =>
            headers.Set("x-envoy-immediate-health-check-fail", "true");
    }
}
