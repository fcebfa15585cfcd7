using System.Diagnostics;
using ActorMesh.Tests.Support;
using Xunit;

namespace ActorMesh.Tests.Listeners;

/// <summary>Envoy's timeouts and header limits, with short configured values and bounded waits.</summary>
public sealed class HttpTimeoutTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    private static string Config(int port, string hcmOptions, string route = "route: { cluster: backend }") => ProxyHarness.ConfigWith(
        $"routes:\n- match: {{ prefix: \"/\" }}\n  {route}", [port], hcmOptions: hcmOptions);

    private static TestUpstream Silent(TaskCompletionSource release) => TestUpstream.Start(async (_, _) => await release.Task);

    [Fact]
    public async Task Route_timeout_gives_504_UT_and_the_connection_stays_usable()
    {
        var release = new TaskCompletionSource();
        await using var upstream = Silent(release);
        await using var proxy = await ProxyHarness.StartAsync(Config(upstream.Port, "generate_request_id: true", "route: { cluster: backend, timeout: 0.3s }"));

        using var client = await RawConnection.Open(proxy.Port("main"));
        var watch = Stopwatch.StartNew();
        await client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.True(await client.ReadUntil("upstream request timeout", Wait), client.Received);
        Assert.StartsWith("HTTP/1.1 504", client.Received);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(3));
        Assert.False(client.Closed);
        Assert.Equal(1, proxy.Stat("cluster.backend.upstream_rq_timeout"));
        release.SetResult();
    }

    [Fact]
    public async Task Route_timeout_after_response_headers_resets_the_downstream()
    {
        await using var upstream = TestUpstream.Start(async (_, stream) =>
        {
            await TestUpstream.WriteRaw(stream, "HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial");
            await Task.Delay(TimeSpan.FromSeconds(10));
        });
        await using var proxy = await ProxyHarness.StartAsync(Config(upstream.Port, "generate_request_id: true", "route: { cluster: backend, timeout: 0.3s }"));

        using var client = await RawConnection.Open(proxy.Port("main"));
        await client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");

        Assert.True(await client.ReadToClose(Wait));
        Assert.StartsWith("HTTP/1.1 200", client.Received);
        Assert.EndsWith("partial", client.Received);
    }

    [Fact]
    public async Task Stream_idle_timeout_while_the_body_is_arriving_is_408_and_closes()
    {
        await using var upstream = TestUpstream.Answering("never");
        await using var proxy = await ProxyHarness.StartAsync(Config(upstream.Port, "stream_idle_timeout: 0.3s"));

        using var client = await RawConnection.Open(proxy.Port("main"));
        await client.Send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc");

        Assert.True(await client.ReadToClose(Wait));
        Assert.StartsWith("HTTP/1.1 408", client.Received);
        Assert.EndsWith("stream timeout", client.Received);
        Assert.Equal(1, proxy.Stat("http.ingress_http.downstream_rq_idle_timeout"));
        Assert.Equal(0, upstream.Requests);
    }

    [Fact]
    public async Task Stream_idle_timeout_with_the_request_received_is_504()
    {
        var release = new TaskCompletionSource();
        await using var upstream = Silent(release);
        await using var proxy = await ProxyHarness.StartAsync(Config(upstream.Port, "stream_idle_timeout: 0.3s", "route: { cluster: backend, timeout: 0s }"));

        var response = await RawHttp.Exchange(proxy.Port("main"), "GET / HTTP/1.1\r\nHost: a\r\nconnection: close\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 504", response);
        Assert.EndsWith("stream timeout", response);
        release.SetResult();
    }

    [Fact]
    public async Task Route_idle_timeout_overrides_the_connection_managers()
    {
        var release = new TaskCompletionSource();
        await using var upstream = Silent(release);
        await using var proxy = await ProxyHarness.StartAsync(Config(upstream.Port, "stream_idle_timeout: 60s", "route: { cluster: backend, timeout: 0s, idle_timeout: 0.3s }"));

        var response = await RawHttp.Exchange(proxy.Port("main"), "GET / HTTP/1.1\r\nHost: a\r\nconnection: close\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 504", response);
        Assert.Equal(1, proxy.Stat("http.ingress_http.downstream_rq_idle_timeout"));
        release.SetResult();
    }

    [Fact]
    public async Task Request_timeout_cuts_a_body_that_trickles_in()
    {
        await using var upstream = TestUpstream.Answering("never");
        await using var proxy = await ProxyHarness.StartAsync(Config(upstream.Port, "request_timeout: 0.4s"));

        using var client = await RawConnection.Open(proxy.Port("main"));
        await client.Send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n");
        for (var i = 0; i < 20 && !client.Closed; i++)
        {
            try
            {
                await client.Send("x");
            }
            catch (IOException)
            {
                break;
            }
            if (await client.ReadUntil("request timeout", TimeSpan.FromMilliseconds(100)))
            {
                break;
            }
        }

        Assert.StartsWith("HTTP/1.1 408", client.Received);
        Assert.EndsWith("request timeout", client.Received);
        Assert.Equal(1, proxy.Stat("http.ingress_http.downstream_rq_timeout"));
    }

    [Fact]
    public async Task Slowloris_is_cut_at_request_headers_timeout_and_other_clients_are_served_meanwhile()
    {
        await using var upstream = TestUpstream.Answering("fast");
        await using var proxy = await ProxyHarness.StartAsync(Config(upstream.Port, "request_headers_timeout: 0.5s"));
        var port = proxy.Port("main");

        using var slow = await RawConnection.Open(port);
        var watch = Stopwatch.StartNew();
        var header = "GET / HTTP/1.1\r\nHost: a\r\nx-slow: 0123456789\r\n";
        var trickle = Task.Run(async () =>
        {
            foreach (var c in header)
            {
                try
                {
                    await slow.Send(c.ToString());
                }
                catch (IOException)
                {
                    return;
                }
                await Task.Delay(50);
            }
        });
        for (var i = 0; i < 5; i++)
        {
            var fast = await RawHttp.Exchange(port, "GET / HTTP/1.1\r\nHost: a\r\nconnection: close\r\n\r\n");
            Assert.EndsWith("fast", fast);
        }

        Assert.True(await slow.ReadToClose(Wait));
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(3));
        Assert.StartsWith("HTTP/1.1 408", slow.Received);
        Assert.EndsWith("request header timeout", slow.Received);
        Assert.Equal(1, proxy.Stat("http.ingress_http.downstream_rq_header_timeout"));
        Assert.Equal(5, upstream.Requests);
        await trickle;
    }

    [Fact]
    public async Task Idle_keep_alive_connection_is_closed_at_idle_timeout()
    {
        await using var upstream = TestUpstream.Answering("ok");
        await using var proxy = await ProxyHarness.StartAsync(Config(upstream.Port, "common_http_protocol_options:\n  idle_timeout: 0.3s"));

        using var client = await RawConnection.Open(proxy.Port("main"));
        await client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.True(await client.ReadUntil("\r\n\r\nok", Wait));
        var watch = Stopwatch.StartNew();

        Assert.True(await client.ReadToClose(Wait));
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(3));
        Assert.Equal(1, proxy.Stat("http.ingress_http.downstream_cx_idle_timeout"));
    }

    [Fact]
    public async Task Header_limits_come_from_the_config()
    {
        await using var upstream = TestUpstream.Answering("ok");
        await using var proxy = await ProxyHarness.StartAsync(Config(upstream.Port, "max_request_headers_kb: 1\ncommon_http_protocol_options:\n  max_headers_count: 5"));
        var port = proxy.Port("main");

        var big = await RawHttp.Exchange(port, $"GET / HTTP/1.1\r\nHost: a\r\nx-big: {new string('a', 1100)}\r\n\r\n");
        var many = await RawHttp.Exchange(port, "GET / HTTP/1.1\r\nHost: a\r\n" + string.Concat(Enumerable.Range(0, 5).Select(i => $"x-{i}: v\r\n")) + "\r\n");
        var fine = await RawHttp.Exchange(port, "GET / HTTP/1.1\r\nHost: a\r\nx-0: v\r\nconnection: close\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 431", big);
        Assert.StartsWith("HTTP/1.1 431", many);
        Assert.StartsWith("HTTP/1.1 200", fine);
        Assert.Equal(1, upstream.Requests);
    }
}
