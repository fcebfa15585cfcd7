using ActorMesh.Config;
using Xunit;

namespace ActorMesh.Tests.Config;

/// <summary>A cluster's <c>http2_protocol_options</c>: the v2 field, the v3 typed options, Envoy's defaults and bounds.</summary>
public sealed class Http2ProtocolOptionsConfigTests
{
    [Fact]
    public void The_v2_field_selects_http2_with_envoys_defaults()
    {
        var cluster = Load("http2_protocol_options: {}");

        Assert.Equal(Http2ProtocolOptionsConfig.Default, cluster.Http2ProtocolOptions);
        Assert.Equal(new Http2ProtocolOptionsConfig(4096, 2147483647, 268435456, 268435456), cluster.Http2ProtocolOptions);
    }

    [Fact]
    public void The_v3_typed_options_load_to_the_same_model_as_the_v2_field()
    {
        var v3 = Load("""
            typed_extension_protocol_options:
                  envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
                    "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
                    explicit_http_config:
                      http2_protocol_options:
                        max_concurrent_streams: 100
                        initial_stream_window_size: 65536
                        initial_connection_window_size: { value: 1048576 }
                        hpack_table_size: 0
            """);
        var v2 = Load("http2_protocol_options: { max_concurrent_streams: { value: 100 }, initial_stream_window_size: 65536, initial_connection_window_size: 1048576, hpack_table_size: 0 }");

        Assert.Equal(new Http2ProtocolOptionsConfig(0, 100, 65536, 1048576), v3.Http2ProtocolOptions);
        Assert.Equal(v3, v2);
    }

    [Fact]
    public void Http1_is_the_default_and_what_explicit_http_protocol_options_select()
    {
        Assert.Null(Load("connect_timeout: 1s").Http2ProtocolOptions);
        Assert.Null(Load("http_protocol_options: {}").Http2ProtocolOptions);
        Assert.Null(Load("""
            typed_extension_protocol_options:
                  envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
                    explicit_http_config: { http_protocol_options: {} }
            """).Http2ProtocolOptions);
    }

    [Theory]
    [InlineData("http2_protocol_options: { allow_connect: true }", "static_resources.clusters[0].http2_protocol_options.allow_connect (line 4): unknown field")]
    [InlineData("http2_protocol_options: { initial_stream_window_size: 1024 }", "static_resources.clusters[0].http2_protocol_options.initial_stream_window_size (line 4): must be between 65535 and 2147483647")]
    [InlineData("http2_protocol_options: { initial_connection_window_size: 2147483648 }", "static_resources.clusters[0].http2_protocol_options.initial_connection_window_size (line 4): must be between 65535 and 2147483647")]
    [InlineData("http2_protocol_options: { max_concurrent_streams: 0 }", "static_resources.clusters[0].http2_protocol_options.max_concurrent_streams (line 4): must be between 1 and 2147483647")]
    [InlineData("http_protocol_options: { accept_http_10: true }", "static_resources.clusters[0].http_protocol_options.accept_http_10 (line 4): unknown field")]
    [InlineData("http2_protocol_options: {}\n    http_protocol_options: {}", "static_resources.clusters[0].http2_protocol_options (line 4): cannot be combined with http_protocol_options")]
    public void Unsupported_and_invalid_fields_name_path_and_line(string field, string expected)
    {
        var result = ConfigLoader.LoadYaml(Cluster(field));

        Assert.Contains(expected, result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Explicit_http_config_takes_exactly_one_protocol()
    {
        var none = Errors("""
            typed_extension_protocol_options:
                  envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
                    explicit_http_config: {}
            """);
        var both = Errors("""
            typed_extension_protocol_options:
                  envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
                    explicit_http_config: { http_protocol_options: {}, http2_protocol_options: {} }
            """);
        var http3 = Errors("""
            typed_extension_protocol_options:
                  envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
                    explicit_http_config: { http3_protocol_options: {} }
            """);

        Assert.Contains(none, e => e.EndsWith("explicit_http_config.http_protocol_options (line 6): missing required field"));
        Assert.Contains(both, e => e.Contains("explicit_http_config.http2_protocol_options (line 6): only one of"));
        Assert.Contains(http3, e => e.EndsWith("explicit_http_config.http3_protocol_options (line 6): unknown field"));
    }

    [Fact]
    public void The_typed_options_cannot_be_combined_with_the_v2_field()
    {
        var errors = Errors("""
            http2_protocol_options: {}
                typed_extension_protocol_options:
                  envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
                    explicit_http_config: { http2_protocol_options: {} }
            """);

        Assert.Contains(errors, e => e.Contains("typed_extension_protocol_options.envoy.extensions.upstreams.http.v3.HttpProtocolOptions (line 7): cannot be combined"));
    }

    private static string[] Errors(string field) => ConfigLoader.LoadYaml(Cluster(field)).Errors.Select(e => e.ToString()).ToArray();

    private static string Cluster(string field) => ClusterYaml.WithField(field);

    private static ClusterConfig Load(string field) => ClusterYaml.Load(Cluster(field));
}
