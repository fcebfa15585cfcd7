using ActorMesh.Config;
using Xunit;

namespace ActorMesh.Tests.Tracing;

public sealed class TracingConfigTests
{
    private const string Path = "static_resources.listeners[0].filter_chains[0].filters[0].typed_config.tracing";

    // The tracing block starts on line 11; the assertions' line numbers count from there.
    private static string Yaml(string tracing) => """
        static_resources:
          listeners:
          - name: web
            address: { socket_address: { address: 127.0.0.1, port_value: 8080 } }
            filter_chains:
            - filters:
              - name: envoy.filters.network.http_connection_manager
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                  stat_prefix: ingress_http

        """ + string.Concat(tracing.Split('\n').Select(line => "          " + line + "\n")) + """
                  route_config:
                    virtual_hosts:
                    - name: app
                      domains: ["*"]
                      routes:
                      - match: { prefix: "/" }
                        route: { cluster: web }
                  http_filters:
                  - name: envoy.filters.http.router
          clusters:
          - name: web
            load_assignment:
              cluster_name: web
              endpoints:
              - lb_endpoints:
                - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: 9000 } } }
          - name: otel
            load_assignment:
              cluster_name: otel
              endpoints:
              - lb_endpoints:
                - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: 4318 } } }
        """;

    private const string OpenTelemetry = """
        tracing:
          provider:
            name: envoy.tracers.opentelemetry
            typed_config:
              "@type": type.googleapis.com/envoy.config.trace.v3.OpenTelemetryConfig
              service_name: edge
              http_service:
                http_uri: { uri: "http://otel:4318/v1/traces", cluster: otel, timeout: 0.5s }
                request_headers_to_add:
                - header: { key: authorization, value: "Bearer t" }
        """;

    private static TracingConfig Load(string tracing)
    {
        var result = ConfigLoader.LoadYaml(Yaml(tracing));
        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Errors));
        var hcm = (HttpConnectionManagerConfig)result.Config!.StaticResources.Listeners[0].FilterChains[0].Filters[0];
        return hcm.Tracing!;
    }

    private static string[] Errors(string tracing)
    {
        var result = ConfigLoader.LoadYaml(Yaml(tracing));
        Assert.False(result.IsValid);
        return result.Errors.Select(e => e.ToString()).ToArray();
    }

    [Fact]
    public void OpenTelemetry_http_service_with_sampling_and_custom_tags_loads()
    {
        var config = Load(OpenTelemetry + """

              random_sampling: { value: 12.5 }
              client_sampling: { value: 0 }
              overall_sampling: { value: 50 }
              max_path_tag_length: 64
              spawn_upstream_span: false
              custom_tags:
              - tag: env
                literal: { value: prod }
              - tag: tenant
                request_header: { name: X-Tenant, default_value: none }
            """);

        var otel = Assert.IsType<OpenTelemetryTracerConfig>(config.Provider);
        Assert.Equal("envoy.tracers.opentelemetry", otel.Name);
        Assert.Equal("edge", otel.ServiceName);
        Assert.Equal(new HttpServiceConfig("http://otel:4318/v1/traces", "otel", TimeSpan.FromMilliseconds(500),
            new[] { new HeaderValueConfig("authorization", "Bearer t") }.ToEquatableArray()), otel.HttpService);
        Assert.Equal((12.5, 0d, 50d, 64), (config.RandomSampling, config.ClientSampling, config.OverallSampling, config.MaxPathTagLength));
        Assert.Equal(
            [new CustomTagConfig("env", "prod", null, null), new CustomTagConfig("tenant", null, "x-tenant", "none")],
            config.CustomTags);
    }

    [Fact]
    public void Zipkin_loads_with_Envoys_defaults()
    {
        var config = Load("""
            tracing:
              provider:
                name: envoy.tracers.zipkin
                typed_config:
                  "@type": type.googleapis.com/envoy.config.trace.v3.ZipkinConfig
                  collector_cluster: otel
                  collector_endpoint_version: HTTP_JSON
                  trace_id_128bit: true
            """);

        Assert.Equal(new ZipkinTracerConfig("envoy.tracers.zipkin", "otel", "/api/v2/spans", null, SharedSpanContext: true, TraceId128Bit: true), config.Provider);
        Assert.Equal((100d, 100d, 100d), (config.RandomSampling, config.ClientSampling, config.OverallSampling));
    }

    [Fact]
    public void Grpc_service_is_rejected_with_its_path_and_line()
    {
        var errors = Errors("""
            tracing:
              provider:
                name: envoy.tracers.opentelemetry
                typed_config:
                  "@type": type.googleapis.com/envoy.config.trace.v3.OpenTelemetryConfig
                  grpc_service:
                    envoy_grpc: { cluster_name: otel }
            """);

        Assert.Equal([$"{Path}.provider.typed_config.grpc_service (line 17): grpc_service is not supported: use http_service (OTLP over HTTP/protobuf)"], errors);
    }

    [Fact]
    public void A_collector_cluster_must_be_configured()
    {
        var errors = Errors(OpenTelemetry.Replace("cluster: otel", "cluster: nowhere"));

        Assert.Equal([$"{Path}.provider.typed_config.http_service.http_uri.cluster (line 18): unknown cluster 'nowhere'"], errors);
    }

    [Fact]
    public void Unsupported_fields_and_values_are_errors()
    {
        var errors = Errors("""
            tracing:
              spawn_upstream_span: true
              random_sampling: { value: 101 }
              verbose: true
              custom_tags:
              - tag: host
                environment: { name: HOSTNAME }
              provider:
                name: envoy.tracers.zipkin
                typed_config:
                  "@type": type.googleapis.com/envoy.config.trace.v3.ZipkinConfig
                  collector_cluster: otel
                  collector_endpoint_version: HTTP_PROTO
                  split_spans_for_request: true
            """);

        Assert.Equal(
            [
                $"{Path}.spawn_upstream_span (line 12): spawn_upstream_span: true is not supported (the connection manager's span is the only span)",
                $"{Path}.random_sampling.value (line 13): expected a percentage from 0 to 100, got '101'",
                $"{Path}.verbose (line 14): unknown field",
                $"{Path}.custom_tags[0].environment (line 17): unknown field",
                $"{Path}.provider.typed_config.collector_endpoint_version (line 23): unsupported value 'HTTP_PROTO' (supported: HTTP_JSON)",
                $"{Path}.provider.typed_config.split_spans_for_request (line 24): unknown field",
            ],
            errors);
    }

    [Fact]
    public void An_unknown_tracer_is_unsupported()
    {
        var errors = Errors("tracing:\n  provider:\n    name: envoy.tracers.datadog\n    typed_config:\n      collector_cluster: otel");

        Assert.Equal([$"{Path}.provider.name (line 13): unsupported tracer 'envoy.tracers.datadog' (supported: envoy.tracers.opentelemetry, envoy.tracers.zipkin)"], errors);
    }
}
