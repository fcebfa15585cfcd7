using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using ActorMesh.Tests.Support;
using Microsoft.AspNetCore.Http;
using Xunit;
using static ActorMesh.Tests.Upstream.UpstreamTestKit;

namespace ActorMesh.Tests.Upstream;

/// <summary>HTTP/1.1 clients through the proxy to clusters with <c>http2_protocol_options</c>, served by Kestrel over h2c.</summary>
public sealed class Http2UpstreamTests
{
    private const string Routes = "routes:\n- match: { prefix: \"/\" }\n  route: { cluster: backend }";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private static Task<ProxyHarness> Proxy(string http2Options = "http2_protocol_options: {}", params int[] ports) =>
        ProxyHarness.StartAsync(ProxyHarness.ConfigWith(Routes, ports, clusterOptions: http2Options));

    [Fact]
    public async Task A_get_reaches_the_upstream_over_http2_with_its_pseudo_headers_and_fields()
    {
        await using var upstream = await H2cUpstream.StartAsync(async context =>
        {
            context.Response.Headers["x-upstream"] = "kestrel";
            context.Response.ContentLength = 5;
            await context.Response.WriteAsync("hello");
        });
        await using var proxy = await Proxy(ports: upstream.Port);

        var response = await RawHttp.Exchange(proxy.Port("main"),
            "GET /some/path?q=1 HTTP/1.1\r\nHost: example.test:8080\r\nX-Custom: value\r\nConnection: close, x-hop\r\nX-Hop: gone\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\n\r\n",
            Wait);

        Assert.StartsWith("HTTP/1.1 200 OK\r\n", response);
        Assert.Contains("\r\ncontent-length: 5\r\n", response);
        Assert.Contains("\r\nx-upstream: kestrel\r\n", response);
        Assert.EndsWith("\r\n\r\nhello", response);
        var seen = Assert.Single(upstream.Requests);
        Assert.Equal("HTTP/2", seen.Protocol);
        Assert.Equal("GET", seen.Method);
        Assert.Equal("http", seen.Scheme);
        Assert.Equal("example.test:8080", seen.Authority);
        Assert.Equal("/some/path?q=1", seen.PathAndQuery);
        Assert.Equal("value", seen.Header("x-custom"));
        Assert.Equal("trailers", seen.Header("te"));
        Assert.Null(seen.Header("x-hop"));
        Assert.Null(seen.Header("keep-alive"));
        Assert.Null(seen.Header("connection"));
        Assert.NotNull(seen.Header("x-request-id"));
        Assert.Equal(1, proxy.Stat("cluster.backend.upstream_cx_http2_total"));
        Assert.Equal(0, proxy.Stat("cluster.backend.upstream_cx_http1_total"));
    }

