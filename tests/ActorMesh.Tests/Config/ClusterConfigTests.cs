using ActorMesh.Config;
using Xunit;

namespace ActorMesh.Tests.Config;

/// <summary>The upstream cluster fields: v3 and v2 spellings, defaults, and errors that name path and line.</summary>
public sealed class ClusterConfigTests
{
    private const string V3 = """
        static_resources:
          clusters:
          - name: web
            type: STRICT_DNS
            lb_policy: RING_HASH
            dns_lookup_family: V4_ONLY
            ring_hash_lb_config: { minimum_ring_size: 64, maximum_ring_size: 4096, hash_function: XX_HASH }
            common_lb_config:
              healthy_panic_threshold: { value: 25.0 }
              locality_weighted_lb_config: {}
            circuit_breakers:
              thresholds:
              - priority: DEFAULT
                max_connections: 10
                max_pending_requests: 11
                max_requests: 12
                max_retries: 13
                track_remaining: true
              - priority: HIGH
                max_requests: 99
            outlier_detection:
              consecutive_5xx: 7
              consecutive_gateway_failure: 4
              interval: 2s
              base_ejection_time: 1s
              max_ejection_time: 60s
              max_ejection_percent: 30
              enforcing_consecutive_5xx: 90
              enforcing_consecutive_gateway_failure: 80
              enforcing_success_rate: 70
              success_rate_minimum_hosts: 3
              success_rate_request_volume: 50
              success_rate_stdev_factor: 1500
            health_checks:
            - timeout: 1s
              interval: 5s
              interval_jitter: 1s
              interval_jitter_percent: 10
              initial_jitter: 2s
              unhealthy_threshold: 3
              healthy_threshold: 2
              no_traffic_interval: 30s
              unhealthy_interval: 4s
              http_health_check:
                path: /healthz
                host: hc.local
                expected_statuses: [{ start: 200, end: 300 }]
            typed_extension_protocol_options:
              envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
                "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
                common_http_protocol_options: { idle_timeout: 30s, max_requests_per_connection: 100 }
                explicit_http_config: { http_protocol_options: {} }
            load_assignment:
              cluster_name: web
              policy: { overprovisioning_factor: 200 }
              endpoints:
              - locality: { region: eu, zone: eu-1 }
                load_balancing_weight: 3
                priority: 0
                lb_endpoints:
                - endpoint:
                    address: { socket_address: { address: web-1, port_value: 80 } }
                    hostname: web-1.local
                    health_check_config: { port_value: 8081 }
                  load_balancing_weight: 5
              - priority: 1
                lb_endpoints:
                - endpoint: { address: { socket_address: { address: web-2, port_value: 80 } } }
        """;

