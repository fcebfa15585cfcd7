using System.Globalization;

namespace ActorMesh.Config;

/// <summary>
/// The HTTP connection manager's <c>tracing</c>: sampling percentages, <c>custom_tags</c> and a <c>provider</c> that is
/// Envoy's OpenTelemetry tracer (over <c>http_service</c>) or its Zipkin tracer. Collector clusters are checked against
/// the configured clusters like route clusters.
/// </summary>
internal static class TracingReader
{
    public const string OpenTelemetryName = "envoy.tracers.opentelemetry";
    public const string ZipkinName = "envoy.tracers.zipkin";

    private static readonly HashSet<string> OpenTelemetryTypeUrls = new(StringComparer.Ordinal)
    {
        "type.googleapis.com/envoy.config.trace.v3.OpenTelemetryConfig",
    };

    private static readonly HashSet<string> OpenTelemetryNames = new(StringComparer.Ordinal) { OpenTelemetryName };

    private static readonly HashSet<string> ZipkinTypeUrls = new(StringComparer.Ordinal)
    {
        "type.googleapis.com/envoy.config.trace.v3.ZipkinConfig",
        "type.googleapis.com/envoy.config.trace.v2.ZipkinConfig",
    };

    private static readonly HashSet<string> ZipkinNames = new(StringComparer.Ordinal) { ZipkinName, "envoy.zipkin" };

    private enum CollectorEndpointVersion
    {
        HttpJson,
    }

    private static readonly Dictionary<string, CollectorEndpointVersion> EndpointVersions = new(StringComparer.OrdinalIgnoreCase)
    {
        ["HTTP_JSON"] = CollectorEndpointVersion.HttpJson,
    };

    /// <summary>The <c>tracing</c> block, or null when there is none; <paramref name="ok"/> is false when it failed to read.</summary>
    public static TracingConfig? Read(YamlMap connectionManager, ConfigReadContext context, out bool ok)
    {
        ok = true;
        if (connectionManager.Map("tracing") is not { } tracing)
        {
            ok = !connectionManager.Has("tracing");
            return null;
        }
        var client = Percent(tracing, "client_sampling", context);
        var random = Percent(tracing, "random_sampling", context);
        var overall = Percent(tracing, "overall_sampling", context);
        var maxPath = tracing.Integer("max_path_tag_length", 1, int.MaxValue);
        if (tracing.Boolean("spawn_upstream_span") == true)
        {
            // Envoy's router would start a child span per upstream request; here the connection manager's span is the only one.
            tracing.Error("spawn_upstream_span", "spawn_upstream_span: true is not supported (the connection manager's span is the only span)");
            ok = false;
        }
        var tags = ReadResults.AllOrNull(tracing.Sequence("custom_tags").Select(item => ReadCustomTag(item, context)));
        var provider = tracing.RequiredMap("provider") is { } providerMap ? ReadProvider(providerMap, context) : null;
        if (!ok || client.Failed || random.Failed || overall.Failed || tags is null || provider is null)
        {
            ok = false;
            return null;
        }
        return new TracingConfig(provider)
        {
            ClientSampling = client.Value ?? TracingConfig.DefaultSampling,
            RandomSampling = random.Value ?? TracingConfig.DefaultSampling,
            OverallSampling = overall.Value ?? TracingConfig.DefaultSampling,
            MaxPathTagLength = (int)(maxPath ?? TracingConfig.DefaultMaxPathTagLength),
            CustomTags = tags.Value,
        };
    }

    private static TracingProviderConfig? ReadProvider(YamlMap provider, ConfigReadContext context)
    {
        if (FilterDeclarationReader.Read(provider, context) is not { } declaration)
        {
            return null;
        }
        if (declaration.Is(OpenTelemetryTypeUrls, OpenTelemetryNames))
        {
            return RequireBody(provider, declaration) is { } body
                ? ReadOpenTelemetry(declaration.CanonicalName(OpenTelemetryNames, OpenTelemetryName), body, context)
                : null;
        }
        if (declaration.Is(ZipkinTypeUrls, ZipkinNames))
        {
            return RequireBody(provider, declaration) is { } body
                ? ReadZipkin(declaration.CanonicalName(ZipkinNames, ZipkinName), body, context)
                : null;
        }
        context.Unsupported(declaration.IdentityPath, declaration.IdentityMark,
            $"unsupported tracer '{declaration.Identity}' (supported: {OpenTelemetryName}, {ZipkinName})");
        declaration.Body?.IgnoreRest();
        return null;
    }

    /// <summary>Both tracers need a collector, so a provider without a config body cannot work.</summary>
    private static YamlMap? RequireBody(YamlMap provider, FilterDeclaration declaration)
    {
        if (declaration.Body is null && !provider.HasAny("typed_config", "config"))
        {
            provider.Missing("typed_config");
        }
        return declaration.Body;
    }

