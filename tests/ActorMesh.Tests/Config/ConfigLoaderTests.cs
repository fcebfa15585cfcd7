using ActorMesh.Config;
using Xunit;

namespace ActorMesh.Tests.Config;

public sealed class ConfigLoaderTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "Config", name);

    private static BootstrapConfig LoadValid(string fixture)
    {
        var result = ConfigLoader.LoadFile(Fixture(fixture));
        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Errors));
        Assert.Empty(result.Errors);
        return result.Config!;
    }

    [Fact]
    public void Seed_v2_fixture_loads_with_envoy_defaults_and_generated_names()
    {
        var config = LoadValid("seed-v2.yaml");

        var listener = Assert.Single(config.StaticResources.Listeners);
        Assert.Equal("listener_0", listener.Name);
        Assert.Equal(new SocketAddressConfig("0.0.0.0", 80), listener.Address);
        var hcm = Assert.IsType<HttpConnectionManagerConfig>(Assert.Single(Assert.Single(listener.FilterChains).Filters));
        Assert.Equal("envoy.filters.network.http_connection_manager", hcm.Name);
        Assert.Equal(CodecType.Auto, hcm.CodecType);
        Assert.Equal("ingress_http", hcm.StatPrefix);
        Assert.Equal(new HttpFilterConfig("envoy.filters.http.router", HttpFilterKind.Router), Assert.Single(hcm.HttpFilters));
        Assert.Equal("local_route", hcm.RouteConfig.Name);
        var host = Assert.Single(hcm.RouteConfig.VirtualHosts);
        Assert.Equal("service", host.Name);
        Assert.Equal(["*"], host.Domains);
        Assert.Equal(
            new RouteConfig(null, new RouteMatchConfig(PathMatchKind.Prefix, "/service"), new RouteActionConfig("local_service")),
            Assert.Single(host.Routes));

        var cluster = Assert.Single(config.StaticResources.Clusters);
        Assert.Equal("local_service", cluster.Name);
        Assert.Equal(TimeSpan.FromMilliseconds(250), cluster.ConnectTimeout);
        Assert.Equal(DiscoveryType.StrictDns, cluster.Type);
        Assert.Equal(LbPolicy.RoundRobin, cluster.LbPolicy);
        Assert.Equal(ClusterConfig.DefaultDnsRefreshRate, cluster.DnsRefreshRate);
        Assert.Equal([new SocketAddressConfig("127.0.0.1", 8080)], cluster.Endpoints);

        Assert.Equal(new AdminConfig(new SocketAddressConfig("0.0.0.0", 8081), "/dev/null"), config.Admin);
    }

    [Fact]
    public void V2_file_and_its_v3_twin_load_to_equal_models()
    {
        var v2 = LoadValid("seed-v2.yaml");
        var v3 = LoadValid("seed-v3.yaml");

        Assert.Equal(v2, v3);
        Assert.Equal(v2.GetHashCode(), v3.GetHashCode());
    }

    [Fact]
    public void Legacy_hosts_list_equals_load_assignment()
    {
        var hosts = LoadValid("hosts-v2.yaml");
        var loadAssignment = LoadValid("load-assignment-v3.yaml");

        Assert.Equal(hosts, loadAssignment);
        Assert.Equal(
            [new SocketAddressConfig("10.0.0.1", 80), new SocketAddressConfig("10.0.0.2", 80)],
            hosts.StaticResources.Clusters[0].Endpoints);
    }

    [Fact]
    public void Defaults_apply_when_optional_fields_are_absent()
    {
        var result = ConfigLoader.LoadYaml("""
            static_resources:
              clusters:
              - name: plain
                load_assignment:
                  endpoints:
                  - lb_endpoints:
                    - endpoint: { address: { socket_address: { address: 10.0.0.1, port_value: 80 } } }
            """);

        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Errors));
        Assert.Equal(
            new ClusterConfig("plain", ClusterConfig.DefaultConnectTimeout, DiscoveryType.Static, LbPolicy.RoundRobin,
                new[] { new SocketAddressConfig("10.0.0.1", 80) }.ToEquatableArray(), ClusterConfig.DefaultDnsRefreshRate),
            Assert.Single(result.Config!.StaticResources.Clusters));
        Assert.Null(result.Config.Admin);
        Assert.Empty(result.Config.StaticResources.Listeners);
    }

    [Fact]
    public void Route_configuration_without_virtual_hosts_and_hcm_without_http_filters_are_empty()
    {
        var result = ConfigLoader.LoadYaml("""
            static_resources:
              listeners:
              - name: bare
                address: { socket_address: { address: "::1", port_value: 0 } }
                filter_chains:
                - filters:
                  - name: envoy.http_connection_manager
                    typed_config:
                      codec_type: http1
                      stat_prefix: bare
                      route_config: { name: empty }
            """);

        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Errors));
        var listener = Assert.Single(result.Config!.StaticResources.Listeners);
        Assert.Equal("[::1]:0", listener.Address.ToString());
        var hcm = Assert.IsType<HttpConnectionManagerConfig>(listener.FilterChains[0].Filters[0]);
        Assert.Equal(CodecType.Http1, hcm.CodecType);
        Assert.Empty(hcm.HttpFilters);
        Assert.Empty(hcm.RouteConfig.VirtualHosts);
    }

    [Fact]
    public void Path_match_and_custom_filter_names_are_kept()
    {
        var result = ConfigLoader.LoadYaml("""
            static_resources:
              listeners:
              - address: { socket_address: { address: 127.0.0.1, port_value: 10000 } }
                filter_chains:
                - filters:
                  - name: my_hcm
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                      stat_prefix: s
                      route_config:
                        virtual_hosts:
                        - name: h
                          domains: ["*"]
                          routes:
                          - name: exact
                            match: { path: "/healthz" }
                            route: { cluster: c }
                      http_filters:
                      - name: my_router
                        typed_config:
                          "@type": type.googleapis.com/envoy.config.filter.http.router.v2.Router
              clusters:
              - name: c
                type: STATIC
                dns_refresh_rate: 2s
                load_assignment:
                  endpoints:
                  - lb_endpoints:
                    - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: 8080 } } }
            """);

        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Errors));
        var hcm = Assert.IsType<HttpConnectionManagerConfig>(result.Config!.StaticResources.Listeners[0].FilterChains[0].Filters[0]);
        Assert.Equal("my_hcm", hcm.Name);
        Assert.Equal("my_router", hcm.HttpFilters[0].Name);
        Assert.Equal("", hcm.RouteConfig.Name);
        Assert.Equal(
            new RouteConfig("exact", new RouteMatchConfig(PathMatchKind.Path, "/healthz"), new RouteActionConfig("c")),
            hcm.RouteConfig.VirtualHosts[0].Routes[0]);
        Assert.Equal(TimeSpan.FromSeconds(2), result.Config.StaticResources.Clusters[0].DnsRefreshRate);
    }

    [Theory]
    [InlineData("5s", 5_000)]
    [InlineData("0.25s", 250)]
    [InlineData("1.5s", 1_500)]
    [InlineData("0s", 0)]
    [InlineData("0.000000001s", 0)]
    public void Json_durations_parse(string text, int milliseconds)
    {
        Assert.True(DurationParser.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), TimeSpan.FromMilliseconds(Math.Floor(duration.TotalMilliseconds)));
    }

    [Theory]
    [InlineData("5")]
    [InlineData("250ms")]
    [InlineData("-1s")]
    [InlineData("1.s")]
    [InlineData(".5s")]
    [InlineData("1.0000000001s")]
    [InlineData(" 1s")]
    public void Malformed_durations_are_rejected(string text) => Assert.False(DurationParser.TryParse(text, out _));
}
