using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using ActorMesh.Hosting;
using ActorMesh.Http;
using ActorMesh.Listeners;
using ActorMesh.Tests.Support;
using Xunit;

namespace ActorMesh.Tests.Listeners;

/// <summary>The data path end to end: real clients, the proxy on 127.0.0.1, real upstream servers.</summary>
public sealed class HttpConnectionManagerTests
{
    private static HttpClient Client() => new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) }) { Timeout = TimeSpan.FromSeconds(30) };

    [Theory]
    [InlineData(SocketEdge.Socket)]
    [InlineData(SocketEdge.AkkaIo)]
    public async Task Proxies_a_request_and_returns_the_upstream_answer(SocketEdge edge)
    {
        await using var upstream = TestUpstream.Start((r, s) => TestUpstream.WriteResponse(s, 200, $"{r.Method} {r.Target} xfp={r.Header("x-forwarded-proto")}"));
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.SimpleConfig(upstream.Port), new ServerOptions { SocketEdge = edge });
        using var client = Client();

        var response = await client.GetAsync($"http://127.0.0.1:{proxy.Port("main")}/service/x?q=1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("GET /service/x?q=1 xfp=http", await response.Content.ReadAsStringAsync());
        Assert.Equal("actormesh", response.Headers.Server.ToString());
        Assert.True(response.Headers.Contains("x-envoy-upstream-service-time"));
    }

    [Fact]
    public async Task Routes_by_prefix_and_path_first_match_wins_and_unmatched_is_404()
    {
        await using var upstream = TestUpstream.Start((r, s) => TestUpstream.WriteResponse(s, 200, r.Target));
        var routes = "routes:\n- match: { path: \"/exact\" }\n  route: { cluster: backend }\n- match: { prefix: \"/api/\" }\n  route: { cluster: backend }";
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.ConfigWith(routes, new[] { upstream.Port }));
        using var client = Client();
        var port = proxy.Port("main");

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"http://127.0.0.1:{port}/exact")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"http://127.0.0.1:{port}/exact?x=1")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"http://127.0.0.1:{port}/exact/more")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"http://127.0.0.1:{port}/api/v1")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"http://127.0.0.1:{port}/")).StatusCode);

        Assert.Equal(3, upstream.Requests);
        Assert.Equal(2, proxy.Stat("http.ingress_http.no_route"));
        Assert.Equal(2, proxy.Stat("http.ingress_http.downstream_rq_4xx"));
    }

    [Fact]
    public async Task Round_robin_over_three_upstreams_splits_thirty_requests_ten_each()
    {
        var counts = new int[3];
        var upstreams = Enumerable.Range(0, 3).Select(i => TestUpstream.Start((_, s) =>
        {
            Interlocked.Increment(ref counts[i]);
            return TestUpstream.WriteResponse(s, 200, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        })).ToArray();
        try
        {
            await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.SimpleConfig(upstreams.Select(u => u.Port).ToArray()));
            using var client = Client();
            for (var i = 0; i < 30; i++)
            {
                var response = await client.GetAsync($"http://127.0.0.1:{proxy.Port("main")}/");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
            Assert.Equal(new[] { 10, 10, 10 }, counts);
        }
        finally
        {
            foreach (var u in upstreams)
            {
                await u.DisposeAsync();
            }
        }
    }

    [Theory]
    [InlineData(SocketEdge.Socket)]
    [InlineData(SocketEdge.AkkaIo)]
    public async Task Fifty_sequential_requests_use_one_upstream_connection(SocketEdge edge)
    {
        await using var upstream = TestUpstream.Answering("ok");
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.SimpleConfig(upstream.Port), new ServerOptions { SocketEdge = edge });
        using var client = Client();
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal("ok", await client.GetStringAsync($"http://127.0.0.1:{proxy.Port("main")}/"));
        }
        Assert.Equal(50, upstream.Requests);
        Assert.Equal(1, upstream.Accepts);
        Assert.Equal(1, proxy.Stat("cluster.backend.upstream_cx_total"));
    }

    [Theory]
    [InlineData(SocketEdge.Socket)]
    [InlineData(SocketEdge.AkkaIo)]
    public async Task Chunked_request_body_reaches_the_upstream_and_a_chunked_response_comes_back(SocketEdge edge)
    {
        await using var upstream = TestUpstream.Start(async (r, s) =>
        {
            var body = Encoding.ASCII.GetString(r.Body);
            await TestUpstream.WriteRaw(s, $"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\necho:\r\n{body.Length:x}\r\n{body}\r\n0\r\n\r\n");
        });
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.SimpleConfig(upstream.Port), new ServerOptions { SocketEdge = edge });

        var raw = await RawHttp.Exchange(proxy.Port("main"),
            "POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n4\r\nWiki\r\n6\r\npedia!\r\n0\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 200 OK\r\n", raw);
        Assert.Contains("transfer-encoding: chunked\r\n", raw);
        Assert.EndsWith("0\r\n\r\n", raw);
        Assert.Contains("echo:", raw);
        Assert.Contains("Wikipedia!", raw);
    }

    [Theory]
    [InlineData(SocketEdge.Socket)]
    [InlineData(SocketEdge.AkkaIo)]
    public async Task Content_length_request_body_is_forwarded_intact(SocketEdge edge)
    {
        var payload = RandomNumberGenerator.GetBytes(300_000);
        await using var upstream = TestUpstream.Start((r, s) => TestUpstream.WriteResponse(s, 200, Convert.ToHexString(SHA256.HashData(r.Body))));
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.SimpleConfig(upstream.Port), new ServerOptions { SocketEdge = edge });
        using var client = Client();

        var response = await client.PostAsync($"http://127.0.0.1:{proxy.Port("main")}/", new ByteArrayContent(payload));

        Assert.Equal(Convert.ToHexString(SHA256.HashData(payload)), await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(SocketEdge.Socket)]
    [InlineData(SocketEdge.AkkaIo)]
    public async Task A_hundred_MiB_response_streams_through_with_bounded_memory(SocketEdge edge)
    {
        const long size = 100L * 1024 * 1024;
        await using var upstream = TestUpstream.Start(async (_, s) =>
        {
            await TestUpstream.WriteRaw(s, $"HTTP/1.1 200 OK\r\ncontent-length: {size}\r\n\r\n");
            var block = new byte[64 * 1024];
            for (long sent = 0; sent < size; sent += block.Length)
            {
                await s.WriteAsync(block);
            }
        });
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.SimpleConfig(upstream.Port), new ServerOptions { SocketEdge = edge });
        using var client = Client();
        GC.Collect();
        var before = GC.GetTotalMemory(true);
        long peak = 0;

        using var response = await client.GetAsync($"http://127.0.0.1:{proxy.Port("main")}/big", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[64 * 1024];
        long received = 0;
        int n;
        while ((n = await body.ReadAsync(buffer)) > 0)
        {
            received += n;
            if (received % (8 * 1024 * 1024) < n)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(false) - before);
            }
        }

        Assert.Equal(size, received);
        // Everything (client, proxy, upstream) shares this process: a proxy that buffered the body would hold 100 MiB.
        Assert.True(peak < 64L * 1024 * 1024, $"managed heap grew by {peak / (1024 * 1024)} MiB while streaming");
    }

    [Theory]
    [InlineData(SocketEdge.Socket)]
    [InlineData(SocketEdge.AkkaIo)]
    public async Task Head_response_has_no_body_and_the_connection_stays_usable(SocketEdge edge)
    {
        await using var upstream = TestUpstream.Start((r, s) => r.Method == "HEAD"
            ? TestUpstream.WriteRaw(s, "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n")
            : TestUpstream.WriteResponse(s, 200, "hello"));
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.SimpleConfig(upstream.Port), new ServerOptions { SocketEdge = edge });

        var raw = await RawHttp.Exchange(proxy.Port("main"), "HEAD / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");

        var responses = raw.Split("HTTP/1.1 200 ", StringSplitOptions.RemoveEmptyEntries);
        Assert.True(responses.Length == 2, raw);
        Assert.Equal(2, responses.Length);
        Assert.EndsWith("\r\n\r\n", responses[0]);
        Assert.Contains("content-length: 5", responses[0]);
        Assert.EndsWith("\r\n\r\nhello", responses[1]);
    }

    [Theory]
    [InlineData(SocketEdge.Socket)]
    [InlineData(SocketEdge.AkkaIo)]
    public async Task Pipelined_requests_are_answered_in_order_and_a_half_close_still_gets_its_answers(SocketEdge edge)
    {
        await using var upstream = TestUpstream.Start((r, s) => TestUpstream.WriteResponse(s, 200, "answer" + r.Target));
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.SimpleConfig(upstream.Port), new ServerOptions { SocketEdge = edge });
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, proxy.Port("main"));
        var stream = client.GetStream();

        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nPOST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabcGET /3 HTTP/1.1\r\nHost: a\r\n\r\n"));
        client.Client.Shutdown(SocketShutdown.Send);
        var received = new MemoryStream();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await stream.CopyToAsync(received, cts.Token);
        var raw = Encoding.ASCII.GetString(received.ToArray());

        var first = raw.IndexOf("answer/1", StringComparison.Ordinal);
        var second = raw.IndexOf("answer/2", StringComparison.Ordinal);
        var third = raw.IndexOf("answer/3", StringComparison.Ordinal);
        Assert.True(first >= 0 && second > first && third > second, raw);
        Assert.Equal(3, upstream.Requests);
    }

    [Theory]
    [InlineData(SocketEdge.Socket)]
    [InlineData(SocketEdge.AkkaIo)]
    public async Task A_client_that_never_closes_after_connection_close_is_cut_after_the_delayed_close_timeout(SocketEdge edge)
    {
        await using var upstream = TestUpstream.Answering("bye");
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.SimpleConfig(upstream.Port), new ServerOptions { SocketEdge = edge });
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, proxy.Port("main"));
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"));

        // The proxy's FIN ends the response; the client keeps its side open and says nothing more.
        var received = new MemoryStream();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await stream.CopyToAsync(received, cts.Token);
        Assert.EndsWith("\r\n\r\nbye", Encoding.ASCII.GetString(received.ToArray()));

        await AwaitCondition(() => proxy.Stat("http.ingress_http.downstream_cx_active") == 0);
    }

    [Theory]
    [InlineData(SocketEdge.Socket)]
    [InlineData(SocketEdge.AkkaIo)]
    public async Task Http10_and_connection_close_are_honoured(SocketEdge edge)
    {
        await using var upstream = TestUpstream.Answering("hi");
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.SimpleConfig(upstream.Port), new ServerOptions { SocketEdge = edge });

        var http10 = await RawHttp.Exchange(proxy.Port("main"), "GET / HTTP/1.0\r\nHost: a\r\n\r\n");
        var close = await RawHttp.Exchange(proxy.Port("main"), "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");

        // RawHttp reads until the proxy closes: both answers arriving whole proves the proxy closed after them.
        Assert.StartsWith("HTTP/1.0 200 ", http10);
        Assert.EndsWith("\r\n\r\nhi", http10);
        Assert.Contains("connection: close", close);
        Assert.EndsWith("\r\n\r\nhi", close);
    }

    [Fact]
    public async Task Closed_upstream_port_gives_503_with_envoys_connect_failure_text()
    {
        int closedPort;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            closedPort = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.SimpleConfig(closedPort));
        using var client = Client();

        var response = await client.GetAsync($"http://127.0.0.1:{proxy.Port("main")}/");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(LocalReply.ConnectFailure, await response.Content.ReadAsStringAsync());
        Assert.Equal(1, proxy.Stat("cluster.backend.upstream_cx_connect_fail"));
        Assert.Equal(1, proxy.Stat("http.ingress_http.downstream_rq_5xx"));
    }

    [Fact]
    public async Task Unresolvable_strict_dns_cluster_is_empty_and_answers_no_healthy_upstream()
    {
        var config = ProxyHarness.ConfigWith("routes:\n- match: { prefix: \"/\" }\n  route: { cluster: backend }", new[] { 80 }, "STRICT_DNS", "does-not-exist.invalid");
        await using var proxy = await ProxyHarness.StartAsync(config);
        using var client = Client();

        var response = await client.GetAsync($"http://127.0.0.1:{proxy.Port("main")}/");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(LocalReply.NoHealthyUpstream, await response.Content.ReadAsStringAsync());
        Assert.Equal(0, proxy.Stat("cluster.backend.membership_total"));
    }

    [Fact]
    public async Task Strict_dns_cluster_resolves_localhost()
    {
        await using var upstream = TestUpstream.Answering("dns");
        var config = ProxyHarness.ConfigWith("routes:\n- match: { prefix: \"/\" }\n  route: { cluster: backend }", new[] { upstream.Port }, "strict_dns", "localhost");
        await using var proxy = await ProxyHarness.StartAsync(config);
        using var client = Client();

        Assert.Equal("dns", await client.GetStringAsync($"http://127.0.0.1:{proxy.Port("main")}/"));
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\n\r\n", 400)]
    [InlineData("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505)]
    [InlineData("GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\nhello", 400)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400)]
    public async Task Malformed_request_gets_4xx_and_never_reaches_the_upstream(string request, int status)
    {
        await using var upstream = TestUpstream.Answering("should not be seen");
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.SimpleConfig(upstream.Port));

        var raw = await RawHttp.Exchange(proxy.Port("main"), request);

        Assert.StartsWith($"HTTP/1.1 {status} ", raw);
        Assert.Contains("connection: close", raw);
        Assert.Equal(0, upstream.Requests);
        Assert.Equal(1, proxy.Stat("http.ingress_http.downstream_cx_protocol_error"));
    }

    [Fact]
    public async Task Unparseable_upstream_response_gives_502_and_the_connection_is_not_pooled()
    {
        await using var upstream = TestUpstream.Start((_, s) => TestUpstream.WriteRaw(s, "HTTP/1.1 2OO OK\r\ncontent-length: 0\r\n\r\n"));
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.SimpleConfig(upstream.Port));
        using var client = Client();

        Assert.Equal(HttpStatusCode.BadGateway, (await client.GetAsync($"http://127.0.0.1:{proxy.Port("main")}/")).StatusCode);
        Assert.Equal(HttpStatusCode.BadGateway, (await client.GetAsync($"http://127.0.0.1:{proxy.Port("main")}/")).StatusCode);
        Assert.Equal(2, upstream.Accepts);
    }

    [Theory]
    [InlineData(SocketEdge.Socket)]
    [InlineData(SocketEdge.AkkaIo)]
    public async Task One_bad_connection_does_not_disturb_another(SocketEdge edge)
    {
        await using var upstream = TestUpstream.Answering("fine");
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.SimpleConfig(upstream.Port), new ServerOptions { SocketEdge = edge });
        using var client = Client();
        var port = proxy.Port("main");

        using var bad = new TcpClient();
        await bad.ConnectAsync(IPAddress.Loopback, port);
        await bad.GetStream().WriteAsync(Encoding.ASCII.GetBytes("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\npartial"));
        var good = await client.GetStringAsync($"http://127.0.0.1:{port}/");
        bad.Client.Close();
        var garbage = await RawHttp.Exchange(port, "\u0001\u0002garbage\r\n\r\n");
        var stillGood = await client.GetStringAsync($"http://127.0.0.1:{port}/");

        Assert.Equal("fine", good);
        Assert.StartsWith("HTTP/1.1 400 ", garbage);
        Assert.Equal("fine", stillGood);
    }

    [Theory]
    [InlineData(SocketEdge.Socket)]
    [InlineData(SocketEdge.AkkaIo)]
    public async Task Listener_without_filters_closes_every_connection(SocketEdge edge)
    {
        var yaml = "static_resources:\n  listeners:\n  - name: empty\n    address: { socket_address: { address: 127.0.0.1, port_value: 0 } }\n    filter_chains:\n    - filters: []\n";
        await using var proxy = await ProxyHarness.StartAsync(yaml, new ServerOptions { SocketEdge = edge });

        var raw = await RawHttp.Exchange(proxy.Port("empty"), "GET / HTTP/1.1\r\nHost: a\r\n\r\n");

        Assert.Equal(string.Empty, raw);
    }

    [Theory]
    [InlineData(SocketEdge.Socket)]
    [InlineData(SocketEdge.AkkaIo)]
    public async Task Stats_count_exactly_the_traffic_sent(SocketEdge edge)
    {
        await using var upstream = TestUpstream.Answering("x");
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.SimpleConfig(upstream.Port), new ServerOptions { SocketEdge = edge });
        var port = proxy.Port("main");

        for (var i = 0; i < 7; i++)
        {
            await RawHttp.Exchange(port, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
        }
        await RawHttp.Exchange(port, "GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
        await AwaitCondition(() => proxy.Stat("http.ingress_http.downstream_cx_active") == 0);

        Assert.Equal(9, proxy.Stat("http.ingress_http.downstream_rq_total"));
        Assert.Equal(9, proxy.Stat("http.ingress_http.downstream_rq_2xx"));
        Assert.Equal(8, proxy.Stat("http.ingress_http.downstream_cx_total"));
        Assert.Equal(8, proxy.Stat("listener.127.0.0.1_0.downstream_cx_total"));
        Assert.Equal(9, proxy.Stat("cluster.backend.upstream_rq_total"));
        Assert.Equal(1, proxy.Stat("cluster.backend.upstream_cx_total"));
        Assert.Equal(1, proxy.Stat("cluster.backend.membership_total"));
        Assert.Equal(1, proxy.Stat("server.live"));
    }

    internal static async Task AwaitCondition(Func<bool> condition, int timeoutMs = 5000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (!condition())
        {
            if (Environment.TickCount64 > deadline)
            {
                throw new TimeoutException("condition not met in time");
            }
            await Task.Delay(20);
        }
    }
}
