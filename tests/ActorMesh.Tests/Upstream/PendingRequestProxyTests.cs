using System.Net;
using ActorMesh.Tests.Support;
using Xunit;
using static ActorMesh.Tests.Upstream.UpstreamTestKit;

namespace ActorMesh.Tests.Upstream;

/// <summary>
/// Envoy's pending requests through the proxy: a request that finds the cluster at <c>max_connections</c> waits for a
/// connection (within <c>max_pending_requests</c>) instead of failing, and overflows only past that.
/// </summary>
public sealed class PendingRequestProxyTests : IDisposable
{
    private const string Routes = "routes:\n- match: { prefix: \"/\" }\n  route: { cluster: backend }";
    private const string OneConnectionOnePending = "circuit_breakers:\n  thresholds:\n  - max_connections: 1\n    max_pending_requests: 1";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private readonly string _dir = Directory.CreateTempSubdirectory("actormesh-pending-").FullName;
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Dispose()
    {
        _gate.TrySetResult();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>Answers every request with its target as the body; <c>/hold…</c> only once the gate opens.</summary>
    private TestUpstream HoldingUpstream(params string[] extraHeaders) => TestUpstream.Start(async (request, s) =>
    {
        if (request.Target.StartsWith("/hold", StringComparison.Ordinal) || request.Target.StartsWith("/high/hold", StringComparison.Ordinal))
        {
            await _gate.Task;
        }
        await TestUpstream.WriteResponse(s, 200, request.Target, extraHeaders);
    });

    /// <summary>Sends a request the upstream holds, on the only connection, and waits until it is there.</summary>
    private static async Task<Task<HttpResponseMessage>> Hold(HttpClient client, string url, TestUpstream upstream)
    {
        var held = client.GetAsync(url + "/hold");
        await upstream.FirstRequest.Task.WaitAsync(Wait);
        return held;
    }

    /// <summary>Sends a request that has to wait for a connection, and waits until it is pending.</summary>
    private static async Task<Task<HttpResponseMessage>> Queue(HttpClient client, string url, ProxyHarness proxy, string path)
    {
        var waiting = client.GetAsync(url + path);
        Assert.True(await Until(() => proxy.Stat("cluster.backend.upstream_rq_pending_active") == 1, Wait), $"{path} is not pending");
        return waiting;
    }

    [Fact]
    public async Task A_request_past_max_connections_waits_for_the_connection_and_one_past_max_pending_overflows()
    {
        await using var upstream = HoldingUpstream();
        var log = Path.Combine(_dir, "access.log");
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.ConfigWith(Routes, [upstream.Port],
            clusterOptions: OneConnectionOnePending, hcmOptions: AccessLog(log)));
        var url = $"http://127.0.0.1:{proxy.Port("main")}";
        using var client = new HttpClient();

        var first = await Hold(client, url, upstream);
        var second = await Queue(client, url, proxy, "/second");
        Assert.Equal(1, proxy.Stat("cluster.backend.circuit_breakers.default.rq_pending_open"));
        Assert.Equal(1, proxy.Stat("cluster.backend.upstream_cx_overflow"));
        Assert.False(second.IsCompleted);

        using var third = await client.GetAsync(url + "/third");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, third.StatusCode);
        Assert.Equal("upstream connect error or disconnect/reset before headers. reset reason: overflow", await third.Content.ReadAsStringAsync());
        Assert.Equal(1, proxy.Stat("cluster.backend.upstream_rq_pending_overflow"));
        Assert.True(await Until(() => File.Exists(log) && File.ReadAllText(log).Contains("/third 503 UO"), Wait), "no 503 UO in the access log");

