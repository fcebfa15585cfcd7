using ActorMesh.Config;
using ActorMesh.Http;
using ActorMesh.Routing;
using ActorMesh.Runtime;
using ActorMesh.Stats;

namespace ActorMesh.Filters.LocalRateLimit;

/// <summary>
/// One <c>LocalRateLimit</c> config compiled: its own token bucket, stats and headers, and the filter answering a
/// limited request (stateless, so one instance serves every limited request).
/// </summary>
internal sealed class LocalRateLimitPolicy
{
    /// <summary>Envoy's local reply body and details for a limited request.</summary>
    public const string LimitedBody = "local_rate_limited";

    private readonly LocalRateLimitConfig _config;
    private readonly TokenBucket? _bucket;
    private readonly LocalRateLimitStats _stats;
    private readonly HeaderMutation _notEnforcedHeaders;
    private readonly LimitedFilter _limited;

    public LocalRateLimitPolicy(LocalRateLimitConfig config, StatsStore stats)
    {
        _config = config;
        _bucket = config.TokenBucket is { } bucket ? new TokenBucket(bucket) : null;
        _stats = new LocalRateLimitStats(stats.GetOrCreate(LocalRateLimitStats.ScopePrefix(config.StatPrefix)));
        var empty = HeaderMutationConfig.None;
        _notEnforcedHeaders = new HeaderMutation(empty with { RequestHeadersToAdd = config.RequestHeadersToAddWhenNotEnforced });
        _limited = new LimitedFilter(
            new FilterLocalReply(config.Status, LimitedBody, ResponseFlags.RateLimited, LimitedBody),
            new HeaderMutation(empty with { ResponseHeadersToAdd = config.ResponseHeadersToAdd }));
    }

    /// <summary>Envoy's <c>decodeHeaders</c>: null unless the request is limited and the limit enforced.</summary>
    public HttpFilter? Check(in HttpFilterContext context, RuntimeLoader? runtime)
    {
        if (_bucket is null || !RuntimeFeature.Enabled(runtime, _config.FilterEnabled))
        {
            return null;
        }
        _stats.Enabled.Inc();
        if (_bucket.TryConsume())
        {
            _stats.Ok.Inc();
            return null;
        }
        _stats.RateLimited.Inc();
        if (!RuntimeFeature.Enabled(runtime, _config.FilterEnforced))
        {
            _notEnforcedHeaders.ApplyToRequest(context.Request.Headers, context.Info);
            return null;
        }
        _stats.Enforced.Inc();
        return _limited;
    }

    private sealed class LimitedFilter(FilterLocalReply reply, HeaderMutation responseHeaders) : HttpFilter
    {
        public override FilterStatus OnRequestHeaders(in HttpFilterContext context) => FilterStatus.LocalReply(reply);

        public override void OnResponseHeaders(HttpHeaders headers, StreamInfo info)
        {
            headers.Set("x-envoy-ratelimited", "true");
            responseHeaders.ApplyToResponse(headers, info);
        }
    }
}
