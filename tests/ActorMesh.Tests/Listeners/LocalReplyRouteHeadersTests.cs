using System.Net;
using ActorMesh.Tests.Routing;
using ActorMesh.Tests.Support;
using Xunit;

namespace ActorMesh.Tests.Listeners;

/// <summary>
/// Envoy's filter manager finalizes the route's response headers on every local reply made once a route was chosen
/// (router failures such as 503 UF and 504 UT included); a request no route matched gets none.
/// </summary>
public sealed class LocalReplyRouteHeadersTests : IAsyncLifetime
{
    private const string Routes = """
        response_headers_to_add:
        - { header: { key: x-vhost, value: vh } }
        routes:
        - match: { prefix: "/dead" }
          route: { cluster: dead }
          response_headers_to_add:
          - { header: { key: x-route, value: "flags=%RESPONSE_FLAGS%" } }
        - match: { prefix: "/slow" }
          route: { cluster: backend, timeout: 0.3s }
          response_headers_to_add:
          - { header: { key: x-route, value: slow } }
        """;

    private const string RouteConfig = "response_headers_to_add:\n- { header: { key: x-config, value: rc } }";

    private readonly DeadPort _dead = new();
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly HttpClient _client = new();
    private TestUpstream _upstream = null!;
    private ProxyHarness _proxy = null!;

    private string Url => $"http://127.0.0.1:{_proxy.Port("main")}";

    public async Task InitializeAsync()
    {
        _upstream = TestUpstream.Start(async (_, s) =>
        {
            await _release.Task;
            await TestUpstream.WriteResponse(s, 200, "late");
        });
        _proxy = await ProxyHarness.StartAsync(RoutingYaml.Config(Routes,
            new Dictionary<string, int> { ["dead"] = _dead.Port, ["backend"] = _upstream.Port }, RouteConfig));
    }

    public async Task DisposeAsync()
    {
        _release.TrySetResult();
        _client.Dispose();
        await _proxy.DisposeAsync();
        await _upstream.DisposeAsync();
        _dead.Dispose();
    }

    [Fact]
    public async Task A_connect_failure_reply_carries_the_route_virtual_host_and_route_configuration_headers()
    {
        using var response = await _client.GetAsync(Url + "/dead");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("upstream connect error or disconnect/reset before headers. reset reason: connection failure", await response.Content.ReadAsStringAsync());
        Assert.Equal("flags=UF", response.Headers.GetValues("x-route").Single());
        Assert.Equal("vh", response.Headers.GetValues("x-vhost").Single());
        Assert.Equal("rc", response.Headers.GetValues("x-config").Single());
    }

    [Fact]
    public async Task A_route_timeout_reply_carries_the_route_headers()
    {
        using var response = await _client.GetAsync(Url + "/slow");

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("slow", response.Headers.GetValues("x-route").Single());
        Assert.Equal("vh", response.Headers.GetValues("x-vhost").Single());
    }

    [Fact]
    public async Task A_request_no_route_matched_gets_no_route_headers()
    {
        using var response = await _client.GetAsync(Url + "/nowhere");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.False(response.Headers.Contains("x-vhost"));
        Assert.False(response.Headers.Contains("x-config"));
        Assert.False(response.Headers.Contains("x-route"));
    }
}
