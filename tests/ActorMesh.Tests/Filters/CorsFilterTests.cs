using System.Net;
using Xunit;

namespace ActorMesh.Tests.Filters;

/// <summary>envoy.filters.http.cors with the corpus' policies (v3 typed_per_filter_config and the older cors field).</summary>
public sealed class CorsFilterTests
{
    private const string Filter =
        "- name: envoy.filters.http.cors\n"
        + "  typed_config:\n"
        + "    \"@type\": type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors\n";

    private const string Policy = "\"@type\": type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy";

    // The shape of envoyproxy/examples cors/backend/envoy.yaml: open by default, one route disabled, one restricted.
    private const string TypedRoutes =
        "typed_per_filter_config:\n"
        + "  envoy.filters.http.cors:\n"
        + "    " + Policy + "\n"
        + "    allow_origin_string_match: [ { safe_regex: { regex: \\* } } ]\n"
        + "    allow_methods: \"GET\"\n"
        + "    allow_headers: \"x-custom\"\n"
        + "    expose_headers: \"x-exposed\"\n"
        + "    max_age: \"600\"\n"
        + "    filter_enabled: { default_value: { numerator: 100, denominator: HUNDRED }, runtime_key: cors.www.enabled }\n"
        + "routes:\n"
        + "- match: { prefix: \"/cors/disabled\" }\n"
        + "  route: { cluster: backend }\n"
        + "  typed_per_filter_config:\n"
        + "    envoy.filters.http.cors:\n"
        + "      " + Policy + "\n"
        + "      filter_enabled: { default_value: { numerator: 0, denominator: HUNDRED } }\n"
        + "- match: { prefix: \"/cors/restricted\" }\n"
        + "  route: { cluster: backend }\n"
        + "  typed_per_filter_config:\n"
        + "    envoy.filters.http.cors:\n"
        + "      " + Policy + "\n"
        + "      allow_origin_string_match: [ { safe_regex: { regex: \".*\\\\.envoyproxy\\\\.io\" } } ]\n"
        + "      allow_methods: \"GET,POST\"\n"
        + "      allow_credentials: true\n"
        + "- match: { prefix: \"/\" }\n"
        + "  route: { cluster: backend }";

    [Fact]
    public async Task A_preflight_from_an_allowed_origin_is_answered_locally()
    {
        await using var proxy = await FilterProxy.StartAsync(Filter, TypedRoutes);

        using var response = await proxy.Send(HttpMethod.Options, "/cors/open", null,
            ("origin", "http://client.example"), ("access-control-request-method", "GET"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("http://client.example", FilterProxy.Header(response, "access-control-allow-origin"));
        Assert.Equal("GET", FilterProxy.Header(response, "access-control-allow-methods"));
        Assert.Equal("x-custom", FilterProxy.Header(response, "access-control-allow-headers"));
        Assert.Equal("600", FilterProxy.Header(response, "access-control-max-age"));
        Assert.Equal(0, proxy.Upstream.Requests);
        Assert.Equal(1, proxy.Stat("http.ingress_http.cors.origin_valid"));
    }

    [Fact]
    public async Task A_simple_request_reaches_the_upstream_and_its_response_gets_the_cors_headers()
    {
        await using var proxy = await FilterProxy.StartAsync(Filter, TypedRoutes);

        using var response = await proxy.Send("/cors/open", ("origin", "http://client.example"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
        Assert.Equal("http://client.example", FilterProxy.Header(response, "access-control-allow-origin"));
        Assert.Equal("x-exposed", FilterProxy.Header(response, "access-control-expose-headers"));
        Assert.Null(FilterProxy.Header(response, "access-control-allow-methods"));
        Assert.Equal(1, proxy.Upstream.Requests);
    }

    [Fact]
    public async Task A_restricted_route_allows_only_its_origins_and_sends_credentials()
    {
        await using var proxy = await FilterProxy.StartAsync(Filter, TypedRoutes);

        using var denied = await proxy.Send("/cors/restricted", ("origin", "http://evil.example"));
        using var allowed = await proxy.Send("/cors/restricted", ("origin", "https://www.envoyproxy.io"));
        using var deniedPreflight = await proxy.Send(HttpMethod.Options, "/cors/restricted", null,
            ("origin", "http://evil.example"), ("access-control-request-method", "POST"));

        Assert.Null(FilterProxy.Header(denied, "access-control-allow-origin"));
        Assert.Equal("https://www.envoyproxy.io", FilterProxy.Header(allowed, "access-control-allow-origin"));
        Assert.Equal("true", FilterProxy.Header(allowed, "access-control-allow-credentials"));
        // A preflight from a denied origin is not answered by the filter: the upstream sees it.
        Assert.Null(FilterProxy.Header(deniedPreflight, "access-control-allow-origin"));
        Assert.Equal(3, proxy.Upstream.Requests);
        Assert.Equal(2, proxy.Stat("http.ingress_http.cors.origin_invalid"));
        Assert.Equal(1, proxy.Stat("http.ingress_http.cors.origin_valid"));
    }

    [Fact]
    public async Task A_disabled_route_and_a_request_without_origin_get_no_cors_headers()
    {
        await using var proxy = await FilterProxy.StartAsync(Filter, TypedRoutes);

        using var disabled = await proxy.Send("/cors/disabled", ("origin", "http://client.example"));
        using var noOrigin = await proxy.Send("/cors/open");

        Assert.Null(FilterProxy.Header(disabled, "access-control-allow-origin"));
        Assert.Null(FilterProxy.Header(noOrigin, "access-control-allow-origin"));
        Assert.Equal(0, proxy.Stat("http.ingress_http.cors.origin_valid"));
    }

    [Fact]
    public async Task The_older_cors_field_on_virtual_host_and_route_action_works_the_same()
    {
        // The shape of envoy's examples/cors/backend/front-envoy.yaml.
        var routes = "cors:\n"
            + "  allow_origin_string_match: [ { safe_regex: { google_re2: {}, regex: \\* } } ]\n"
            + "  allow_methods: \"GET\"\n"
            + "routes:\n"
            + "- match: { prefix: \"/cors/restricted\" }\n"
            + "  route:\n"
            + "    cluster: backend\n"
            + "    cors:\n"
            + "      allow_origin_string_match: [ { exact: \"http://good.example\" } ]\n"
            + "- match: { prefix: \"/\" }\n"
            + "  route: { cluster: backend }";
        await using var proxy = await FilterProxy.StartAsync("- name: envoy.filters.http.cors\n  typed_config: {}\n", routes);

        using var open = await proxy.Send(HttpMethod.Options, "/cors/open", null, ("origin", "http://any.example"), ("access-control-request-method", "GET"));
        using var restricted = await proxy.Send("/cors/restricted", ("origin", "http://any.example"));
        using var good = await proxy.Send("/cors/restricted", ("origin", "http://good.example"));

        Assert.Equal("http://any.example", FilterProxy.Header(open, "access-control-allow-origin"));
        Assert.Equal("GET", FilterProxy.Header(open, "access-control-allow-methods"));
        Assert.Null(FilterProxy.Header(restricted, "access-control-allow-origin"));
        Assert.Equal("http://good.example", FilterProxy.Header(good, "access-control-allow-origin"));
        Assert.Equal(2, proxy.Upstream.Requests);
    }
}