    [Fact]
    public void V3_cluster_fields_load()
    {
        var cluster = Load(V3);

        Assert.Equal(LbPolicy.RingHash, cluster.LbPolicy);
        Assert.Equal(DnsLookupFamily.V4Only, cluster.DnsLookupFamily);
        Assert.Equal(new LoadBalancingConfig(25, true, 200, 2, 64, 4096), cluster.LoadBalancing);
        Assert.Equal(new ThresholdsConfig(10, 11, 12, 13, true), cluster.CircuitBreakers.DefaultPriority);
        Assert.Equal(ThresholdsConfig.Default with { MaxRequests = 99 }, cluster.CircuitBreakers.HighPriority);
        Assert.Equal(
            new OutlierDetectionConfig(7, 4, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), 30, 90, 80, 70, 3, 50, 1500),
            cluster.OutlierDetection);
        var check = Assert.Single(cluster.HealthChecks);
        Assert.Equal(HealthCheckKind.Http, check.Kind);
        Assert.Equal("/healthz", check.Path);
        Assert.Equal("hc.local", check.Host);
        Assert.Equal(TimeSpan.FromSeconds(4), check.UnhealthyInterval);
        Assert.Equal(TimeSpan.FromSeconds(30), check.NoTrafficInterval);
        Assert.Equal(TimeSpan.FromSeconds(30), check.NoTrafficHealthyInterval);
        Assert.Equal(10u, check.IntervalJitterPercent);
        Assert.True(check.IsExpected(204));
        Assert.False(check.IsExpected(300));
        Assert.Equal(new ConnectionPoolConfig(TimeSpan.FromSeconds(30), 100), cluster.ConnectionPool);
        Assert.Equal(
            [
                new EndpointConfig(new SocketAddressConfig("web-1", 80), "web-1.local", 5, 0, 0, new LocalityConfig("eu", "eu-1", ""), 3, 8081),
                new EndpointConfig(new SocketAddressConfig("web-2", 80), "", 1, 1, 0, LocalityConfig.Empty, 0, 0),
            ],
            cluster.LbEndpoints);
    }

    [Fact]
    public void V2_spellings_load_to_the_same_model()
    {
        var v3 = Load("""
            static_resources:
              clusters:
              - name: a
                type: LOGICAL_DNS
                lb_policy: LEAST_REQUEST
                least_request_lb_config: { choice_count: 3 }
                typed_extension_protocol_options:
                  envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
                    "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
                    common_http_protocol_options: { idle_timeout: 5s, max_requests_per_connection: 7 }
                load_assignment:
                  endpoints:
                  - lb_endpoints:
                    - endpoint: { address: { socket_address: { address: localhost, port_value: 80 } } }
                      load_balancing_weight: 2
            """);
        var v2 = Load("""
            static_resources:
              clusters:
              - name: a
                type: logical_dns
                lb_policy: least_request
                least_request_lb_config: { choice_count: { value: 3 } }
                common_http_protocol_options: { idle_timeout: 5s }
                max_requests_per_connection: { value: 7 }
                load_assignment:
                  endpoints:
                  - lb_endpoints:
                    - endpoint: { address: { socket_address: { address: localhost, port_value: 80 } } }
                      load_balancing_weight: { value: 2 }
            """);

        Assert.Equal(v3, v2);
        Assert.Equal(DiscoveryType.LogicalDns, v3.Type);
        Assert.Equal(3, v3.LoadBalancing.ChoiceCount);
    }

    [Fact]
    public void Defaults_follow_envoy()
    {
        var cluster = Load("""
            static_resources:
              clusters:
              - name: a
                outlier_detection: {}
                health_checks:
                - { timeout: 1s, interval: 2s, unhealthy_threshold: 2, healthy_threshold: 1, tcp_health_check: {} }
                load_assignment:
                  endpoints:
                  - lb_endpoints:
                    - endpoint: { address: { socket_address: { address: 10.0.0.1, port_value: 80 } } }
            """);

        Assert.Equal(OutlierDetectionConfig.Default, cluster.OutlierDetection);
        Assert.Equal(5u, cluster.OutlierDetection!.Consecutive5xx);
        Assert.Equal(TimeSpan.FromSeconds(10), cluster.OutlierDetection.Interval);
        Assert.Equal(TimeSpan.FromSeconds(30), cluster.OutlierDetection.BaseEjectionTime);
        Assert.Equal(10u, cluster.OutlierDetection.MaxEjectionPercent);
        Assert.Equal(new ThresholdsConfig(1024, 1024, 1024, 3, false), cluster.CircuitBreakers.DefaultPriority);
        Assert.Equal(TimeSpan.FromHours(1), cluster.ConnectionPool.IdleTimeout);
        Assert.Equal(50, cluster.LoadBalancing.HealthyPanicThreshold);
        Assert.Equal(140u, cluster.LoadBalancing.OverprovisioningFactor);
        var check = Assert.Single(cluster.HealthChecks);
        Assert.Equal(HealthCheckKind.Tcp, check.Kind);
        Assert.Equal(TimeSpan.FromSeconds(60), check.NoTrafficInterval);
        Assert.True(check.IsExpected(200));
        Assert.False(check.IsExpected(204));
    }

    [Fact]
    public void Of_several_thresholds_for_one_priority_the_first_applies_as_in_envoy()
    {
        var cluster = Load(Cluster("circuit_breakers: { thresholds: [{ max_connections: 5 }, { priority: HIGH, max_connections: 7 }, { priority: DEFAULT, max_connections: 9 }] }"));

        Assert.Equal(5, cluster.CircuitBreakers.DefaultPriority.MaxConnections);
        Assert.Equal(7, cluster.CircuitBreakers.HighPriority.MaxConnections);
        Assert.Equal(ThresholdsConfig.Default with { MaxConnections = 7 }, cluster.CircuitBreakers.For(RoutingPriority.High));
    }

    [Theory]
    [InlineData("outlier_detection: { consecutive_local_origin_failure: 3 }", "static_resources.clusters[0].outlier_detection.consecutive_local_origin_failure (line 4): unknown field")]
    [InlineData("circuit_breakers: { thresholds: [{ max_requests: 1, retry_budget: {} }] }", "static_resources.clusters[0].circuit_breakers.thresholds[0].retry_budget (line 4): unknown field")]
    [InlineData("lb_policy: ORIGINAL_DST_LB", "static_resources.clusters[0].lb_policy (line 4): unsupported value 'ORIGINAL_DST_LB' (supported: ROUND_ROBIN, LEAST_REQUEST, RANDOM, RING_HASH, MAGLEV)")]
    [InlineData("health_checks: [{ timeout: 1s, interval: 1s, unhealthy_threshold: 1, healthy_threshold: 1, grpc_health_check: {} }]", "static_resources.clusters[0].health_checks[0].grpc_health_check (line 4): unknown field")]
    [InlineData("health_checks: [{ timeout: 1s, interval: 1s, healthy_threshold: 1, tcp_health_check: {} }]", "static_resources.clusters[0].health_checks[0].unhealthy_threshold (line 4): missing required field")]
    [InlineData("common_lb_config: { healthy_panic_threshold: { value: 150 } }", "static_resources.clusters[0].common_lb_config.healthy_panic_threshold.value (line 4): must be a number between 0 and 100, got '150'")]
    public void Unsupported_and_invalid_fields_name_path_and_line(string field, string expected)
    {
        var result = ConfigLoader.LoadYaml(Cluster(field));

        Assert.Contains(expected, result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Logical_dns_takes_exactly_one_endpoint()
    {
        var result = ConfigLoader.LoadYaml("""
            static_resources:
              clusters:
              - name: a
                type: LOGICAL_DNS
                load_assignment:
                  endpoints:
                  - lb_endpoints:
                    - endpoint: { address: { socket_address: { address: a.local, port_value: 80 } } }
                    - endpoint: { address: { socket_address: { address: b.local, port_value: 80 } } }
            """);

        Assert.Contains(result.Errors, e => e.Path == "static_resources.clusters[0].load_assignment" && e.Message.Contains("single lb_endpoint"));
    }

    private static string Cluster(string field) => ClusterYaml.WithField(field);

    private static ClusterConfig Load(string yaml) => ClusterYaml.Load(yaml);
}