    [Fact]
    public async Task A_post_body_reaches_the_upstream_and_its_answer_comes_back()
    {
        await using var upstream = await H2cUpstream.StartAsync(async context =>
        {
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            await context.Response.WriteAsync($"{context.Request.Method} {context.Request.ContentLength} {body}");
        });
        await using var proxy = await Proxy(ports: upstream.Port);
        using var client = new HttpClient();

        using var response = await client.PostAsync($"http://127.0.0.1:{proxy.Port("main")}/echo", new StringContent("ping-pong", Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // No content-length from the upstream: the proxy frames the body as chunked for the HTTP/1.1 client.
        Assert.True(response.Headers.TransferEncodingChunked);
        Assert.Equal("POST 9 ping-pong", await response.Content.ReadAsStringAsync());
        Assert.Equal("text/plain; charset=utf-8", Assert.Single(upstream.Requests).Header("content-type"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_8_MiB_response_flows_through_windows_of_64_KiB(bool withContentLength)
    {
        var body = RandomNumberGenerator.GetBytes(8 * 1024 * 1024);
        await using var upstream = await H2cUpstream.StartAsync(async context =>
        {
            if (withContentLength)
            {
                context.Response.ContentLength = body.Length;
            }
            for (var at = 0; at < body.Length; at += 100_000)
            {
                await context.Response.Body.WriteAsync(body.AsMemory(at, Math.Min(100_000, body.Length - at)));
            }
        });
        // The protocol's smallest windows: the body only flows if the proxy gives them back as it reads.
        await using var proxy = await Proxy("http2_protocol_options: { initial_stream_window_size: 65535, initial_connection_window_size: 65535 }", upstream.Port);
        using var client = new HttpClient();

        using var response = await client.GetAsync($"http://127.0.0.1:{proxy.Port("main")}/big", HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // Read before the body is buffered, after which HttpClient would compute a length itself.
        Assert.Equal(withContentLength ? body.Length : null, response.Content.Headers.ContentLength);
        Assert.Equal(!withContentLength, response.Headers.TransferEncodingChunked ?? false);
        Assert.Equal(SHA256.HashData(body), SHA256.HashData(await response.Content.ReadAsByteArrayAsync()));
        Assert.Equal(0, proxy.Stat("cluster.backend.http2.streams_active"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_8_MiB_request_body_streams_to_the_upstream(bool chunked)
    {
        var body = RandomNumberGenerator.GetBytes(8 * 1024 * 1024);
        await using var upstream = await H2cUpstream.StartAsync(async context =>
        {
            var hash = await SHA256.HashDataAsync(context.Request.Body);
            await context.Response.WriteAsync(Convert.ToHexString(hash));
        });
        await using var proxy = await Proxy(ports: upstream.Port);
        using var client = new HttpClient();
        var content = new StreamContent(new MemoryStream(body));
        if (!chunked)
        {
            content.Headers.ContentLength = body.Length;
        }
        using var request = new HttpRequestMessage(HttpMethod.Put, $"http://127.0.0.1:{proxy.Port("main")}/upload") { Content = content };
        request.Headers.TransferEncodingChunked = chunked;

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(body)), await response.Content.ReadAsStringAsync());
        var seen = Assert.Single(upstream.Requests);
        Assert.Equal(chunked ? null : body.Length.ToString(), seen.Header("content-length"));
        Assert.Null(seen.Header("transfer-encoding"));
    }

    [Fact]
    public async Task Trailers_end_the_response_which_reaches_the_client_whole_and_the_connection_is_reused()
    {
        await using var upstream = await H2cUpstream.StartAsync(async context =>
        {
            context.Response.DeclareTrailer("x-checksum");
            await context.Response.WriteAsync("body before trailers");
            context.Response.AppendTrailer("x-checksum", "abc123");
        });
        await using var proxy = await Proxy(ports: upstream.Port);
        using var client = new HttpClient();
        var url = $"http://127.0.0.1:{proxy.Port("main")}/t";

        for (var i = 0; i < 3; i++)
        {
            using var response = await client.GetAsync(url);
            Assert.Equal("body before trailers", await response.Content.ReadAsStringAsync());
            // Envoy drops trailers towards HTTP/1.1 clients unless enable_trailers is set, which ActorMesh lacks.
            Assert.Empty(response.TrailingHeaders);
        }

        Assert.Equal(1, upstream.Connections);
        Assert.Equal(3, proxy.Stat("cluster.backend.upstream_rq_200"));
    }

    [Fact]
    public async Task Many_requests_share_few_kept_alive_upstream_connections()
    {
        await using var upstream = await H2cUpstream.Answering("ok");
        await using var proxy = await Proxy(ports: upstream.Port);
        var port = proxy.Port("main");

        // Four clients, each with its own keep-alive connection to the proxy, 25 requests each.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            using var client = new HttpClient();
            for (var i = 0; i < 25; i++)
            {
                Assert.Equal("ok", await client.GetStringAsync($"http://127.0.0.1:{port}/"));
            }
        }));

        Assert.Equal(100, upstream.Requests.Count);
        Assert.InRange(upstream.Connections, 1, 4);
        Assert.Equal(upstream.Connections, proxy.Stat("cluster.backend.upstream_cx_http2_total"));
        Assert.Equal(100, proxy.Stat("cluster.backend.upstream_rq_total"));
        Assert.Equal(100, proxy.Stat("cluster.backend.upstream_rq_2xx"));
    }

    [Fact]
    public async Task Requests_alternate_round_robin_across_two_http2_upstreams()
    {
        await using var first = await H2cUpstream.Answering("first");
        await using var second = await H2cUpstream.Answering("second");
        await using var proxy = await Proxy("http2_protocol_options: {}", first.Port, second.Port);
        using var client = new HttpClient();

        var bodies = await Bodies(client, proxy.Port("main"), 10);

        Assert.Equal(5, bodies["first"]);
        Assert.Equal(5, bodies["second"]);
        Assert.All(first.Requests.Concat(second.Requests), r => Assert.Equal("HTTP/2", r.Protocol));
    }

    [Fact]
    public async Task A_stream_the_upstream_resets_before_its_response_is_a_503_remote_reset()
    {
        await using var upstream = await H2cUpstream.StartAsync(context =>
        {
            // Kestrel answers Abort with RST_STREAM (INTERNAL_ERROR).
            context.Abort();
            return Task.CompletedTask;
        });
        var log = Path.Combine(Path.GetTempPath(), $"h2-reset-{Guid.NewGuid():N}.log");
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.ConfigWith(Routes, [upstream.Port],
            clusterOptions: "http2_protocol_options: {}", hcmOptions: Http2Wire.AccessLog(log)));
        using var client = new HttpClient();

        using var response = await client.GetAsync($"http://127.0.0.1:{proxy.Port("main")}/");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("upstream connect error or disconnect/reset before headers. reset reason: remote reset", await response.Content.ReadAsStringAsync());
        Assert.Equal(1, proxy.Stat("cluster.backend.http2.rx_reset"));
        Assert.Equal(1, proxy.Stat("cluster.backend.upstream_rq_total"));
        Assert.True(await Until(() => File.Exists(log) && File.ReadAllText(log).Contains("503 UR"), Wait), "no 503 UR in the access log");
    }

    [Fact]
    public async Task A_head_request_gets_the_upstream_head_and_no_body()
    {
        await using var upstream = await H2cUpstream.StartAsync(context =>
        {
            context.Response.ContentLength = 1234;
            return Task.CompletedTask;
        });
        await using var proxy = await Proxy(ports: upstream.Port);
        using var client = new HttpClient();
        var url = $"http://127.0.0.1:{proxy.Port("main")}/";

        for (var i = 0; i < 2; i++)
        {
            using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, url));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(1234, response.Content.Headers.ContentLength);
        }
        Assert.Equal(1, upstream.Connections);
    }

    [Fact]
    public async Task A_route_timeout_answers_504_and_the_late_stream_never_reaches_the_client()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await H2cUpstream.StartAsync(async context =>
        {
            if (context.Request.Path == "/slow")
            {
                await release.Task.WaitAsync(Wait);
            }
            await context.Response.WriteAsync("late or not");
        });
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.ConfigWith(
            "routes:\n- match: { prefix: \"/\" }\n  route: { cluster: backend, timeout: 0.3s }", [upstream.Port], clusterOptions: "http2_protocol_options: {}"));
        using var client = new HttpClient();
        var url = $"http://127.0.0.1:{proxy.Port("main")}";