        _gate.SetResult();
        using var firstResponse = await first.WaitAsync(Wait);
        using var secondResponse = await second.WaitAsync(Wait);
        Assert.Equal("/hold", await firstResponse.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, secondResponse.StatusCode);
        Assert.Equal("/second", await secondResponse.Content.ReadAsStringAsync());
        // The waiting request took the first one's connection: the upstream saw one connection, two requests.
        Assert.Equal(1, upstream.Accepts);
        Assert.Equal(2, upstream.Requests);
        Assert.Equal(2, proxy.Stat("cluster.backend.upstream_rq_pending_total"));
        Assert.True(await Until(() => proxy.Stat("cluster.backend.upstream_rq_pending_active") == 0, Wait));
        Assert.Equal(0, proxy.Stat("cluster.backend.circuit_breakers.default.rq_pending_open"));
        Assert.True(await Until(() => File.ReadAllText(log).Contains("/second 200 -"), Wait), "the waiting request is not logged as a plain 200");
    }

    [Fact]
    public async Task A_waiting_request_whose_client_goes_away_frees_its_place_and_leaks_nothing()
    {
        await using var upstream = HoldingUpstream();
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.ConfigWith(Routes, [upstream.Port], clusterOptions: OneConnectionOnePending));
        var url = $"http://127.0.0.1:{proxy.Port("main")}";
        using var client = new HttpClient();
        var first = await Hold(client, url, upstream);

        using (var leaving = await RawConnection.Open(proxy.Port("main")))
        {
            await leaving.Send("GET /gone HTTP/1.1\r\nhost: a\r\n\r\n");
            Assert.True(await Until(() => proxy.Stat("cluster.backend.upstream_rq_pending_active") == 1, Wait), "the request is not pending");
            leaving.Reset();
        }

        Assert.True(await Until(() => proxy.Stat("cluster.backend.upstream_rq_cancelled") == 1, Wait), "the pending request was not cancelled");
        Assert.Equal(0, proxy.Stat("cluster.backend.upstream_rq_pending_active"));
        Assert.Equal(0, proxy.Stat("cluster.backend.circuit_breakers.default.rq_pending_open"));
        // Its place is free again: the next request waits rather than overflowing, and gets the connection.
        var next = await Queue(client, url, proxy, "/next");
        _gate.SetResult();
        (await first.WaitAsync(Wait)).Dispose();
        using var nextResponse = await next.WaitAsync(Wait);
        Assert.Equal("/next", await nextResponse.Content.ReadAsStringAsync());
        Assert.Equal(0, proxy.Stat("cluster.backend.upstream_rq_pending_overflow"));
        Assert.Equal(2, upstream.Requests);
        Assert.Equal(1, upstream.Accepts);
        Assert.True(await Until(() => proxy.Stat("cluster.backend.upstream_rq_active") == 0, Wait));
        Assert.Equal(0, proxy.Stat("cluster.backend.upstream_rq_pending_active"));
        Assert.Equal(1, proxy.Stat("cluster.backend.upstream_cx_active"));
        Assert.Equal(0, proxy.Stat("cluster.backend.circuit_breakers.default.rq_open"));
    }

    [Fact]
    public async Task The_route_timeout_covers_the_wait_for_a_connection()
    {
        await using var upstream = HoldingUpstream();
        var log = Path.Combine(_dir, "access.log");
        var routes = "routes:\n"
            + "- match: { prefix: \"/hold\" }\n  route: { cluster: backend, timeout: 60s }\n"
            + "- match: { prefix: \"/\" }\n  route: { cluster: backend, timeout: 0.5s }";
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.ConfigWith(routes, [upstream.Port],
            clusterOptions: OneConnectionOnePending, hcmOptions: AccessLog(log)));
        var url = $"http://127.0.0.1:{proxy.Port("main")}";
        using var client = new HttpClient();
        var first = await Hold(client, url, upstream);

        using var waited = await client.GetAsync(url + "/waits").WaitAsync(Wait);

        Assert.Equal(HttpStatusCode.GatewayTimeout, waited.StatusCode);
        Assert.Equal("upstream request timeout", await waited.Content.ReadAsStringAsync());
        Assert.Equal(1, proxy.Stat("cluster.backend.upstream_rq_timeout"));
        Assert.Equal(1, proxy.Stat("cluster.backend.upstream_rq_cancelled"));
        Assert.Equal(0, proxy.Stat("cluster.backend.upstream_rq_pending_active"));
        Assert.True(await Until(() => File.Exists(log) && File.ReadAllText(log).Contains("/waits 504 UT"), Wait), "no 504 UT in the access log");
        _gate.SetResult();
        (await first.WaitAsync(Wait)).Dispose();
        Assert.Equal("/after", await client.GetStringAsync(url + "/after"));
        Assert.Equal(2, upstream.Requests);
        Assert.Equal(1, upstream.Accepts);
    }

    [Fact]
    public async Task A_waiting_request_gets_a_new_connection_when_a_closed_one_frees_its_slot()
    {
        await using var upstream = HoldingUpstream("connection: close");
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.ConfigWith(Routes, [upstream.Port], clusterOptions: OneConnectionOnePending));
        var url = $"http://127.0.0.1:{proxy.Port("main")}";
        using var client = new HttpClient();
        var first = await Hold(client, url, upstream);
        var second = await Queue(client, url, proxy, "/second");

        _gate.SetResult();

        (await first.WaitAsync(Wait)).Dispose();
        using var secondResponse = await second.WaitAsync(Wait);
        Assert.Equal("/second", await secondResponse.Content.ReadAsStringAsync());
        Assert.Equal(2, upstream.Accepts);
        Assert.True(await Until(() => proxy.Stat("cluster.backend.upstream_cx_active") == 0, Wait));
        Assert.Equal(0, proxy.Stat("cluster.backend.circuit_breakers.default.cx_open"));
    }

    [Fact]
    public async Task A_retry_that_finds_no_connection_waits_for_one_and_replays_the_request()
    {
        var firstTry = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tries = 0;
        await using var upstream = TestUpstream.Start(async (request, s) =>
        {
            if (request.Target == "/flaky" && Interlocked.Increment(ref tries) == 1)
            {
                await firstTry.Task;
                await TestUpstream.WriteResponse(s, 503, "try again");
                return;
            }
            if (request.Target == "/hold")
            {
                await _gate.Task;
            }
            await TestUpstream.WriteResponse(s, 200, request.Target);
        });
        var routes = "routes:\n- match: { prefix: \"/\" }\n  route: { cluster: backend, retry_policy: { retry_on: 5xx, num_retries: 1 } }";
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.ConfigWith(routes, [upstream.Port], clusterOptions: OneConnectionOnePending));
        var url = $"http://127.0.0.1:{proxy.Port("main")}";
        using var client = new HttpClient();
        var flaky = client.GetAsync(url + "/flaky");
        await upstream.FirstRequest.Task.WaitAsync(Wait);
        var held = await Queue(client, url, proxy, "/hold");

        // The 503 is retried; its connection closes, and the slot goes to the request already waiting, so the
        // retry in turn waits for a connection.
        firstTry.SetResult();
        Assert.True(await Until(() => upstream.Requests == 2, Wait), "the waiting request did not get the freed slot");
        Assert.True(await Until(() => proxy.Stat("cluster.backend.upstream_rq_pending_active") == 1, Wait), "the retry is not pending");
        Assert.False(flaky.IsCompleted);
        _gate.SetResult();

        using var flakyResponse = await flaky.WaitAsync(Wait);
        Assert.Equal(HttpStatusCode.OK, flakyResponse.StatusCode);
        Assert.Equal("/flaky", await flakyResponse.Content.ReadAsStringAsync());
        Assert.Equal("/hold", await (await held.WaitAsync(Wait)).Content.ReadAsStringAsync());
        Assert.Equal(1, proxy.Stat("cluster.backend.upstream_rq_retry"));
        Assert.Equal(3, upstream.Requests);
        Assert.Equal(2, upstream.Accepts);
    }

    [Fact]
    public async Task A_high_priority_route_uses_the_high_thresholds_and_is_served_while_default_is_at_its_limit()
    {
        await using var upstream = HoldingUpstream();
        var routes = "routes:\n"
            + "- match: { prefix: \"/high\" }\n  route: { cluster: backend, priority: HIGH }\n"
            + "- match: { prefix: \"/\" }\n  route: { cluster: backend }";
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.ConfigWith(routes, [upstream.Port],
            clusterOptions: "circuit_breakers:\n  thresholds:\n  - { priority: DEFAULT, max_connections: 1, max_pending_requests: 1 }\n"
                + "  - { priority: HIGH, max_requests: 1 }"));
        var url = $"http://127.0.0.1:{proxy.Port("main")}";
        using var client = new HttpClient();
        var held = await Hold(client, url, upstream);
        var waiting = await Queue(client, url, proxy, "/waiting");
        using var defaultOverflow = await client.GetAsync(url + "/full");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, defaultOverflow.StatusCode);

        var high = client.GetAsync(url + "/high/hold");
        Assert.True(await Until(() => upstream.Requests == 2, Wait), "the HIGH request did not reach the upstream");
        Assert.Equal(1, proxy.Stat("cluster.backend.circuit_breakers.high.rq_open"));
        Assert.Equal(1, proxy.Stat("cluster.backend.circuit_breakers.default.cx_open"));
        // HIGH's own max_requests (1), not the default thresholds' 1024, refuses a second HIGH request.
        using var highOverflow = await client.GetAsync(url + "/high/second");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, highOverflow.StatusCode);
        Assert.Equal(2, proxy.Stat("cluster.backend.upstream_rq_pending_overflow"));

        _gate.SetResult();
        Assert.Equal("/hold", await (await held.WaitAsync(Wait)).Content.ReadAsStringAsync());
        Assert.Equal("/waiting", await (await waiting.WaitAsync(Wait)).Content.ReadAsStringAsync());
        Assert.Equal("/high/hold", await (await high.WaitAsync(Wait)).Content.ReadAsStringAsync());
        // The HIGH request had a pool, and so a connection, of its own.
        Assert.Equal(2, upstream.Accepts);
        Assert.True(await Until(() => proxy.Stat("cluster.backend.circuit_breakers.high.rq_open") == 0, Wait));
    }

    private static string AccessLog(string path) =>
        "access_log:\n- name: envoy.access_loggers.file\n  typed_config:\n"
        + "    \"@type\": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog\n"
        + $"    path: {path}\n"
        + "    log_format:\n      text_format_source:\n        inline_string: \"%REQ(:PATH)% %RESPONSE_CODE% %RESPONSE_FLAGS%\\n\"";
}
