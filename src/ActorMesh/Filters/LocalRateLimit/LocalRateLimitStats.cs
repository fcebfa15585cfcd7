using ActorMesh.Stats;

namespace ActorMesh.Filters.LocalRateLimit;

/// <summary>Envoy's local rate limit stats, in <c>&lt;stat_prefix&gt;.http_local_rate_limit.</c> (a top-level scope, as in Envoy).</summary>
internal sealed class LocalRateLimitStats(StatsScope scope)
{
    public static string ScopePrefix(string statPrefix) => $"{statPrefix}.http_local_rate_limit.";

    public Counter Enabled { get; } = scope.Counter("enabled");
    public Counter Enforced { get; } = scope.Counter("enforced");
    public Counter RateLimited { get; } = scope.Counter("rate_limited");
    public Counter Ok { get; } = scope.Counter("ok");
}