        using var timedOut = await client.GetAsync(url + "/slow");
        release.SetResult();

        Assert.Equal(HttpStatusCode.GatewayTimeout, timedOut.StatusCode);
        Assert.Equal("upstream request timeout", await timedOut.Content.ReadAsStringAsync());
        Assert.Equal(1, proxy.Stat("cluster.backend.upstream_rq_timeout"));
        // The abandoned stream's connection is closed, not pooled; the next request gets a fresh one.
        Assert.Equal("late or not", await client.GetStringAsync(url + "/fast"));
        Assert.Equal(2, upstream.Connections);
        Assert.True(await Until(() => proxy.Stat("cluster.backend.http2.streams_active") == 0, Wait));
    }

    [Fact]
    public async Task A_client_that_leaves_mid_body_takes_its_upstream_connection_with_it()
    {
        await using var upstream = await H2cUpstream.StartAsync(async context =>
        {
            await context.Response.WriteAsync("first bytes");
            await context.Response.Body.FlushAsync();
            for (var i = 0; i < 500 && !context.RequestAborted.IsCancellationRequested; i++)
            {
                await context.Response.WriteAsync(new string('x', 1000));
                await Task.Delay(10);
            }
        });
        await using var proxy = await Proxy(ports: upstream.Port);
        using (var abandoning = new System.Net.Sockets.TcpClient())
        {
            await abandoning.ConnectAsync(IPAddress.Loopback, proxy.Port("main"));
            var stream = abandoning.GetStream();
            await stream.WriteAsync("GET /partial HTTP/1.1\r\nhost: a\r\n\r\n"u8.ToArray());
            Assert.True(await stream.ReadAsync(new byte[1024]).AsTask().WaitAsync(Wait) > 0);
            abandoning.Client.LingerState = new System.Net.Sockets.LingerOption(true, 0);
        }

        Assert.True(await Until(() => proxy.Stat("cluster.backend.upstream_cx_active") == 0, Wait));
        Assert.True(await Until(() => proxy.Stat("cluster.backend.http2.streams_active") == 0, Wait));
    }

    [Fact]
    public async Task A_mirror_to_an_http2_cluster_sends_its_shadow_copy_over_http2()
    {
        var copy = new TaskCompletionSource<(string Protocol, string Host, string Body)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var shadow = await H2cUpstream.StartAsync(async context =>
        {
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            copy.TrySetResult((context.Request.Protocol, context.Request.Host.Value ?? "", body));
            await context.Response.WriteAsync("from the shadow");
        });
        await using var primary = TestUpstream.Answering("from the primary");
        var routes = "routes:\n- match: { prefix: / }\n  route: { cluster: primary, request_mirror_policies: [ { cluster: shadow } ] }";
        var yaml = Routing.RoutingYaml.Config(routes, new Dictionary<string, int> { ["primary"] = primary.Port, ["shadow"] = shadow.Port })
            .Replace("  - name: shadow\n    connect_timeout: 1s\n", "  - name: shadow\n    connect_timeout: 1s\n    http2_protocol_options: {}\n");
        await using var proxy = await ProxyHarness.StartAsync(yaml);
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{proxy.Port("main")}/orders") { Content = new StringContent("order 7") };
        request.Headers.Host = "shop.example";

        using var response = await client.SendAsync(request);

        Assert.Equal("from the primary", await response.Content.ReadAsStringAsync());
        Assert.Equal(("HTTP/2", "shop.example-shadow", "order 7"), await copy.Task.WaitAsync(Wait));
        Assert.True(await Until(() => proxy.StatOrZero("cluster.shadow.upstream_rq_200") == 1, Wait));
        Assert.Equal(1, proxy.Stat("cluster.shadow.upstream_cx_http2_total"));
    }

    [Fact]
    public async Task A_connect_failure_to_an_http2_cluster_is_a_503_connection_failure()
    {
        // Bound but never listening: refused for as long as the test holds it, and no one else can take the port.
        using var dead = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        dead.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        await using var proxy = await Proxy(ports: ((IPEndPoint)dead.LocalEndPoint!).Port);
        using var client = new HttpClient();

        using var response = await client.GetAsync($"http://127.0.0.1:{proxy.Port("main")}/");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("upstream connect error or disconnect/reset before headers. reset reason: connection failure", await response.Content.ReadAsStringAsync());
        Assert.Equal(1, proxy.Stat("cluster.backend.upstream_cx_connect_fail"));
        Assert.True(await Until(() => proxy.Stat("cluster.backend.upstream_cx_active") == 0, Wait));
    }
}
