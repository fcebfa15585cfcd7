using ActorMesh.Stats;

namespace ActorMesh.Tracing;

/// <summary>
/// Envoy's tracer stats: <c>tracing.zipkin.spans_sent</c>, <c>reports_sent</c>, <c>reports_dropped</c>,
/// <c>reports_failed</c>; <c>tracing.opentelemetry.spans_sent</c>, <c>http_reports_sent</c>,
/// <c>http_reports_success</c>, <c>http_reports_failed</c>. <c>spans_dropped</c> (queue full, or no collector host) is
/// ActorMesh's own. Zipkin's <c>reports_dropped</c> is a collector answer other than 2xx; OpenTelemetry counts that
/// as failed.
/// </summary>
internal sealed class TracerStats
{
    public const string ZipkinPrefix = "tracing.zipkin.";
    public const string OpenTelemetryPrefix = "tracing.opentelemetry.";

    public TracerStats(StatsScope scope, bool zipkin)
    {
        SpansSent = scope.Counter("spans_sent");
        SpansDropped = scope.Counter("spans_dropped");
        var reports = zipkin ? "reports_" : "http_reports_";
        ReportsSent = scope.Counter(reports + "sent");
        ReportsFailed = scope.Counter(reports + "failed");
        ReportsRejected = zipkin ? scope.Counter("reports_dropped") : ReportsFailed;
        ReportsSucceeded = zipkin ? null : scope.Counter("http_reports_success");
    }

    public Counter SpansSent { get; }
    public Counter SpansDropped { get; }
    public Counter ReportsSent { get; }
    public Counter ReportsFailed { get; }

    /// <summary>The collector answered, but not with 2xx.</summary>
    public Counter ReportsRejected { get; }

    public Counter? ReportsSucceeded { get; }
}
