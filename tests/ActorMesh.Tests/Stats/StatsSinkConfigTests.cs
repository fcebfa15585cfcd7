using ActorMesh.Config;
using ActorMesh.Tests.Support;
using Xunit;

namespace ActorMesh.Tests.Stats;

public sealed class StatsSinkConfigTests
{
    private static ConfigLoadResult LoadResult(string bootstrapYaml) => ConfigLoader.LoadYaml(bootstrapYaml + ProxyHarness.SimpleConfig(8080));

    private static BootstrapConfig Load(string bootstrapYaml)
    {
        var result = LoadResult(bootstrapYaml);
        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        return result.Config!;
    }

    [Fact]
    public void V3_statsd_and_dog_statsd_sinks_are_read()
    {
        var config = Load("""
            stats_sinks:
            - name: envoy.stat_sinks.statsd
              typed_config:
                "@type": type.googleapis.com/envoy.config.metrics.v3.StatsdSink
                address: { socket_address: { address: 127.0.0.1, port_value: 8125, protocol: UDP } }
            - name: envoy.stat_sinks.statsd
              typed_config:
                "@type": type.googleapis.com/envoy.config.metrics.v3.StatsdSink
                tcp_cluster_name: backend
                prefix: mesh
            - name: envoy.stat_sinks.dog_statsd
              typed_config:
                "@type": type.googleapis.com/envoy.config.metrics.v3.DogStatsdSink
                address: { socket_address: { address: "::1", port_value: 8126 } }
                max_bytes_per_datagram: 1400

            """);

        Assert.Equal(
        [
            new StatsdSinkConfig("envoy.stat_sinks.statsd", new SocketAddressConfig("127.0.0.1", 8125), null, "envoy"),
            new StatsdSinkConfig("envoy.stat_sinks.statsd", null, "backend", "mesh"),
            new DogStatsdSinkConfig("envoy.stat_sinks.dog_statsd", new SocketAddressConfig("::1", 8126), "envoy", 1400),
        ], config.StatsSinks);
    }

    [Fact]
    public void V2_names_and_untyped_config_load_to_the_same_model()
    {
        var config = Load("""
            stats_sinks:
            - name: envoy.statsd
              config:
                address: { socket_address: { address: 127.0.0.1, port_value: 8125 } }
                prefix: ""
            - name: envoy.dog_statsd
              typed_config:
                "@type": type.googleapis.com/envoy.config.metrics.v2.DogStatsdSink
                address: { socket_address: { address: 127.0.0.1, port_value: 8125 } }
                prefix: dd

            """);

        Assert.Equal(
        [
            new StatsdSinkConfig("envoy.stat_sinks.statsd", new SocketAddressConfig("127.0.0.1", 8125), null, "envoy"),
            new DogStatsdSinkConfig("envoy.stat_sinks.dog_statsd", new SocketAddressConfig("127.0.0.1", 8125), "dd", null),
        ], config.StatsSinks);
    }

    [Theory]
    [InlineData("- name: envoy.stat_sinks.statsd\n  typed_config:\n    \"@type\": type.googleapis.com/envoy.config.metrics.v3.StatsdSink\n    tcp_cluster_name: nowhere\n",
        "stats_sinks[0].typed_config.tcp_cluster_name (line 5): unknown cluster 'nowhere'")]
    [InlineData("- name: envoy.stat_sinks.statsd\n  typed_config:\n    \"@type\": type.googleapis.com/envoy.config.metrics.v3.StatsdSink\n    tcp_cluster_name: backend\n    address: { socket_address: { address: 127.0.0.1, port_value: 8125 } }\n",
        "stats_sinks[0].typed_config.tcp_cluster_name (line 5): only one of address or tcp_cluster_name may be set")]
    [InlineData("- name: envoy.stat_sinks.statsd\n  typed_config:\n    \"@type\": type.googleapis.com/envoy.config.metrics.v3.StatsdSink\n",
        "stats_sinks[0].typed_config.address (line 4): missing required field")]
    [InlineData("- name: envoy.stat_sinks.statsd\n  typed_config:\n    \"@type\": type.googleapis.com/envoy.config.metrics.v3.StatsdSink\n    address: { socket_address: { address: statsd.local, port_value: 8125 } }\n",
        "stats_sinks[0].typed_config.address.socket_address.address (line 5): 'statsd.local' is not an IP address")]
    [InlineData("- name: envoy.stat_sinks.dog_statsd\n  typed_config:\n    \"@type\": type.googleapis.com/envoy.config.metrics.v3.DogStatsdSink\n    address: { socket_address: { address: 127.0.0.1, port_value: 8125 } }\n    max_bytes_per_datagram: 0\n",
        "stats_sinks[0].typed_config.max_bytes_per_datagram (line 6): must be between 1 and 65507")]
    [InlineData("- name: envoy.stat_sinks.dog_statsd\n  typed_config:\n    \"@type\": type.googleapis.com/envoy.config.metrics.v3.DogStatsdSink\n    address: { socket_address: { address: 127.0.0.1, port_value: 8125 } }\n    tcp_cluster_name: backend\n",
        "stats_sinks[0].typed_config.tcp_cluster_name (line 6): unknown field")]
    [InlineData("- name: envoy.stat_sinks.hystrix\n  typed_config:\n    \"@type\": type.googleapis.com/envoy.config.metrics.v3.HystrixSink\n",
        "stats_sinks[0].typed_config.@type (line 4): unsupported stats sink 'type.googleapis.com/envoy.config.metrics.v3.HystrixSink'")]
    [InlineData("- name: envoy.stat_sinks.statsd\n  typed_config:\n    \"@type\": type.googleapis.com/envoy.config.metrics.v3.StatsdSink\n    address: { socket_address: { address: 127.0.0.1, port_value: 8125 } }\n    use_tags: true\n",
        "stats_sinks[0].typed_config.use_tags (line 6): unknown field")]
    public void Unsupported_or_invalid_sinks_are_errors_with_path_and_line(string sinks, string expected)
    {
        var result = LoadResult("stats_sinks:\n" + sinks);
        Assert.False(result.IsValid);
        Assert.Contains(result.Errors.Select(e => e.ToString()), e => e.StartsWith(expected, StringComparison.Ordinal));
    }
}
