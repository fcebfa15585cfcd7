using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ActorMesh.Tests.Support;
using Xunit;
using static ActorMesh.Tests.Upstream.UpstreamTestKit;

namespace ActorMesh.Tests.Routing;

/// <summary>Envoy's router retries through a real proxy with real upstreams on 127.0.0.1.</summary>
public sealed class RetryProxyTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly string _dir = Directory.CreateTempSubdirectory("actormesh-retry-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Route(string retryPolicy, string extra = "") =>
        $"routes:\n- match: {{ prefix: \"/\" }}\n  route:\n    cluster: backend\n{extra}    retry_policy: {retryPolicy}";

    private static string AccessLog(string path) =>
        "access_log:\n- name: envoy.access_loggers.file\n  typed_config:\n"
        + "    \"@type\": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog\n"
        + $"    path: {path}\n"
        + "    log_format:\n      text_format_source:\n        inline_string: \"%RESPONSE_CODE% %RESPONSE_FLAGS%\\n\"";

    /// <summary>An upstream whose odd-numbered requests get <paramref name="failure"/> and the others 200.</summary>
    private static TestUpstream Alternating(int failure)
    {
        var count = 0;
        return TestUpstream.Start((_, s) => Interlocked.Increment(ref count) % 2 == 1
            ? TestUpstream.WriteResponse(s, failure, "no")
            : TestUpstream.WriteResponse(s, 200, "ok"));
    }

    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    [Fact]
    public async Task A_50_percent_flaky_upstream_gives_no_client_errors()
    {
        await using var flaky = Alternating(503);
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.ConfigWith(Route("{ retry_on: 5xx, num_retries: 2 }"), [flaky.Port]));
        using var client = new HttpClient();

        var failures = 0;
        for (var i = 0; i < 200; i++)
        {
            using var response = await client.GetAsync($"http://127.0.0.1:{proxy.Port("main")}/item/{i}");
            failures += response.StatusCode == HttpStatusCode.OK && await response.Content.ReadAsStringAsync() == "ok" ? 0 : 1;
        }

        Assert.Equal(0, failures);
        Assert.Equal(400, flaky.Requests);
        Assert.Equal(200, proxy.Stat("cluster.backend.upstream_rq_retry"));
        Assert.Equal(200, proxy.Stat("cluster.backend.upstream_rq_retry_success"));
        Assert.Equal(200, proxy.Stat("cluster.backend.upstream_rq_503"));
        Assert.Equal(0, proxy.Stat("cluster.backend.circuit_breakers.default.rq_retry_open"));
    }

    [Fact]
    public async Task A_connect_failure_is_retried_on_another_host()
    {
        await using var good = TestUpstream.Answering("ok");
        var closed = ClosedPort();
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.ConfigWith(
            Route("{ retry_on: connect-failure, num_retries: 1, host_selection_retry_max_attempts: 20, retry_host_predicate: [ { name: envoy.retry_host_predicates.previous_hosts } ] }"),
            [closed, good.Port], lbPolicy: "RANDOM"));
        using var client = new HttpClient();

        for (var i = 0; i < 20; i++)
        {
            using var response = await client.GetAsync($"http://127.0.0.1:{proxy.Port("main")}/");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(20, good.Requests);
        Assert.True(proxy.Stat("cluster.backend.upstream_cx_connect_fail") >= 1);
        Assert.Equal(proxy.Stat("cluster.backend.upstream_cx_connect_fail"), proxy.Stat("cluster.backend.upstream_rq_retry"));
    }

    [Fact]
    public async Task A_reset_before_the_response_is_retried()
    {
        var count = 0;
        await using var upstream = RecordingUpstream.Start(async e =>
        {
            if (Interlocked.Increment(ref count) == 1)
            {
                e.Reset();
                return;
            }
            await e.Send(RecordingUpstream.DefaultResponse);
        });
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.ConfigWith(Route("{ retry_on: reset }"), [upstream.Port]));
        using var client = new HttpClient();

        using var response = await client.GetAsync($"http://127.0.0.1:{proxy.Port("main")}/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
        Assert.Equal(2, upstream.Requests.Count);
        Assert.Equal(1, proxy.Stat("cluster.backend.upstream_rq_retry_success"));
    }

    [Theory]
    [InlineData("{ retry_on: retriable-status-codes, retriable_status_codes: [418] }", 418)]
    [InlineData("{ retry_on: retriable-4xx }", 409)]
    [InlineData("{ retry_on: gateway-error }", 502)]
    public async Task Retriable_statuses_are_retried(string policy, int status)
    {
        await using var flaky = Alternating(status);
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.ConfigWith(Route(policy), [flaky.Port]));
        using var client = new HttpClient();

        using var response = await client.GetAsync($"http://127.0.0.1:{proxy.Port("main")}/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, flaky.Requests);
        Assert.Equal(1, proxy.Stat($"cluster.backend.upstream_rq_{status}"));
    }

    [Fact]
    public async Task A_status_outside_the_policy_is_passed_through()
    {
        await using var flaky = Alternating(500);
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.ConfigWith(Route("{ retry_on: retriable-4xx }"), [flaky.Port]));
        using var client = new HttpClient();

        using var response = await client.GetAsync($"http://127.0.0.1:{proxy.Port("main")}/");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal(1, flaky.Requests);
        Assert.Equal(0, proxy.Stat("cluster.backend.upstream_rq_retry"));
    }

    [Fact]
    public async Task A_per_try_timeout_is_retried_and_the_next_try_answers()
    {
        var count = 0;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = TestUpstream.Start(async (_, s) =>
        {
            if (Interlocked.Increment(ref count) == 1)
            {
                await release.Task;
            }
            await TestUpstream.WriteResponse(s, 200, "second");
        });
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.ConfigWith(Route("{ retry_on: 5xx, per_try_timeout: 0.3s }"), [upstream.Port]));
        using var client = new HttpClient();
        var watch = Stopwatch.StartNew();

        using var response = await client.GetAsync($"http://127.0.0.1:{proxy.Port("main")}/");

        release.SetResult();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("second", await response.Content.ReadAsStringAsync());
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(280), $"answered after {watch.Elapsed}");
        Assert.Equal(1, proxy.Stat("cluster.backend.upstream_rq_per_try_timeout"));
        Assert.Equal(0, proxy.Stat("cluster.backend.upstream_rq_timeout"));
    }

    [Fact]
    public async Task The_route_timeout_covers_every_try()
    {
        var log = Path.Combine(_dir, "timeout.log");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var hanging = TestUpstream.Start(async (_, s) =>
        {
            await release.Task;
            await TestUpstream.WriteResponse(s, 200, "late");
        });
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.ConfigWith(
            Route("{ retry_on: 5xx, num_retries: 10, per_try_timeout: 0.3s }", extra: "    timeout: 1s\n"), [hanging.Port], hcmOptions: AccessLog(log)));
        using var client = new HttpClient();
        var watch = Stopwatch.StartNew();

        using var response = await client.GetAsync($"http://127.0.0.1:{proxy.Port("main")}/");

        release.SetResult();
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(950), TimeSpan.FromSeconds(5));
        Assert.InRange(hanging.Requests, 2, 4);
        Assert.Equal(1, proxy.Stat("cluster.backend.upstream_rq_timeout"));
        Assert.True(await Until(() => File.Exists(log) && File.ReadAllText(log).Contains("504 UT"), Wait), "no 504 UT in the access log");
    }

    [Fact]
    public async Task Retries_back_off_with_jitter_and_running_out_is_URX()
    {
        var log = Path.Combine(_dir, "urx.log");
        var arrivals = new ConcurrentQueue<long>();
        await using var failing = TestUpstream.Start((_, s) =>
        {
            arrivals.Enqueue(Stopwatch.GetTimestamp());
            return TestUpstream.WriteResponse(s, 503, "down");
        });
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.ConfigWith(
            Route("{ retry_on: 5xx, num_retries: 3, retry_back_off: { base_interval: 0.05s, max_interval: 0.2s } }"), [failing.Port], hcmOptions: AccessLog(log)));
        using var client = new HttpClient();

        var waited = TimeSpan.Zero;
        for (var i = 0; i < 5; i++)
        {
            arrivals.Clear();
            using var response = await client.GetAsync($"http://127.0.0.1:{proxy.Port("main")}/");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("down", await response.Content.ReadAsStringAsync());
            var times = arrivals.ToArray();
            Assert.Equal(4, times.Length);
            // Each wait is below its interval: 50 ms, then 100 ms, then the 200 ms cap (plus scheduling slack).
            int[] caps = [50, 100, 200];
            for (var t = 1; t < times.Length; t++)
            {
                var gap = Stopwatch.GetElapsedTime(times[t - 1], times[t]);
                Assert.True(gap < TimeSpan.FromMilliseconds(caps[t - 1] + 400), $"retry {t} waited {gap}");
                waited += gap;
            }
        }

        // 15 uniform waits average 175 ms per request; no back-off at all would be a few ms.
        Assert.True(waited >= TimeSpan.FromMilliseconds(300), $"all retries together waited only {waited}");
        Assert.Equal(15, proxy.Stat("cluster.backend.upstream_rq_retry_backoff_exponential"));
        Assert.Equal(5, proxy.Stat("cluster.backend.upstream_rq_retry_limit_exceeded"));
        Assert.True(await Until(() => File.Exists(log) && File.ReadAllLines(log).Count(l => l == "503 URX") == 5, Wait), "expected five '503 URX' access log lines");
    }

    [Fact]
    public async Task A_full_retry_circuit_breaker_stops_the_retry()
    {
        var log = Path.Combine(_dir, "overflow.log");
        await using var flaky = Alternating(503);
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.ConfigWith(Route("{ retry_on: 5xx }"), [flaky.Port],
            clusterOptions: "circuit_breakers:\n  thresholds:\n  - max_retries: 0", hcmOptions: AccessLog(log)));
        using var client = new HttpClient();

        using var response = await client.GetAsync($"http://127.0.0.1:{proxy.Port("main")}/");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(1, flaky.Requests);
        Assert.Equal(1, proxy.Stat("cluster.backend.upstream_rq_retry_overflow"));
        Assert.Equal(0, proxy.Stat("cluster.backend.upstream_rq_retry"));
        Assert.True(await Until(() => File.Exists(log) && File.ReadAllText(log).Contains("503 UO"), Wait), "no 503 UO in the access log");
    }

    [Fact]
    public async Task Retry_request_headers_are_honoured_and_not_forwarded()
    {
        var seen = new ConcurrentQueue<UpstreamRequest>();
        await using var failing = TestUpstream.Start((r, s) =>
        {
            seen.Enqueue(r);
            return TestUpstream.WriteResponse(s, 503, "down");
        });
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.SimpleConfig(failing.Port));
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{proxy.Port("main")}/");
        request.Headers.Add("x-envoy-retry-on", "5xx");
        request.Headers.Add("x-envoy-max-retries", "3");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(4, seen.Count);
        Assert.All(seen, r =>
        {
            Assert.Null(r.Header("x-envoy-retry-on"));
            Assert.Null(r.Header("x-envoy-max-retries"));
        });
        Assert.Equal(3, proxy.Stat("cluster.backend.upstream_rq_retry"));
    }

    [Fact]
    public async Task An_external_request_at_an_edge_cannot_ask_for_retries()
    {
        var seen = new ConcurrentQueue<UpstreamRequest>();
        await using var failing = TestUpstream.Start((r, s) =>
        {
            seen.Enqueue(r);
            return TestUpstream.WriteResponse(s, 503, "down");
        });
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.ConfigWith(
            "routes:\n- match: { prefix: \"/\" }\n  route: { cluster: backend }", [failing.Port], hcmOptions: "use_remote_address: true"));
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{proxy.Port("main")}/");
        request.Headers.Add("x-forwarded-for", "203.0.113.7");
        request.Headers.Add("x-envoy-retry-on", "5xx");
        request.Headers.Add("x-envoy-max-retries", "3");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Null(Assert.Single(seen).Header("x-envoy-retry-on"));
        Assert.Equal(0, proxy.Stat("cluster.backend.upstream_rq_retry"));
    }

    [Fact]
    public async Task A_virtual_host_policy_retries_its_routes()
    {
        await using var flaky = Alternating(503);
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.ConfigWith(
            "retry_policy: { retry_on: gateway-error }\nroutes:\n- match: { prefix: \"/\" }\n  route: { cluster: backend }", [flaky.Port]));
        using var client = new HttpClient();

        using var response = await client.GetAsync($"http://127.0.0.1:{proxy.Port("main")}/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, flaky.Requests);
    }

    [Fact]
    public async Task Attempt_counts_go_upstream_and_back_when_the_virtual_host_asks()
    {
        var counts = new ConcurrentQueue<string?>();
        var calls = 0;
        await using var flaky = TestUpstream.Start((r, s) =>
        {
            counts.Enqueue(r.Header("x-envoy-attempt-count"));
            return Interlocked.Increment(ref calls) == 1 ? TestUpstream.WriteResponse(s, 503, "no") : TestUpstream.WriteResponse(s, 200, "ok");
        });
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.ConfigWith(
            "include_request_attempt_count: true\ninclude_attempt_count_in_response: true\n" + Route("{ retry_on: 5xx }"), [flaky.Port]));
        using var client = new HttpClient();

        using var retried = await client.GetAsync($"http://127.0.0.1:{proxy.Port("main")}/");
        using var first = await client.GetAsync($"http://127.0.0.1:{proxy.Port("main")}/");

        Assert.Equal("1,2,1", string.Join(",", counts));
        Assert.Equal("2", Assert.Single(retried.Headers.GetValues("x-envoy-attempt-count")));
        Assert.Equal("1", Assert.Single(first.Headers.GetValues("x-envoy-attempt-count")));
    }

    [Fact]
    public async Task The_upstream_timeout_header_replaces_the_route_timeout_and_is_not_forwarded()
    {
        var seen = new ConcurrentQueue<UpstreamRequest>();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var hanging = TestUpstream.Start(async (r, s) =>
        {
            seen.Enqueue(r);
            await release.Task;
            await TestUpstream.WriteResponse(s, 200, "late");
        });
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.SimpleConfig(hanging.Port));
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{proxy.Port("main")}/");
        request.Headers.Add("x-envoy-upstream-rq-timeout-ms", "300");
        var watch = Stopwatch.StartNew();

        using var response = await client.SendAsync(request);

        release.SetResult();
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(280), TimeSpan.FromSeconds(5));
        Assert.Null(Assert.Single(seen).Header("x-envoy-upstream-rq-timeout-ms"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_POST_body_is_replayed_intact(bool chunked)
    {
        var bodies = new ConcurrentQueue<byte[]>();
        var count = 0;
        await using var flaky = TestUpstream.Start((r, s) =>
        {
            bodies.Enqueue(r.Body);
            return Interlocked.Increment(ref count) == 1 ? TestUpstream.WriteResponse(s, 503, "no") : TestUpstream.WriteResponse(s, 200, "ok");
        });
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.ConfigWith(Route("{ retry_on: 5xx }"), [flaky.Port]));
        using var client = new HttpClient();
        var payload = new byte[200_000];
        Random.Shared.NextBytes(payload);
        HttpContent content = chunked ? new StreamContent(new MemoryStream(payload)) : new ByteArrayContent(payload);
        if (chunked)
        {
            content.Headers.ContentLength = null;
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{proxy.Port("main")}/upload") { Content = content };
        request.Headers.TransferEncodingChunked = chunked;

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, bodies.Count);
        Assert.All(bodies, b => Assert.Equal(payload, b));
    }

    [Fact]
    public async Task A_body_past_the_buffer_limit_is_not_retried()
    {
        await using var failing = TestUpstream.Start((_, s) => TestUpstream.WriteResponse(s, 503, "down"));
        var config = ProxyHarness.ConfigWith(Route("{ retry_on: 5xx }"), [failing.Port])
            .Replace("  - name: main\n", "  - name: main\n    per_connection_buffer_limit_bytes: 1024\n");
        await using var proxy = await ProxyHarness.StartAsync(config);
        using var client = new HttpClient();

        using var response = await client.PostAsync($"http://127.0.0.1:{proxy.Port("main")}/", new ByteArrayContent(new byte[64 * 1024]));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(1, failing.Requests);
        Assert.Equal(1, proxy.Stat("cluster.backend.retry_or_shadow_abandoned"));
        Assert.Equal(0, proxy.Stat("cluster.backend.upstream_rq_retry"));
    }

    [Fact]
    public async Task A_body_outgrowing_the_buffer_while_a_retry_waits_is_507()
    {
        // An upstream that answers 503 as soon as it has a request head, before any body.
        var heads = 0;
        using var stop = new CancellationTokenSource();
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var upstreamPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        var serving = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var socket = await listener.AcceptSocketAsync(stop.Token);
                _ = Task.Run(async () =>
                {
                    using var _ = socket;
                    var buffer = new byte[65536];
                    var seen = "";
                    try
                    {
                        while (!seen.Contains("\r\n\r\n"))
                        {
                            var n = await socket.ReceiveAsync(buffer, SocketFlags.None, stop.Token);
                            if (n == 0)
                            {
                                return;
                            }
                            seen += System.Text.Encoding.Latin1.GetString(buffer, 0, n);
                        }
                        Interlocked.Increment(ref heads);
                        await socket.SendAsync(System.Text.Encoding.ASCII.GetBytes("HTTP/1.1 503 X\r\ncontent-length: 0\r\n\r\n"), SocketFlags.None);
                        while (await socket.ReceiveAsync(buffer, SocketFlags.None, stop.Token) > 0)
                        {
                        }
                    }
                    catch (Exception e) when (e is SocketException or OperationCanceledException)
                    {
                    }
                });
            }
        });
        try
        {
            var config = ProxyHarness.ConfigWith(Route("{ retry_on: 5xx, retry_back_off: { base_interval: 60s, max_interval: 60s } }"), [upstreamPort])
                .Replace("  - name: main\n", "  - name: main\n    per_connection_buffer_limit_bytes: 1024\n");
            await using var proxy = await ProxyHarness.StartAsync(config);
            using var client = await RawConnection.Open(proxy.Port("main"));

            await client.Send("POST / HTTP/1.1\r\nHost: a\r\ncontent-length: 3000\r\n\r\n" + new string('a', 500));
            Assert.True(await Until(() => proxy.Stat("cluster.backend.upstream_rq_retry") == 1, Wait), "the first try was not retried");
            await client.Send(new string('b', 2500));

            Assert.True(await client.ReadUntil("\r\n\r\n", Wait), "no response");
            Assert.StartsWith("HTTP/1.1 507", client.Received);
            Assert.Equal(1, Volatile.Read(ref heads));
            Assert.Equal(1, proxy.Stat("cluster.backend.retry_or_shadow_abandoned"));
            Assert.Equal(0, proxy.Stat("cluster.backend.circuit_breakers.default.rq_retry_open"));
        }
        finally
        {
            stop.Cancel();
            listener.Stop();
            await Task.WhenAny(serving, Task.Delay(Wait));
        }
    }

    [Fact]
    public async Task Nothing_is_retried_once_the_response_has_started()
    {
        await using var upstream = RecordingUpstream.Start(async e =>
        {
            await e.Send("HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial");
            await Task.Delay(50);
            e.Reset();
        });
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.ConfigWith(Route("{ retry_on: \"5xx,reset,connect-failure\", num_retries: 3 }"), [upstream.Port]));
        using var client = new HttpClient();

        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            using var response = await client.GetAsync($"http://127.0.0.1:{proxy.Port("main")}/");
            await response.Content.ReadAsByteArrayAsync();
        });

        await Task.Delay(300);
        Assert.Single(upstream.Requests);
        Assert.Equal(0, proxy.Stat("cluster.backend.upstream_rq_retry"));
    }
}
