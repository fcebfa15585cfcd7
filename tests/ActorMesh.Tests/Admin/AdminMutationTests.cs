using System.Net;
using System.Net.Sockets;
using ActorMesh.Tests.Support;
using Xunit;

namespace ActorMesh.Tests.Admin;

/// <summary>The admin's POST-only commands over real HTTP: each one's answer and its effect on the node.</summary>
public sealed class AdminMutationTests
{
    public static readonly TheoryData<string> Mutations = new()
    {
        "/healthcheck/fail", "/healthcheck/ok", "/drain_listeners", "/reset_counters", "/quitquitquit", "/runtime_modify?a=b", "/logging?level=error",
    };

    [Theory]
    [MemberData(nameof(Mutations))]
    public async Task A_mutation_by_get_is_405_with_envoys_text_and_has_no_effect(string path)
    {
        await using var f = await AdminFixture.StartAsync();
        await f.ThroughProxy();
        var (status, body) = await f.Get(path);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, status);
        Assert.Equal("Method GET not allowed, POST required.", body);

        Assert.Equal((HttpStatusCode.OK, "LIVE\n"), await f.Get("/ready"));
        Assert.Equal("x", await f.ThroughProxy());
        Assert.Equal(2, f.Proxy.Stat("http.ingress_http.downstream_rq_total"));
        Assert.Equal("{}", (await f.GetJson("/runtime")).GetProperty("entries").GetRawText().Replace(" ", ""));
        Assert.Contains("  akka: warning\n", (await f.Get("/logging")).Body);
    }

    [Fact]
    public async Task A_read_by_post_is_405()
    {
        await using var f = await AdminFixture.StartAsync();
        Assert.Equal((HttpStatusCode.MethodNotAllowed, "Method POST not allowed, GET required."), await f.Post("/server_info"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await f.Post("/clusters")).Status);
    }

    [Fact]
    public async Task Healthcheck_fail_makes_ready_503_draining_until_healthcheck_ok()
    {
        await using var f = await AdminFixture.StartAsync();
        Assert.Equal(1, f.Proxy.Stat("server.live"));
        Assert.Equal(0, f.Proxy.Stat("server.state"));

        Assert.Equal((HttpStatusCode.OK, "OK\n"), await f.Post("/healthcheck/fail"));
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "DRAINING\n"), await f.Get("/ready"));
        Assert.Equal("DRAINING", (await f.GetJson("/server_info")).GetProperty("state").GetString());
        Assert.Equal(0, f.Proxy.Stat("server.live"));
        Assert.Equal(1, f.Proxy.Stat("server.state"));
        Assert.True(f.Proxy.Server.State.HealthCheckFailed);
        // Failing health checks does not stop the data plane.
        Assert.Equal("x", await f.ThroughProxy());

        Assert.Equal((HttpStatusCode.OK, "OK\n"), await f.Post("/healthcheck/ok"));
        Assert.Equal((HttpStatusCode.OK, "LIVE\n"), await f.Get("/ready"));
        Assert.Equal(1, f.Proxy.Stat("server.live"));
        Assert.Equal(0, f.Proxy.Stat("server.state"));
    }

    [Fact]
    public async Task Drain_listeners_stops_the_proxy_listener_accepting_while_admin_still_answers()
    {
        await using var f = await AdminFixture.StartAsync();
        Assert.Equal("x", await f.ThroughProxy());

        Assert.Equal((HttpStatusCode.OK, "OK\n"), await f.Post("/drain_listeners"));
        await AwaitUnserved(f.ProxyPort);
        Assert.Equal((HttpStatusCode.OK, "LIVE\n"), await f.Get("/ready"));
        Assert.Contains("main::127.0.0.1:", (await f.Get("/listeners")).Body);
    }

    [Fact]
    public async Task Graceful_drain_closes_open_connections_after_their_request_and_reports_draining()
    {
        await using var f = await AdminFixture.StartAsync();
        using var keptAlive = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        Assert.Equal("x", await keptAlive.GetStringAsync($"http://127.0.0.1:{f.ProxyPort}/"));
        Assert.Equal(1, f.Proxy.Stat($"listener.127.0.0.1_0.downstream_cx_active"));

        Assert.Equal((HttpStatusCode.OK, "OK\n"), await f.Post("/drain_listeners?graceful&inboundonly"));
        await AwaitUnserved(f.ProxyPort);
        await AwaitCondition(() => f.Proxy.Stat("listener.127.0.0.1_0.downstream_cx_active") == 0);
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "DRAINING\n"), await f.Get("/ready"));
        Assert.Equal(0, f.Proxy.Stat("server.live"));
    }

    [Fact]
    public async Task Reset_counters_zeroes_counters_that_had_traffic_and_leaves_gauges()
    {
        await using var f = await AdminFixture.StartAsync();
        await f.ThroughProxy();
        await f.ThroughProxy();
        Assert.Equal(2, f.Proxy.Stat("http.ingress_http.downstream_rq_total"));
        Assert.Equal(2, f.Proxy.Stat("cluster.backend.upstream_rq_total"));

        Assert.Equal((HttpStatusCode.OK, "OK\n"), await f.Post("/reset_counters"));
        var stats = (await f.Get("/stats")).Body;
        Assert.Contains("http.ingress_http.downstream_rq_total: 0\n", stats);
        Assert.Contains("cluster.backend.upstream_rq_total: 0\n", stats);
        Assert.Contains("cluster.backend.membership_total: 1\n", stats);
        Assert.Contains("server.live: 1\n", stats);

        await f.ThroughProxy();
        Assert.Equal(1, f.Proxy.Stat("http.ingress_http.downstream_rq_total"));
    }

    [Fact]
    public async Task Logging_lists_loggers_and_changes_akkas_level_at_run_time()
    {
        await using var f = await AdminFixture.StartAsync();
        Assert.Equal((HttpStatusCode.OK, "active loggers:\n  akka: warning\n\n"), await f.Get("/logging"));

        Assert.Equal((HttpStatusCode.OK, "active loggers:\n  akka: error\n\n"), await f.Post("/logging?level=error"));
        Assert.Equal(Akka.Event.LogLevel.ErrorLevel, f.Proxy.System.EventStream.LogLevel);
        Assert.Equal("active loggers:\n  akka: error\n\n", (await f.Get("/logging")).Body);

        Assert.Equal((HttpStatusCode.OK, "active loggers:\n  akka: warning\n\n"), await f.Post("/logging?akka=warning"));
        Assert.Equal(HttpStatusCode.OK, (await f.Post("/logging?paths=akka:error")).Status);
        Assert.Equal(Akka.Event.LogLevel.ErrorLevel, f.Proxy.System.EventStream.LogLevel);

        var (status, body) = await f.Post("/logging?no_such_logger=debug");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.StartsWith("usage: /logging?<name>=<level> (change single level)\n", body);
        Assert.EndsWith("active loggers:\n  akka: error\n\n", body);
        Assert.Equal(HttpStatusCode.NotFound, (await f.Post("/logging?level=loud")).Status);
    }

    [Fact]
    public async Task Runtime_modify_stores_keys_in_the_admin_layer_shown_by_runtime()
    {
        await using var f = await AdminFixture.StartAsync();
        Assert.Equal((HttpStatusCode.OK, "OK\n"), await f.Post("/runtime_modify?health_check.min_interval=10&feature.x=on%20now"));
        var runtime = await f.GetJson("/runtime");
        Assert.Equal(["admin"], runtime.GetProperty("layers").EnumerateArray().Select(l => l.GetString()));
        var entry = runtime.GetProperty("entries").GetProperty("feature.x");
        Assert.Equal("on now", entry.GetProperty("final_value").GetString());
        Assert.Equal(["on now"], entry.GetProperty("layer_values").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal("10", runtime.GetProperty("entries").GetProperty("health_check.min_interval").GetProperty("final_value").GetString());

        Assert.Equal((HttpStatusCode.OK, "OK\n"), await f.Post("/runtime_modify?feature.x="));
        var after = await f.GetJson("/runtime");
        Assert.Equal(["health_check.min_interval"], after.GetProperty("entries").EnumerateObject().Select(p => p.Name));
        Assert.Equal(HttpStatusCode.BadRequest, (await f.Post("/runtime_modify")).Status);
    }

    /// <summary>Polls until a new connection to <paramref name="port"/> is refused or closed without an answer.</summary>
    internal static async Task AwaitUnserved(int port)
    {
        await AwaitCondition(async () =>
        {
            try
            {
                var answer = await RawHttp.Exchange(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", TimeSpan.FromSeconds(2));
                return answer.Length == 0;
            }
            catch (SocketException)
            {
                return true;
            }
        });
    }

    private static Task AwaitCondition(Func<bool> condition) => AwaitCondition(() => Task.FromResult(condition()));

    private static async Task AwaitCondition(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 10 s");
            await Task.Delay(50);
        }
    }
}
