using ActorMesh.Config;
using ActorMesh.Tests.Support;
using Xunit;

namespace ActorMesh.Tests.Filters;

/// <summary>Reading http_filters and typed_per_filter_config: typed models, v2 names, the router-last rule, errors with path and line.</summary>
public sealed class HttpFilterConfigTests
{
    private const string HcmPath = "static_resources.listeners[0].filter_chains[0].filters[0].typed_config";

    private static string Yaml(string filters, string routes = FilterProxy.DefaultRoutes) =>
        ProxyHarness.ConfigWith(routes, [8080], httpFilters: filters);

    private static HttpConnectionManagerConfig Hcm(string filters, string routes = FilterProxy.DefaultRoutes)
    {
        var result = ConfigLoader.LoadYaml(Yaml(filters, routes));
        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        return result.Config!.StaticResources.Listeners[0].FilterChains[0].Filters.OfType<HttpConnectionManagerConfig>().Single();
    }

    private static string[] Errors(string yaml) => ConfigLoader.LoadYaml(yaml).Errors.Select(e => e.ToString()).ToArray();

    [Fact]
    public void V2_names_and_untyped_config_load_as_the_v3_filters()
    {
        var v2 = Hcm("- name: envoy.fault\n  config:\n    abort: { http_status: 503, percentage: { numerator: 10 } }\n"
            + "- name: envoy.health_check\n  config: { pass_through_mode: false }\n");
        var v3 = Hcm("- name: envoy.filters.http.fault\n  typed_config:\n    \"@type\": type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault\n    abort: { http_status: 503, percentage: { numerator: 10, denominator: HUNDRED } }\n"
            + "- name: envoy.filters.http.health_check\n  typed_config:\n    \"@type\": type.googleapis.com/envoy.extensions.filters.http.health_check.v3.HealthCheck\n    pass_through_mode: false\n");

        Assert.Equal(v3.HttpFilters, v2.HttpFilters);
        Assert.Equal(["envoy.filters.http.fault", "envoy.filters.http.health_check", "envoy.filters.http.router"], v2.HttpFilters.Select(f => f.Name));
        var fault = Assert.IsType<FaultConfig>(v2.HttpFilters[0].Settings);
        Assert.Equal(new FaultAbortConfig(503, false, new FractionalPercentConfig(10, FractionDenominator.Hundred)), fault.Abort);
    }

    [Fact]
    public void Typed_per_filter_config_loads_on_routes_and_virtual_hosts_keyed_by_filter()
    {
        var routes = "typed_per_filter_config:\n"
            + "  envoy.filters.http.cors:\n"
            + "    \"@type\": type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy\n"
            + "    allow_methods: GET\n"
            + "routes:\n"
            + "- match: { prefix: \"/\" }\n"
            + "  route: { cluster: backend }\n"
            + "  typed_per_filter_config:\n"
            + "    envoy.filters.http.local_ratelimit:\n"
            + "      \"@type\": type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit\n"
            + "      stat_prefix: per_route\n"
            + "      token_bucket: { max_tokens: 5, fill_interval: 1s }\n";
        var hcm = Hcm("- name: envoy.filters.http.cors\n  typed_config: {}\n", routes);

        var host = hcm.RouteConfig.VirtualHosts[0];
        var cors = Assert.Single(host.PerFilterConfig);
        Assert.Equal("envoy.filters.http.cors", cors.FilterName);
        Assert.Equal("GET", Assert.IsType<CorsPolicyConfig>(cors.Settings).AllowMethods);
        var limit = Assert.IsType<LocalRateLimitConfig>(Assert.Single(host.Routes[0].PerFilterConfig).Settings);
        Assert.Equal(new TokenBucketConfig(5, 1, TimeSpan.FromSeconds(1)), limit.TokenBucket);
        Assert.Null(limit.FilterEnabled);
    }

    [Fact]
    public void The_router_must_be_the_last_filter()
    {
        var yaml = Yaml("").Replace(
            "          - name: envoy.filters.http.router\n            typed_config:\n              \"@type\": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router\n",
            "          - name: envoy.filters.http.router\n          - name: envoy.filters.http.cors\n");

        var errors = Errors(yaml);

        Assert.Contains(errors, e => e.StartsWith($"{HcmPath}.http_filters[0] (line ") && e.EndsWith("must be the last filter in a http filter chain"));
        Assert.Contains(errors, e => e.StartsWith($"{HcmPath}.http_filters[1] (line ") && e.EndsWith("is the last filter in a http filter chain"));
    }

