using ActorMesh.Http;

namespace ActorMesh.AccessLog.Filters;

/// <summary><c>not_health_check_filter</c>: the health check filter did not take the request for a health check.</summary>
internal sealed class NotHealthCheckFilter : AccessLogFilter
{
    public static readonly NotHealthCheckFilter Instance = new();

    public override bool Evaluate(StreamInfo info) => !info.HealthCheck;
}
