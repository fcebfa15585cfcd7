namespace ActorMesh.Tracing;

/// <summary>What a <see cref="SpanExporterActor"/> tells itself.</summary>
public static class SpanExporterProtocol
{
    /// <summary>The queue has spans (its wait completed).</summary>
    public sealed record SpansAvailable
    {
        public static readonly SpansAvailable Instance = new();

        private SpansAvailable() { }
    }

    /// <summary>A report finished: <paramref name="Status"/> is the collector's answer, 0 when none came.</summary>
    public sealed record ReportCompleted(int Spans, int Status);
}

/// <summary>
/// Where a tracer's reports go: a path on a host of <see cref="Cluster"/>, with the <c>Host</c> header and extra
/// headers the config names, each report bounded by <see cref="Timeout"/>.
/// </summary>
public sealed record CollectorTarget(
    string Cluster,
    string Path,
    string HostHeader,
    TimeSpan Timeout,
    IReadOnlyList<KeyValuePair<string, string>> Headers);
