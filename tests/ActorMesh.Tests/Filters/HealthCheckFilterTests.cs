using System.Net;
using Xunit;

namespace ActorMesh.Tests.Filters;

/// <summary>envoy.filters.http.health_check against the admin's /healthcheck/fail and /healthcheck/ok.</summary>
public sealed class HealthCheckFilterTests
{
    private static string HealthCheck(bool passThrough) =>
        "- name: envoy.filters.http.health_check\n"
        + "  typed_config:\n"
        + "    \"@type\": type.googleapis.com/envoy.extensions.filters.http.health_check.v3.HealthCheck\n"
        + $"    pass_through_mode: {(passThrough ? "true" : "false")}\n"
        + "    headers:\n"
        + "    - name: \":path\"\n"
        + "      string_match: { exact: /healthz }\n";

    private static async Task Admin(FilterProxy proxy, string path)
    {
        using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{proxy.Harness.AdminPort}") };
        using var response = await admin.PostAsync(path, null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Answers_200_locally_then_503_with_LH_once_health_checks_are_failed()
    {
        await using var proxy = await FilterProxy.StartAsync(HealthCheck(passThrough: false));

        Assert.Equal(HttpStatusCode.OK, await proxy.Status("/healthz"));
        Assert.Equal(0, proxy.Upstream.Requests);

        await Admin(proxy, "/healthcheck/fail");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await proxy.Status("/healthz"));
        using var other = await proxy.Send("/app");
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal("true", FilterProxy.Header(other, "x-envoy-immediate-health-check-fail"));

        await Admin(proxy, "/healthcheck/ok");
        Assert.Equal(HttpStatusCode.OK, await proxy.Status("/healthz"));
        using var healthy = await proxy.Send("/app");
        Assert.Null(FilterProxy.Header(healthy, "x-envoy-immediate-health-check-fail"));

        Assert.Equal(2, proxy.Upstream.Requests);
        Assert.Equal(["200 -", "503 LH", "200 -", "200 -", "200 -"], await proxy.LogLines(5));
    }

    [Fact]
    public async Task Pass_through_mode_forwards_health_checks_until_failed()
    {
        await using var proxy = await FilterProxy.StartAsync(HealthCheck(passThrough: true));

        using var forwarded = await proxy.Send("/healthz");
        Assert.Equal("ok", await forwarded.Content.ReadAsStringAsync());
        Assert.Equal(1, proxy.Upstream.Requests);

        await Admin(proxy, "/healthcheck/fail");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await proxy.Status("/healthz"));
        Assert.Equal(1, proxy.Upstream.Requests);
    }

    [Fact]
    public async Task Health_checks_are_answered_even_where_no_route_matches()
    {
        var routes = "routes:\n- match: { prefix: \"/app\" }\n  route: { cluster: backend }";
        await using var proxy = await FilterProxy.StartAsync(HealthCheck(passThrough: false), routes);

        Assert.Equal(HttpStatusCode.OK, await proxy.Status("/healthz"));
        Assert.Equal(HttpStatusCode.NotFound, await proxy.Status("/elsewhere"));
        Assert.Equal(["200 -", "404 NR"], await proxy.LogLines(2));
    }
}
