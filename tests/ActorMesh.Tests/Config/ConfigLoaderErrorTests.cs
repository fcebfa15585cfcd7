using ActorMesh.Config;
using Xunit;

namespace ActorMesh.Tests.Config;

public sealed class ConfigLoaderErrorTests
{
    // Line numbers in the assertions below refer to this text (line 1 is static_resources).
    private const string Valid = """
        static_resources:
          listeners:
          - name: web
            address:
              socket_address: { address: 0.0.0.0, port_value: 8080 }
            filter_chains:
            - filters:
              - name: envoy.filters.network.http_connection_manager
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                  stat_prefix: ingress_http
                  route_config:
                    name: local_route
                    virtual_hosts:
                    - name: app
                      domains: ["example.com"]
                      routes:
                      - match: { prefix: "/api" }
                        route: { cluster: api }
                      - match: { prefix: "/" }
                        route: { cluster: web }
                  http_filters:
                  - name: envoy.filters.http.router
          clusters:
          - name: api
            connect_timeout: 0.25s
            load_assignment:
              cluster_name: api
              endpoints:
              - lb_endpoints:
                - endpoint: { address: { socket_address: { address: 10.0.0.1, port_value: 9000 } } }
          - name: web
            type: STRICT_DNS
            hosts:
            - socket_address: { address: web.internal, port_value: 80 }
        """;

    private static string Edit(string oldText, string newText)
    {
        Assert.Contains(oldText, Valid);
        return Valid.Replace(oldText, newText);
    }

    private static string[] Errors(string yaml)
    {
        var result = ConfigLoader.LoadYaml(yaml);
        Assert.Null(result.Config);
        Assert.False(result.IsValid);
        Assert.NotEmpty(result.Errors);
        return result.Errors.Select(e => e.ToString()).ToArray();
    }

