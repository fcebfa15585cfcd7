using System.Net;
using ActorMesh.Config;
using ActorMesh.Stats;
using ActorMesh.Tests.Support;
using ActorMesh.Upstream;
using Xunit;
using static ActorMesh.Tests.Upstream.UpstreamTestKit;

namespace ActorMesh.Tests.Upstream;

public sealed class CircuitBreakerTests : IDisposable
{
    private const string Routes = "routes:\n- match: { prefix: \"/\" }\n  route: { cluster: backend }";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly string _dir = Directory.CreateTempSubdirectory("actormesh-cb-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Max_requests_overflow_answers_503_UO_and_counts_it()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var slow = TestUpstream.Start(async (_, s) =>
        {
            await gate.Task;
            await TestUpstream.WriteResponse(s, 200, "done");
        });
        var log = Path.Combine(_dir, "access.log");
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.ConfigWith(Routes, [slow.Port],
            clusterOptions: "circuit_breakers:\n  thresholds:\n  - priority: DEFAULT\n    max_requests: 1\n    track_remaining: true",
            hcmOptions: AccessLog(log)));
        var port = proxy.Port("main");
        using var client = new HttpClient();

        var first = client.GetAsync($"http://127.0.0.1:{port}/");
        await slow.FirstRequest.Task.WaitAsync(Wait);
        Assert.Equal(1, proxy.Stat("cluster.backend.circuit_breakers.default.rq_open"));
        Assert.Equal(0, proxy.Stat("cluster.backend.circuit_breakers.default.remaining_rq"));

        using var overflow = await client.GetAsync($"http://127.0.0.1:{port}/");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, overflow.StatusCode);
        Assert.Equal("upstream connect error or disconnect/reset before headers. reset reason: overflow", await overflow.Content.ReadAsStringAsync());
        Assert.Equal(1, proxy.Stat("cluster.backend.upstream_rq_pending_overflow"));
        Assert.True(await Until(() => File.Exists(log) && File.ReadAllText(log).Contains("503 UO"), Wait), "no 503 UO in the access log");

        gate.SetResult();
        using var firstResponse = await first.WaitAsync(Wait);
        Assert.Equal(HttpStatusCode.OK, firstResponse.StatusCode);
        Assert.True(await Until(() => proxy.Stat("cluster.backend.circuit_breakers.default.rq_open") == 0, Wait));
        using var after = await client.GetAsync($"http://127.0.0.1:{port}/");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task Past_max_connections_a_request_waits_and_counts_upstream_cx_overflow()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var slow = TestUpstream.Start(async (_, s) =>
        {
            await gate.Task;
            await TestUpstream.WriteResponse(s, 200, "done");
        });
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.ConfigWith(Routes, [slow.Port],
            clusterOptions: "circuit_breakers:\n  thresholds:\n  - max_connections: 1"));
        var port = proxy.Port("main");
        using var client = new HttpClient();

        var first = client.GetAsync($"http://127.0.0.1:{port}/");
        await slow.FirstRequest.Task.WaitAsync(Wait);
        // Envoy queues it (max_pending_requests 1024) rather than failing it.
        var second = client.GetAsync($"http://127.0.0.1:{port}/");
        Assert.True(await Until(() => proxy.Stat("cluster.backend.upstream_cx_overflow") == 1, Wait));

        Assert.Equal(1, proxy.Stat("cluster.backend.circuit_breakers.default.cx_open"));
        Assert.Equal(1, proxy.Stat("cluster.backend.upstream_rq_pending_active"));
        Assert.False(second.IsCompleted);
        gate.SetResult();
        (await first.WaitAsync(Wait)).Dispose();
        using var secondResponse = await second.WaitAsync(Wait);
        Assert.Equal(HttpStatusCode.OK, secondResponse.StatusCode);
        Assert.Equal(1, slow.Accepts);
    }

    [Fact]
    public void Retries_are_limited_by_max_retries()
    {
        var scope = new StatsScope("cluster.unit.");
        var breaker = new CircuitBreaker(ThresholdsConfig.Default with { MaxRetries = 2 }, scope, "default");

        Assert.True(breaker.TryAcquireRetry());
        Assert.True(breaker.TryAcquireRetry());
        Assert.False(breaker.TryAcquireRetry());
        Assert.Equal(1, scope.Counter("upstream_rq_retry_overflow").Value);
        Assert.Equal(1, scope.Gauge("circuit_breakers.default.rq_retry_open").Value);

        breaker.ReleaseRetry();
        Assert.Equal(0, scope.Gauge("circuit_breakers.default.rq_retry_open").Value);
        Assert.True(breaker.TryAcquireRetry());
    }

    private static string AccessLog(string path) =>
        "access_log:\n- name: envoy.access_loggers.file\n  typed_config:\n"
        + "    \"@type\": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog\n"
        + $"    path: {path}\n"
        + "    log_format:\n      text_format_source:\n        inline_string: \"%RESPONSE_CODE% %RESPONSE_FLAGS%\\n\"";
}