    [Fact]
    public void Unsupported_fault_fields_are_errors_naming_path_and_line()
    {
        var yaml = Yaml("- name: envoy.filters.http.fault\n  typed_config:\n    \"@type\": type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault\n"
            + "    abort: { grpc_status: 14, percentage: { numerator: 1 } }\n    response_rate_limit: { fixed_limit: { limit_kbps: 1 } }\n    no_such_field: 1\n");
        var line = Array.FindIndex(yaml.Split('\n'), l => l.Contains("grpc_status")) + 1;

        var errors = Errors(yaml);

        Assert.Contains($"{HcmPath}.http_filters[0].typed_config.abort.grpc_status (line {line}): unsupported field 'grpc_status'", errors);
        Assert.Contains($"{HcmPath}.http_filters[0].typed_config.response_rate_limit (line {line + 1}): unsupported field 'response_rate_limit'", errors);
        Assert.Contains($"{HcmPath}.http_filters[0].typed_config.no_such_field (line {line + 2}): unknown field", errors);
    }

    [Fact]
    public void Local_rate_limit_requires_a_stat_prefix_and_a_valid_bucket()
    {
        var errors = Errors(Yaml("- name: envoy.filters.http.local_ratelimit\n  typed_config:\n    \"@type\": type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit\n"
            + "    token_bucket: { max_tokens: 1, fill_interval: 0.01s }\n    descriptors: []\n"));

        Assert.Contains(errors, e => e.StartsWith($"{HcmPath}.http_filters[0].typed_config.stat_prefix (line ") && e.EndsWith("missing required field"));
        Assert.Contains(errors, e => e.StartsWith($"{HcmPath}.http_filters[0].typed_config.token_bucket.fill_interval (line ") && e.EndsWith("must be at least 50ms"));
        Assert.Contains(errors, e => e.StartsWith($"{HcmPath}.http_filters[0].typed_config.descriptors (line ") && e.EndsWith("unsupported field 'descriptors'"));
    }

    [Fact]
    public void An_unknown_per_filter_config_type_is_reported()
    {
        var routes = "routes:\n- match: { prefix: \"/\" }\n  route: { cluster: backend }\n  typed_per_filter_config:\n    envoy.filters.http.ext_authz:\n      \"@type\": type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute\n      disabled: true\n";

        var errors = Errors(Yaml("", routes));

        Assert.Contains(errors, e => e.Contains("typed_per_filter_config.envoy.filters.http.ext_authz.@type (line ") && e.EndsWith("unsupported per-filter config 'type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute'"));
    }

    [Theory]
    [InlineData("envoyproxy-examples__fault-injection_envoy.yaml")]
    [InlineData("envoyproxy-examples__local_ratelimit_envoy.yaml")]
    [InlineData("envoyproxy-envoy__docs_root_configuration_http_http_filters__include_local-rate-limit-route-specific-configuration.yaml")]
    [InlineData("envoyproxy-envoy__examples_cors_backend_front-envoy.yaml")]
    [InlineData("envoyproxy-examples__cors_backend_envoy.yaml")]
    public void The_corpus_filter_configs_load(string file)
    {
        var path = Path.Combine("/work/shared/corpus/envoy", file);
        if (!File.Exists(path))
        {
            return;
        }
        var result = ConfigLoader.LoadFile(path);

        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        var hcm = result.Config!.StaticResources.Listeners[0].FilterChains[0].Filters.OfType<HttpConnectionManagerConfig>().Single();
        Assert.Equal(HttpFilterKind.Router, hcm.HttpFilters[^1].Kind);
        Assert.True(hcm.HttpFilters.Count >= 2);
    }

    [Fact]
    public void The_fault_corpus_files_disk_layer_loads_as_a_runtime_layer()
    {
        var path = "/work/shared/corpus/envoy/envoyproxy-examples__fault-injection_envoy.yaml";
        if (!File.Exists(path))
        {
            return;
        }
        var layer = Assert.Single(ConfigLoader.LoadFile(path).Config!.RuntimeLayers);

        Assert.Equal(new RuntimeLayerConfig("disk_layer_0", RuntimeLayerKind.Disk) { DiskPath = "/srv/runtime/current/envoy" }, layer);
    }

    [Fact]
    public void Filter_configs_show_in_the_config_dump()
    {
        var path = "/work/shared/corpus/envoy/envoyproxy-examples__cors_backend_envoy.yaml";
        var yaml = Yaml("- name: envoy.filters.http.fault\n  typed_config:\n    \"@type\": type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault\n    delay: { fixed_delay: 1s, percentage: { numerator: 5 } }\n");
        var config = ConfigLoader.LoadYaml(yaml).Config!;

        var json = System.Text.Json.JsonSerializer.Serialize(config, ActorMesh.Admin.AdminJson.Options);

        Assert.Contains("\"fixed_delay\": \"1s\"", json);
        if (File.Exists(path))
        {
            Assert.Contains("\"allow_methods\": \"GET\"", System.Text.Json.JsonSerializer.Serialize(ConfigLoader.LoadFile(path).Config!, ActorMesh.Admin.AdminJson.Options));
        }
    }
}