    [Fact]
    public void Base_text_is_valid()
    {
        var result = ConfigLoader.LoadYaml(Valid);
        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Errors));
    }

    [Fact]
    public void Unknown_field_at_listener_level_names_path_and_line()
    {
        var errors = Errors(Edit("    filter_chains:\n", "    bogus_field: true\n    filter_chains:\n"));

        Assert.Equal(["static_resources.listeners[0].bogus_field (line 6): unknown field"], errors);
    }

    [Fact]
    public void Unknown_fields_are_reported_in_document_order()
    {
        var yaml = Edit("    connect_timeout: 0.25s\n", "    connect_timeout: 0.25s\n    cleanup_interval: 1s\n")
            .Replace("  - name: web\n    address:", "  - name: web\n    listener_filters_timeout: 1s\n    address:")
            + "\nadmin:\n  address: { socket_address: { address: 127.0.0.1, port_value: 9901 } }\n  profile_path: /tmp/p\n";

        var errors = Errors(yaml);

        Assert.Equal(
            [
                "static_resources.listeners[0].listener_filters_timeout (line 4): unknown field",
                "static_resources.clusters[0].cleanup_interval (line 28): unknown field",
                "admin.profile_path (line 40): unknown field",
            ],
            errors);
    }

    [Fact]
    public void Unknown_top_level_key_is_an_unknown_field()
    {
        var errors = Errors("dynamic_resources:\n  lds_config: {}\n" + Valid);

        Assert.Equal("dynamic_resources (line 1): unknown field", errors[0]);
    }

    [Fact]
    public void Node_reads_id_and_cluster_and_nothing_else()
    {
        var loaded = ConfigLoader.LoadYaml("node:\n  id: edge-1\n  cluster: front\n" + Valid);
        var errors = Errors("node:\n  id: edge-1\n  locality: { zone: a }\n" + Valid);

        Assert.True(loaded.IsValid, string.Join(Environment.NewLine, loaded.Errors));
        Assert.Equal(new NodeConfig("edge-1", "front"), loaded.Config!.Node);
        Assert.Equal("node.locality (line 3): unknown field", errors[0]);
    }

    [Fact]
    public void Unknown_network_filter_by_type_url_is_reported_once_at_its_type()
    {
        var errors = Errors("""
            static_resources:
              listeners:
              - address:
                  socket_address: { address: 0.0.0.0, port_value: 9000 }
                filter_chains:
                - filters:
                  - name: envoy.filters.network.tcp_proxy
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                      stat_prefix: tcp
                      cluster: upstream
            """);

        Assert.Equal(
            ["static_resources.listeners[0].filter_chains[0].filters[0].typed_config.@type (line 9): " +
             "unsupported filter 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy'"],
            errors);
    }

    [Fact]
    public void Unknown_network_filter_by_name_is_reported_at_its_name()
    {
        var errors = Errors("""
            static_resources:
              listeners:
              - address:
                  socket_address: { address: 0.0.0.0, port_value: 9000 }
                filter_chains:
                - filters:
                  - name: envoy.tcp_proxy
                    config: { stat_prefix: tcp, cluster: upstream }
            """);

        Assert.Equal(["static_resources.listeners[0].filter_chains[0].filters[0].name (line 7): unsupported filter 'envoy.tcp_proxy'"], errors);
    }

    [Fact]
    public void Unsupported_http_filter_and_router_options_are_errors()
    {
        var errors = Errors(Edit(
            "          - name: envoy.filters.http.router\n",
            "          - name: envoy.filters.http.ext_authz\n" +
            "          - name: envoy.filters.http.router\n" +
            "            typed_config:\n" +
            "              \"@type\": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router\n" +
            "              suppress_envoy_headers: true\n"));

        const string filters = "static_resources.listeners[0].filter_chains[0].filters[0].typed_config.http_filters";
        Assert.Equal(
            [
                $"{filters}[0].name (line 23): unsupported http filter 'envoy.filters.http.ext_authz'",
                $"{filters}[1].typed_config.suppress_envoy_headers (line 27): unknown field",
            ],
            errors);
    }

    [Fact]
    public void Unsupported_enum_values_name_the_field()
    {
        var errors = Errors(Edit("          stat_prefix: ingress_http\n", "          codec_type: http2\n          stat_prefix: ingress_http\n")
            .Replace("    type: STRICT_DNS", "    type: EDS"));

        Assert.Equal(
            [
                "static_resources.listeners[0].filter_chains[0].filters[0].typed_config.codec_type (line 11): unsupported value 'http2' (supported: AUTO, HTTP1)",
                "static_resources.clusters[1].type (line 34): unsupported value 'EDS' (supported: STATIC, STRICT_DNS, LOGICAL_DNS)",
            ],
            errors);
    }

    [Fact]
    public void Bad_duration_is_reported()
    {
        var errors = Errors(Edit("connect_timeout: 0.25s", "connect_timeout: 250ms"));

        Assert.Equal(
            ["static_resources.clusters[0].connect_timeout (line 26): invalid duration '250ms' (expected e.g. 0.25s or {seconds: 5, nanos: 0})"],
            errors);
    }

    [Fact]
    public void Duration_mapping_with_out_of_range_nanos_is_reported()
    {
        var errors = Errors(Edit("connect_timeout: 0.25s", "connect_timeout: { seconds: 1, nanos: 1000000000 }"));

        Assert.Equal(["static_resources.clusters[0].connect_timeout.nanos (line 26): must be between 0 and 999999999"], errors);
    }

    [Fact]
    public void Zero_connect_timeout_is_rejected()
    {
        var errors = Errors(Edit("connect_timeout: 0.25s", "connect_timeout: 0s"));

        Assert.Equal(["static_resources.clusters[0].connect_timeout (line 26): must be greater than 0s"], errors);
    }

    [Fact]
    public void Route_without_match_names_the_missing_key()
    {
        var errors = Errors(Edit(
            "              - match: { prefix: \"/\" }\n                route: { cluster: web }\n",
            "              - route: { cluster: web }\n"));

        Assert.Equal(
            ["static_resources.listeners[0].filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[0].routes[1].match (line 20): missing required field"],
            errors);
    }

    [Fact]
    public void Route_without_action_names_the_missing_key_unless_another_action_is_set()
    {
        var missing = Errors(Edit("                route: { cluster: web }\n", ""));
        var other = Errors(Edit("                route: { cluster: web }\n", "                filter_action: {}\n"));

        const string route = "static_resources.listeners[0].filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[0].routes[1]";
        Assert.Equal([$"{route}.route (line 20): missing required field"], missing);
        Assert.Equal([$"{route}.filter_action (line 21): unknown field"], other);
    }

    [Fact]
    public void Match_needs_exactly_one_path_specifier()
    {
        var both = Errors(Edit("{ prefix: \"/api\" }", "{ prefix: \"/api\", path: \"/api\" }"));
        var neither = Errors(Edit("{ prefix: \"/api\" }", "{ case_sensitive: false }"));

        const string route = "static_resources.listeners[0].filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[0].routes[0]";
        Assert.Equal([$"{route}.match.path (line 18): only one of prefix, path, safe_regex or path_separated_prefix may be set"], both);
        Assert.Equal([$"{route}.match (line 18): requires one of prefix, path, safe_regex or path_separated_prefix"], neither);
    }

    [Fact]
    public void Route_to_unknown_cluster_names_the_cluster_key()
    {
        var errors = Errors(Edit("{ cluster: web }", "{ cluster: wbe }"));

        Assert.Equal(
            ["static_resources.listeners[0].filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[0].routes[1].route.cluster (line 21): unknown cluster 'wbe'"],
            errors);
    }

    [Fact]
    public void Domain_claimed_twice_in_one_route_configuration_is_reported_at_the_second()
    {
        var errors = Errors(Edit(
            "                route: { cluster: web }\n",
            "                route: { cluster: web }\n" +
            "            - name: other\n" +
            "              domains:\n" +
            "              - www.example.com\n" +
            "              - EXAMPLE.com\n"));

        Assert.Equal(
            ["static_resources.listeners[0].filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[1].domains[1] (line 25): " +
             "duplicate domain 'EXAMPLE.com' (already claimed by virtual host 'app')"],
            errors);
    }

    [Fact]
    public void Same_domain_in_different_route_configurations_is_fine()
    {
        var result = ConfigLoader.LoadYaml(TwoListeners("web", 8080, "other", 8081));

        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Errors));
    }

    [Fact]
    public void Two_listeners_on_one_address_are_reported_at_the_second_address()
    {
        var errors = Errors(TwoListeners("a", 8080, "b", 8080));

        Assert.Equal(["static_resources.listeners[1].address (line 13): duplicate listener address 0.0.0.0:8080 (already used at static_resources.listeners[0].address)"], errors);
    }

    [Fact]
    public void Duplicate_listener_and_cluster_names_are_reported()
    {
        var listeners = Errors(TwoListeners("a", 8080, "a", 8081));
        var clusters = Errors(Edit("  - name: web\n    type", "  - name: api\n    type"));

        Assert.Equal(["static_resources.listeners[1].name (line 12): duplicate listener name 'a' (first at static_resources.listeners[0].name)"], listeners);
        Assert.Equal(
            [
                "static_resources.listeners[0].filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[0].routes[1].route.cluster (line 21): unknown cluster 'web'",
                "static_resources.clusters[1].name (line 32): duplicate cluster name 'api' (first at static_resources.clusters[0].name)",
            ],
            clusters);
    }

    [Fact]
    public void Generated_listener_name_can_collide_with_a_given_one()
    {
        var errors = Errors(TwoListeners("listener_1", 8080, null, 8081));

        Assert.Equal(["static_resources.listeners[1] (line 13): duplicate listener name 'listener_1' (first at static_resources.listeners[0].name)"], errors);
    }

    [Fact]
    public void Yaml_syntax_error_is_one_error_with_its_line()
    {
        var errors = Errors("static_resources:\n  listeners:\n  - name: a\n     bad: 1\n");

        Assert.Equal(["$ (line 4): invalid YAML: While scanning a plain scalar value, found invalid mapping."], errors);
    }

    [Fact]
    public void Yaml_the_parser_fails_on_without_a_position_still_gets_a_line()
    {
        // YamlDotNet throws InvalidOperationException rather than a YamlException for this input.
        var errors = Errors("static_resources:\n  listeners:\n  - name: a\n    address: [unclosed\n  clusters: []\n");

        Assert.Equal(["$ (line 4): invalid YAML: malformed content near this line"], errors);
    }

    [Fact]
    public void Filter_config_of_the_wrong_type_is_reported_once()
    {
        var errors = Errors(Edit("        typed_config:\n          \"@type\"", "        typed_config: 5\n        x_typed_config:\n          \"@type\""));

        Assert.Equal(
            [
                "static_resources.listeners[0].filter_chains[0].filters[0].typed_config (line 9): expected a mapping",
                "static_resources.listeners[0].filter_chains[0].filters[0].x_typed_config (line 10): unknown field",
            ],
            errors);
    }

    [Fact]
    public void Duplicate_keys_are_a_yaml_error_at_the_second_key()
    {
        var result = ConfigLoader.LoadYaml("admin:\n  access_log_path: /a\n  access_log_path: /b\n");

        var error = Assert.Single(result.Errors);
        Assert.Equal(3, error.Line);
        Assert.Equal(ConfigLoader.DocumentPath, error.Path);
    }

    [Fact]
    public void Wrong_scalar_types_name_the_field()
    {
        var errors = Errors(Edit("port_value: 8080", "port_value: eighty")
            .Replace("stat_prefix: ingress_http", "stat_prefix: { name: x }"));

        Assert.Equal(
            [
                "static_resources.listeners[0].address.socket_address.port_value (line 5): expected an integer, got 'eighty'",
                "static_resources.listeners[0].filter_chains[0].filters[0].typed_config.stat_prefix (line 11): expected a scalar value",
            ],
            errors);
    }

    [Fact]
    public void Sequence_where_a_mapping_is_expected_is_reported()
    {
        var errors = Errors(Edit("  listeners:\n", "  listeners:\n  - []\n"));

        Assert.Equal(["static_resources.listeners[0] (line 3): expected a mapping"], errors);
    }

    [Fact]
    public void Addresses_are_checked_for_their_use()
    {
        var listenerHost = Errors(Edit("address: 0.0.0.0, port_value: 8080", "address: localhost, port_value: 8080"));
        var clusterPort = Errors(Edit("port_value: 9000", "port_value: 0"));
        var staticHost = Errors(Edit("    type: STRICT_DNS\n", ""));
        var protocol = Errors(Edit("address: 0.0.0.0, port_value: 8080", "address: 0.0.0.0, port_value: 8080, protocol: UDP"));

        Assert.Equal(["static_resources.listeners[0].address.socket_address.address (line 5): 'localhost' is not an IP address"], listenerHost);
        Assert.Equal(
            ["static_resources.clusters[0].load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value (line 31): must be between 1 and 65535"],
            clusterPort);
        Assert.Equal(
            ["static_resources.clusters[1].hosts[0].socket_address.address (line 34): 'web.internal' is not an IP address, which a STATIC cluster needs (use STRICT_DNS for host names)"],
            staticHost);
        Assert.Equal(["static_resources.listeners[0].address.socket_address.protocol (line 5): unsupported value 'UDP' (supported: TCP)"], protocol);
    }

    [Fact]
    public void Missing_required_fields_are_named()
    {
        var errors = Errors(Edit("          stat_prefix: ingress_http\n", "").Replace("  - name: api\n", "  - lb_policy: ROUND_ROBIN\n"));

        Assert.Equal(
            [
                "static_resources.listeners[0].filter_chains[0].filters[0].typed_config.stat_prefix (line 10): missing required field",
                "static_resources.clusters[0].name (line 24): missing required field",
            ],
            errors);
    }

    [Theory]
    [InlineData("", 1, "empty configuration")]
    [InlineData("# just a comment\n", 1, "empty configuration")]
    [InlineData("- a\n- b\n", 1, "the configuration must be a mapping")]
    [InlineData("admin: {}\n---\nadmin: {}\n", 3, "multiple YAML documents are not supported")]
    public void Documents_that_are_not_one_mapping_are_rejected(string yaml, int line, string message)
    {
        var result = ConfigLoader.LoadYaml(yaml);

        Assert.Null(result.Config);
        Assert.Equal([new ConfigError(ConfigLoader.DocumentPath, line, message)], result.Errors);
    }

    [Fact]
    public void Unreadable_file_is_an_error_naming_the_file()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "Config", "does-not-exist.yaml");

        var result = ConfigLoader.LoadFile(path);

        var error = Assert.Single(result.Errors);
        Assert.Equal(path, error.Path);
        Assert.StartsWith("cannot read file", error.Message);
    }

    private static string TwoListeners(string? first, int firstPort, string? second, int secondPort) => $$"""
        static_resources:
          listeners:
          - {{(first is null ? "" : $"name: {first}")}}
            address: { socket_address: { address: 0.0.0.0, port_value: {{firstPort}} } }
            filter_chains:
            - filters:
              - name: envoy.http_connection_manager
                config:
                  stat_prefix: a
                  route_config:
                    virtual_hosts: [{ name: h, domains: ["example.com"], routes: [] }]
          - {{(second is null ? "" : $"name: {second}")}}
            address: { socket_address: { address: 0.0.0.0, port_value: {{secondPort}} } }
            filter_chains:
            - filters:
              - name: envoy.http_connection_manager
                config:
                  stat_prefix: b
                  route_config:
                    virtual_hosts: [{ name: h, domains: ["example.com"], routes: [] }]
        """;
}
