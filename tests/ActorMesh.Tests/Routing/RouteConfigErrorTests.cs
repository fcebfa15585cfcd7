using Xunit;
using static ActorMesh.Tests.Routing.RoutingYaml;

namespace ActorMesh.Tests.Routing;

/// <summary>Routing fields that cannot load are reported with their YAML path and line, as the rest of the config is.</summary>
public sealed class RouteConfigErrorTests
{
    private const string Routes = "static_resources.listeners[0].filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[0]";

    private static string Only(string routesYaml, string? routeConfigYaml = null) => Assert.Single(Errors(routesYaml, routeConfigYaml)).ToString();

    [Theory]
    [InlineData("(a)\\\\1", "backreference")]
    [InlineData("a(?=b)", "lookaround")]
    [InlineData("(?<!a)b", "lookaround")]
    [InlineData("(?>a)", "atomic group")]
    [InlineData("a[", "invalid regex")]
    public void Non_re2_regexes_are_rejected_at_load(string regex, string reason)
    {
        var error = Only($"routes:\n- match: {{ safe_regex: {{ regex: \"{regex}\" }} }}\n  route: {{ cluster: backend }}");
        Assert.StartsWith($"{Routes}.routes[0].match.safe_regex.regex (line ", error);
        Assert.Contains(reason, error);
    }

    [Fact]
    public void Header_matcher_regex_is_checked_too() =>
        Assert.Contains("string_match.safe_regex.regex", Only("routes:\n- match: { prefix: /, headers: [ { name: x, string_match: { safe_regex: { regex: \"(?!x)\" } } } ] }\n  route: { cluster: backend }"));

    [Theory]
    [InlineData(":path", "request_headers_to_add")]
    [InlineData("Host", "request_headers_to_add")]
    [InlineData(":status", "response_headers_to_add")]
    public void Pseudo_headers_and_host_cannot_be_added(string name, string field)
    {
        var error = Only($"{field}: [ {{ header: {{ key: \"{name}\", value: v }} }} ]\nroutes:\n- match: {{ prefix: / }}\n  route: {{ cluster: backend }}");
        Assert.Contains($"{Routes}.{field}[0].header.key", error);
        Assert.Contains("cannot be modified", error);
    }

    [Fact]
    public void Pseudo_headers_cannot_be_removed() =>
        Assert.Contains("request_headers_to_remove[0]", Only("request_headers_to_remove: [ \":authority\" ]\nroutes:\n- match: { prefix: / }\n  route: { cluster: backend }"));

    [Fact]
    public void Append_and_append_action_together_are_rejected() =>
        Assert.Contains("both append and append_action", Only("routes:\n- match: { prefix: / }\n  route: { cluster: backend }\n  request_headers_to_add: [ { header: { key: x, value: v }, append: true, append_action: ADD_IF_ABSENT } ]"));

    [Fact]
    public void Unknown_format_operators_are_rejected() =>
        Assert.Contains("UPSTREAM_METADATA", Only("routes:\n- match: { prefix: / }\n  route: { cluster: backend }\n  request_headers_to_add: [ { header: { key: x, value: \"%UPSTREAM_METADATA([\\\"a\\\"])%\" } } ]"));

    [Fact]
    public void Route_priority_is_DEFAULT_or_HIGH() =>
        Assert.Equal($"{Routes}.routes[0].route.priority (line 20): unsupported value 'LOW' (supported: DEFAULT, HIGH)",
            Only("routes:\n- match: { prefix: / }\n  route:\n    cluster: backend\n    priority: LOW"));

    [Fact]
    public void Require_tls_is_not_supported() =>
        Assert.Equal($"{Routes}.require_tls (line 16): unknown field", Only("require_tls: ALL\nroutes:\n- match: { prefix: / }\n  route: { cluster: backend }"));

    [Fact]
    public void Direct_response_body_is_limited_to_4_KiB_by_default()
    {
        var body = new string('x', 4097);
        Assert.Contains("maximum is 4096", Only($"routes:\n- match: {{ prefix: / }}\n  direct_response: {{ status: 200, body: {{ inline_string: {body} }} }}"));
        Assert.Empty(Errors($"routes:\n- match: {{ prefix: / }}\n  direct_response: {{ status: 200, body: {{ inline_string: {body} }} }}", "max_direct_response_body_size_bytes: 8192"));
    }

    [Fact]
    public void Weighted_clusters_must_sum_to_v2_total_weight() =>
        Assert.Contains("must equal total_weight (100)", Only("routes:\n- match: { prefix: / }\n  route: { weighted_clusters: { total_weight: 100, clusters: [ { name: backend, weight: 30 } ] } }"));

    [Fact]
    public void Weighted_and_mirror_clusters_must_exist()
    {
        var errors = Errors("routes:\n- match: { prefix: / }\n  route: { weighted_clusters: { clusters: [ { name: nope, weight: 1 } ] }, request_mirror_policies: [ { cluster: gone } ] }");
        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e.ToString().Contains("nope"));
        Assert.Contains(errors, e => e.ToString().Contains("gone"));
    }

    [Fact]
    public void Only_one_action_and_one_host_rewrite()
    {
        Assert.Contains("only one of route, redirect or direct_response", Only("routes:\n- match: { prefix: / }\n  route: { cluster: backend }\n  redirect: { path_redirect: /x }"));
        Assert.Contains("only one of host_rewrite_literal", Only("routes:\n- match: { prefix: / }\n  route: { cluster: backend, host_rewrite_literal: a, auto_host_rewrite: true }"));
    }

    [Fact]
    public void Cookie_generation_is_not_supported() =>
        Assert.Contains("hash_policy[0].cookie.ttl", Only("routes:\n- match: { prefix: / }\n  route: { cluster: backend, hash_policy: [ { cookie: { name: s, ttl: 10s } } ] }"));

    [Fact]
    public void V2_and_v3_spellings_load_to_the_same_route()
    {
        var v2 = Table("routes:\n- match: { prefix: / }\n  route: { cluster: backend, host_rewrite: h, request_mirror_policy: { cluster: backend } }\n  request_headers_to_add: [ { header: { key: a, value: b }, append: false } ]");
        var v3 = Table("routes:\n- match: { prefix: / }\n  route: { cluster: backend, host_rewrite_literal: h, request_mirror_policies: [ { cluster: backend } ] }\n  request_headers_to_add: [ { header: { key: a, value: b }, append_action: OVERWRITE_IF_EXISTS_OR_ADD } ]");
        Assert.Equal(v3.Match("h", "/")!.Config, v2.Match("h", "/")!.Config);
    }
}
