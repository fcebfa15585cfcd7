using ActorMesh.Config;
using Xunit;

namespace ActorMesh.Tests.Config;

/// <summary>The connection manager's HTTP protocol fields (issue 3): forwarding, limits, timeouts, upgrades.</summary>
public sealed class HttpProtocolConfigTests
{
    private static string Yaml(string hcmFields, string routeFields = "", string listenerFields = "") => $$"""
        static_resources:
          listeners:
          - name: web
            address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
        {{listenerFields}}
            filter_chains:
            - filters:
              - name: envoy.filters.network.http_connection_manager
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                  stat_prefix: web
        {{hcmFields}}
                  route_config:
                    virtual_hosts:
                    - name: all
                      domains: ["*"]
                      routes:
                      - match: { prefix: "/" }
                        route:
                          cluster: app
        {{routeFields}}
          clusters:
          - name: app
            load_assignment:
              endpoints:
              - lb_endpoints:
                - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: 8080 } } }
        """;

    private static string Indent(string text, int spaces) =>
        string.Join('\n', text.Split('\n').Select(l => new string(' ', spaces) + l));

    private static BootstrapConfig Load(string yaml)
    {
        var result = ConfigLoader.LoadYaml(yaml);
        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Errors));
        return result.Config!;
    }

    private static HttpConnectionManagerConfig Hcm(BootstrapConfig config) =>
        Assert.IsType<HttpConnectionManagerConfig>(config.StaticResources.Listeners[0].FilterChains[0].Filters[0]);

    [Fact]
    public void Defaults_are_envoys()
    {
        var config = Load(Yaml(""));
        var hcm = Hcm(config);

        Assert.Equal(ForwardingConfig.Default, hcm.Forwarding);
        Assert.Equal(60, hcm.Limits.MaxRequestHeadersKb);
        Assert.Equal(100, hcm.Limits.MaxHeadersCount);
        Assert.Equal(TimeSpan.FromMinutes(5), hcm.Timeouts.StreamIdle);
        Assert.Equal(TimeSpan.FromHours(1), hcm.Timeouts.Idle);
        Assert.Equal(TimeSpan.Zero, hcm.Timeouts.Request);
        Assert.Equal(TimeSpan.Zero, hcm.Timeouts.RequestHeaders);
        Assert.Equal(TimeSpan.FromSeconds(5), hcm.Timeouts.Drain);
        Assert.Equal(TimeSpan.FromSeconds(1), hcm.Timeouts.DelayedClose);
        Assert.Equal(TimeSpan.FromSeconds(15), hcm.RouteConfig.VirtualHosts[0].Routes[0].Action!.Timeout);
        Assert.Equal(1024 * 1024, config.StaticResources.Listeners[0].PerConnectionBufferLimitBytes);
    }

    [Fact]
    public void Every_field_is_read()
    {
        var hcmFields = Indent("""
            use_remote_address: true
            xff_num_trusted_hops: 2
            skip_xff_append: true
            generate_request_id: false
            preserve_external_request_id: true
            server_name: edge
            server_header_transformation: append_if_absent
            proxy_100_continue: true
            max_request_headers_kb: 96
            common_http_protocol_options:
              idle_timeout: 30s
              max_headers_count: 50
              headers_with_underscores_action: DROP_HEADER
            stream_idle_timeout: 10s
            request_timeout: { seconds: 20 }
            request_headers_timeout: 2s
            drain_timeout: 3s
            delayed_close_timeout: 0.5s
            upgrade_configs:
            - upgrade_type: websocket
            - upgrade_type: CONNECT
              enabled: false
            """, 10);
        var routeFields = Indent("timeout: 0s\nidle_timeout: 7s\nupgrade_configs: [{ upgrade_type: websocket, enabled: false }]", 18);
        var config = Load(Yaml(hcmFields, routeFields, "    per_connection_buffer_limit_bytes: 32768"));
        var hcm = Hcm(config);

        Assert.Equal(new ForwardingConfig(true, 2, true, false, true, "edge", ServerHeaderTransformation.AppendIfAbsent, true), hcm.Forwarding);
        Assert.Equal(new HttpLimitsConfig(96, 50, HeadersWithUnderscoresAction.DropHeader), hcm.Limits);
        Assert.Equal(new HttpTimeoutsConfig(
            TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(500)),
            hcm.Timeouts);
        Assert.Equal([new UpgradeConfig("websocket", true), new UpgradeConfig("CONNECT", false)], hcm.UpgradeConfigs);
        var action = hcm.RouteConfig.VirtualHosts[0].Routes[0].Action!;
        Assert.Equal(TimeSpan.Zero, action.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(7), action.IdleTimeout);
        Assert.Equal([new UpgradeConfig("websocket", false)], action.UpgradeConfigs);
        Assert.Equal(32768, config.StaticResources.Listeners[0].PerConnectionBufferLimitBytes);
    }

    [Theory]
    [InlineData("use_remote_address: yes please", "use_remote_address (line 12): invalid boolean")]
    [InlineData("max_request_headers_kb: 9000", "max_request_headers_kb (line 12)")]
    [InlineData("server_header_transformation: SOMETIMES", "server_header_transformation (line 12): unsupported value")]
    [InlineData("upgrade_configs:\n- enabled: true", "upgrade_configs[0].upgrade_type")]
    [InlineData("common_http_protocol_options:\n  max_connection_duration: 5s", "common_http_protocol_options.max_connection_duration (line 13): unknown field")]
    public void Bad_values_name_their_path_and_line(string hcmFields, string expected)
    {
        var result = ConfigLoader.LoadYaml(Yaml(Indent(hcmFields, 10)));

        Assert.False(result.IsValid);
        Assert.True(result.Errors.Any(e => e.ToString().Contains(expected, StringComparison.Ordinal)), string.Join(Environment.NewLine, result.Errors));
    }
}
