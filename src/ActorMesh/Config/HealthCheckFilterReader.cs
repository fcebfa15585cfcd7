namespace ActorMesh.Config;

/// <summary>Envoy's <c>HealthCheck</c> filter: which requests are health checks and whether they pass through.</summary>
internal static class HealthCheckFilterReader
{
    public const string Name = "envoy.filters.http.health_check";

    public static HttpFilterSettings? Read(YamlMap body, ConfigReadContext context)
    {
        var ok = HttpFilterReader.RejectUnsupported(body, context, "cluster_min_healthy_percentages");
        // pass_through_mode is a required BoolValue.
        var passThrough = body.Boolean("pass_through_mode");
        if (passThrough is null && !body.Has("pass_through_mode"))
        {
            body.Missing("pass_through_mode");
        }
        var headers = ReadResults.AllOrNull(body.Sequence("headers").Select(h => RouteMatchReader.ReadHeader(h, context)));
        var cacheTime = body.Duration("cache_time");
        if (!ok || passThrough is null || headers is null)
        {
            return null;
        }
        return new HealthCheckFilterConfig(passThrough.Value) { Headers = headers.Value, CacheTime = cacheTime };
    }
}
