namespace ActorMesh.Config;

/// <summary>
/// The HTTP connection manager's <c>tracing</c> block. Sampling values are percentages (Envoy's <c>type.v3.Percent</c>),
/// each 100 by default as in Envoy.
/// </summary>
public sealed record TracingConfig(TracingProviderConfig Provider)
{
    public const double DefaultSampling = 100;

    /// <summary>Envoy's default <c>max_path_tag_length</c>: the <c>http.url</c> tag is cut to this many characters.</summary>
    public const int DefaultMaxPathTagLength = 256;

    public double ClientSampling { get; init; } = DefaultSampling;

    public double RandomSampling { get; init; } = DefaultSampling;

    public double OverallSampling { get; init; } = DefaultSampling;

    public int MaxPathTagLength { get; init; } = DefaultMaxPathTagLength;

    public EquatableArray<CustomTagConfig> CustomTags { get; init; } = EquatableArray<CustomTagConfig>.Empty;
}

/// <summary>The tracer a <c>tracing.provider</c> names: OpenTelemetry (OTLP over HTTP) or Zipkin (v2 JSON).</summary>
// Serialization only (the admin's /config_dump).
[System.Text.Json.Serialization.JsonDerivedType(typeof(OpenTelemetryTracerConfig), "envoy.tracers.opentelemetry")]
[System.Text.Json.Serialization.JsonDerivedType(typeof(ZipkinTracerConfig), "envoy.tracers.zipkin")]
public abstract record TracingProviderConfig(string Name)
{
    /// <summary>The cluster spans are sent to.</summary>
    public abstract string CollectorCluster { get; }
}

/// <summary>
/// Envoy's <c>envoy.tracers.opentelemetry</c> with its <c>http_service</c>: OTLP/HTTP protobuf POSTed to
/// <see cref="HttpService"/>'s URI path on a host of its cluster.
/// </summary>
public sealed record OpenTelemetryTracerConfig(string Name, HttpServiceConfig HttpService, string ServiceName) : TracingProviderConfig(Name)
{
    /// <summary>Envoy's default <c>service_name</c>.</summary>
    public const string DefaultServiceName = "unknown_service:envoy";

    public override string CollectorCluster => HttpService.Cluster;
}

/// <summary>Envoy's <c>HttpService</c>: <c>http_uri</c> (<c>uri</c>, <c>cluster</c>, <c>timeout</c>) and headers to add.</summary>
public sealed record HttpServiceConfig(string Uri, string Cluster, TimeSpan Timeout, EquatableArray<HeaderValueConfig> RequestHeadersToAdd);

public sealed record HeaderValueConfig(string Key, string Value);

/// <summary>Envoy's <c>envoy.tracers.zipkin</c>; only the v2 JSON collector encoding (<c>HTTP_JSON</c>).</summary>
public sealed record ZipkinTracerConfig(
    string Name,
    string CollectorClusterName,
    string CollectorEndpoint,
    string? CollectorHostname,
    bool SharedSpanContext,
    bool TraceId128Bit) : TracingProviderConfig(Name)
{
    /// <summary>Zipkin's v2 span API, where a standard Zipkin server takes JSON spans.</summary>
    public const string DefaultCollectorEndpoint = "/api/v2/spans";

    public override string CollectorCluster => CollectorClusterName;
}

/// <summary>A <c>custom_tags</c> entry: a literal value, or a request header's value (or its default when absent).</summary>
public sealed record CustomTagConfig(string Tag, string? Literal, string? RequestHeader, string? DefaultValue);