    private static OpenTelemetryTracerConfig? ReadOpenTelemetry(string name, YamlMap body, ConfigReadContext context)
    {
        var serviceName = body.Scalar("service_name");
        if (body.Has("grpc_service"))
        {
            body.Error("grpc_service", "grpc_service is not supported: use http_service (OTLP over HTTP/protobuf)");
            body.Map("grpc_service")?.IgnoreRest();
            body.Map("http_service")?.IgnoreRest();
            return null;
        }
        var http = body.RequiredMap("http_service") is { } service ? ReadHttpService(service, context) : null;
        return http is null ? null : new OpenTelemetryTracerConfig(name, http, serviceName ?? OpenTelemetryTracerConfig.DefaultServiceName);
    }

    private static HttpServiceConfig? ReadHttpService(YamlMap service, ConfigReadContext context)
    {
        var headers = ReadResults.AllOrNull(service.Sequence("request_headers_to_add").Select(item => ReadHeader(item, context)));
        if (service.RequiredMap("http_uri") is not { } httpUri)
        {
            return null;
        }
        var uri = httpUri.RequiredScalar("uri");
        var cluster = httpUri.RequiredScalar("cluster");
        // Envoy's HttpUri requires its timeout too.
        var timeout = httpUri.Duration("timeout");
        if (timeout is null && !httpUri.Has("timeout"))
        {
            httpUri.Missing("timeout");
        }
        if (uri is not null && !Uri.TryCreate(uri, UriKind.Absolute, out _))
        {
            httpUri.Error("uri", $"invalid uri '{uri}' (expected e.g. http://collector:4318/v1/traces)");
            uri = null;
        }
        if (cluster is not null)
        {
            context.References.ClusterReferences.Add(new Located<string>(cluster, httpUri.ChildPath("cluster"), httpUri.KeyMark("cluster")));
        }
        return uri is null || cluster is null || timeout is null || headers is null
            ? null
            : new HttpServiceConfig(uri, cluster, timeout.Value, headers.Value);
    }

    private static HeaderValueConfig? ReadHeader(SequenceItem item, ConfigReadContext context)
    {
        if (context.AsMap(item.Node, item.Path) is not { } option || option.RequiredMap("header") is not { } header)
        {
            return null;
        }
        var key = header.RequiredScalar("key");
        var value = header.Scalar("value");
        return key is null ? null : new HeaderValueConfig(key, value ?? string.Empty);
    }

    private static ZipkinTracerConfig? ReadZipkin(string name, YamlMap body, ConfigReadContext context)
    {
        var cluster = body.RequiredScalar("collector_cluster");
        var endpoint = body.Scalar("collector_endpoint");
        var hostname = body.Scalar("collector_hostname");
        var version = body.Enum("collector_endpoint_version", EndpointVersions);
        var shared = body.Boolean("shared_span_context");
        var wide = body.Boolean("trace_id_128bit");
        if (cluster is not null)
        {
            context.References.ClusterReferences.Add(new Located<string>(cluster, body.ChildPath("collector_cluster"), body.KeyMark("collector_cluster")));
        }
        if (cluster is null || (version is null && body.Has("collector_endpoint_version")))
        {
            return null;
        }
        return new ZipkinTracerConfig(
            name,
            cluster,
            string.IsNullOrEmpty(endpoint) ? ZipkinTracerConfig.DefaultCollectorEndpoint : endpoint,
            hostname,
            SharedSpanContext: shared ?? true,
            TraceId128Bit: wide ?? false);
    }

    private static CustomTagConfig? ReadCustomTag(SequenceItem item, ConfigReadContext context)
    {
        if (context.AsMap(item.Node, item.Path) is not { } map)
        {
            return null;
        }
        var tag = map.RequiredScalar("tag");
        if (map.Map("literal") is { } literal)
        {
            var value = literal.Scalar("value");
            return tag is null ? null : new CustomTagConfig(tag, value ?? string.Empty, null, null);
        }
        if (map.Map("request_header") is { } header)
        {
            var name = header.RequiredScalar("name");
            var defaultValue = header.Scalar("default_value");
            return tag is null || name is null ? null : new CustomTagConfig(tag, null, name.ToLowerInvariant(), defaultValue);
        }
        if (!map.HasAny("environment", "metadata"))
        {
            map.Error("requires one of literal or request_header");
        }
        // environment and metadata tags are left unread, so each is reported as an unknown field.
        return null;
    }

    private readonly record struct PercentResult(double? Value, bool Failed);

    /// <summary>Envoy's <c>type.v3.Percent</c>: <c>{value: N}</c> with N from 0 to 100.</summary>
    private static PercentResult Percent(YamlMap owner, string key, ConfigReadContext context)
    {
        if (owner.Map(key) is not { } percent)
        {
            return new PercentResult(null, owner.Has(key));
        }
        if (percent.Take("value") is not { } node)
        {
            // Protobuf's default: an empty Percent is 0.
            return new PercentResult(0, false);
        }
        var path = percent.ChildPath("value");
        if (context.AsScalar(node, path) is not { } text)
        {
            return new PercentResult(null, true);
        }
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value is < 0 or > 100 || double.IsNaN(value))
        {
            context.Error(path, node.Start, $"expected a percentage from 0 to 100, got '{text}'");
            return new PercentResult(null, true);
        }
        return new PercentResult(value, false);
    }
}
