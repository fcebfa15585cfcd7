using System.Net;
using System.Net.Sockets;
using System.Text;
using ActorMesh.Tests.Support;
using Xunit;

namespace ActorMesh.Tests.Listeners;

/// <summary>What the proxy adds, removes and relays: forwarding headers, server, Expect, 1xx, upgrades, underscores.</summary>
public sealed class HttpSemanticsTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    private static string Config(int port, string hcmOptions, string? routes = null) => ProxyHarness.ConfigWith(
        routes ?? "routes:\n- match: { prefix: \"/\" }\n  route: { cluster: backend }", [port], hcmOptions: hcmOptions);

    private static Task<(TestUpstream Upstream, List<UpstreamRequest> Seen)> Recording(Func<UpstreamRequest, Stream, Task>? answer = null)
    {
        var seen = new List<UpstreamRequest>();
        var upstream = TestUpstream.Start(async (request, stream) =>
        {
            lock (seen)
            {
                seen.Add(request);
            }
            await (answer?.Invoke(request, stream) ?? TestUpstream.WriteResponse(stream, 200, "ok", "server: upstream-server"));
        });
        return Task.FromResult((upstream, seen));
    }

    [Fact]
    public async Task Edge_proxy_appends_xff_sets_external_address_and_strips_internal_only_headers()
    {
        var (upstream, seen) = await Recording();
        await using var _ = upstream;
        await using var proxy = await ProxyHarness.StartAsync(Config(upstream.Port, "use_remote_address: true"));

        var response = await RawHttp.Exchange(proxy.Port("main"),
            "GET / HTTP/1.1\r\nHost: a\r\nx-forwarded-for: 203.0.113.7\r\nx-forwarded-proto: https\r\nx-envoy-retry-on: 5xx\r\n"
            + "x-envoy-internal: true\r\nx-request-id: client-chosen\r\nconnection: close\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 200", response);
        var request = Assert.Single(seen);
        Assert.Equal("203.0.113.7, 127.0.0.1", request.Header("x-forwarded-for"));
        Assert.Equal("127.0.0.1", request.Header("x-envoy-external-address"));
        Assert.Equal("http", request.Header("x-forwarded-proto"));
        Assert.Null(request.Header("x-envoy-retry-on"));
        Assert.Null(request.Header("x-envoy-internal"));
        Assert.NotEqual("client-chosen", request.Header("x-request-id"));
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", request.Header("x-request-id")!);
    }

    [Fact]
    public async Task Preserve_external_request_id_keeps_the_clients_id_at_the_edge()
    {
        var (upstream, seen) = await Recording();
        await using var _ = upstream;
        await using var proxy = await ProxyHarness.StartAsync(Config(upstream.Port, "use_remote_address: true\npreserve_external_request_id: true"));

        // XFF makes the request external even from 127.0.0.1, which Envoy counts as internal.
        await RawHttp.Exchange(proxy.Port("main"), "GET / HTTP/1.1\r\nHost: a\r\nx-forwarded-for: 203.0.113.7\r\nx-request-id: client-chosen\r\nconnection: close\r\n\r\n");

        Assert.Equal("client-chosen", Assert.Single(seen).Header("x-request-id"));
    }

    [Fact]
    public async Task Transparent_mode_leaves_xff_alone_and_connection_cannot_strip_proxy_added_headers()
    {
        var (upstream, seen) = await Recording();
        await using var _ = upstream;
        await using var proxy = await ProxyHarness.StartAsync(Config(upstream.Port, "generate_request_id: true"));

        await RawHttp.Exchange(proxy.Port("main"),
            "GET / HTTP/1.1\r\nHost: a\r\nx-forwarded-for: 10.0.0.9\r\nConnection: close, x-forwarded-proto, x-request-id, x-envoy-internal\r\n\r\n");

        var request = Assert.Single(seen);
        Assert.Equal("10.0.0.9", request.Header("x-forwarded-for"));
        Assert.Equal("http", request.Header("x-forwarded-proto"));
        Assert.NotNull(request.Header("x-request-id"));
        // One internal (RFC 1918) address in XFF makes the request internal.
        Assert.Equal("true", request.Header("x-envoy-internal"));
        Assert.Null(request.Header("x-envoy-external-address"));
    }

    [Fact]
    public async Task Generate_request_id_false_adds_none()
    {
        var (upstream, seen) = await Recording();
        await using var _ = upstream;
        await using var proxy = await ProxyHarness.StartAsync(Config(upstream.Port, "generate_request_id: false"));

        await RawHttp.Exchange(proxy.Port("main"), "GET / HTTP/1.1\r\nHost: a\r\nconnection: close\r\n\r\n");

        Assert.Null(Assert.Single(seen).Header("x-request-id"));
    }

    [Theory]
    [InlineData("server_name: edge-7", "edge-7")]
    [InlineData("server_name: edge-7\nserver_header_transformation: APPEND_IF_ABSENT", "upstream-server")]
    [InlineData("server_header_transformation: PASS_THROUGH", "upstream-server")]
    public async Task Server_header_follows_server_name_and_its_transformation(string options, string expected)
    {
        var (upstream, _) = await Recording();
        await using var __ = upstream;
        await using var proxy = await ProxyHarness.StartAsync(Config(upstream.Port, options));

        var response = await RawHttp.Exchange(proxy.Port("main"), "GET / HTTP/1.1\r\nHost: a\r\nconnection: close\r\n\r\n");

        Assert.Contains($"\r\nserver: {expected}\r\n", response);
        Assert.Equal(2, response.Split("\r\nserver:").Length);
    }

    [Fact]
    public async Task Expect_100_continue_is_answered_by_the_proxy_and_not_forwarded()
    {
        var (upstream, seen) = await Recording();
        await using var _ = upstream;
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.SimpleConfig(upstream.Port));

        using var client = await RawConnection.Open(proxy.Port("main"));
        await client.Send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
        Assert.True(await client.ReadUntil("HTTP/1.1 100 Continue\r\n\r\n", Wait), client.Received);
        Assert.DoesNotContain(seen, r => r.Body.Length > 0);
        await client.Send("hello");
        Assert.True(await client.ReadUntil("\r\n\r\nok", Wait), client.Received);

        var request = Assert.Single(seen);
        Assert.Equal("hello", Encoding.ASCII.GetString(request.Body));
        Assert.Null(request.Header("expect"));
        Assert.Single(client.Received.Split("100 Continue").Skip(1));
    }

    [Fact]
    public async Task Expect_on_a_request_answered_locally_closes_instead_of_waiting_for_a_body()
    {
        var (upstream, seen) = await Recording();
        await using var _ = upstream;
        await using var proxy = await ProxyHarness.StartAsync(Config(upstream.Port, "use_remote_address: false",
            "routes:\n- match: { path: \"/only\" }\n  route: { cluster: backend }"));

        using var client = await RawConnection.Open(proxy.Port("main"));
        await client.Send("POST /elsewhere HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");

        Assert.True(await client.ReadToClose(Wait));
        Assert.StartsWith("HTTP/1.1 404", client.Received);
        Assert.DoesNotContain("100 Continue", client.Received);
        Assert.Empty(seen);
    }

    [Fact]
    public async Task Proxy_100_continue_forwards_expect_and_relays_the_upstreams_100()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var upstreamPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        var upstreamSaw = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var upstreamTask = Task.Run(async () =>
        {
            using var conn = await listener.AcceptTcpClientAsync();
            var stream = conn.GetStream();
            var head = await ReadHead(stream);
            upstreamSaw.TrySetResult(head);
            await stream.WriteAsync("HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray());
            var body = new byte[5];
            await stream.ReadExactlyAsync(body);
            await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n" + Encoding.ASCII.GetString(body)));
        });
        await using var proxy = await ProxyHarness.StartAsync(Config(upstreamPort, "proxy_100_continue: true"));

        using var client = await RawConnection.Open(proxy.Port("main"));
        await client.Send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
        var seenHead = await upstreamSaw.Task.WaitAsync(Wait);
        Assert.Contains("\r\nExpect: 100-continue\r\n", seenHead, StringComparison.OrdinalIgnoreCase);
        Assert.True(await client.ReadUntil("100 Continue\r\n\r\n", Wait), client.Received);
        await client.Send("hello");
        Assert.True(await client.ReadUntil("\r\n\r\nhello", Wait), client.Received);
        Assert.Equal(2, client.Received.Split("100 Continue").Length);
        await upstreamTask.WaitAsync(Wait);
    }

    [Theory]
    [InlineData("HTTP/1.1", true)]
    [InlineData("HTTP/1.0", false)]
    public async Task Early_hints_are_relayed_to_http11_clients_only(string version, bool relayed)
    {
        var (upstream, _) = await Recording(async (_, stream) =>
        {
            await TestUpstream.WriteRaw(stream, "HTTP/1.1 103 Early Hints\r\nlink: </a.css>; rel=preload\r\n\r\n");
            await TestUpstream.WriteResponse(stream, 200, "final");
        });
        await using var __ = upstream;
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.SimpleConfig(upstream.Port));

        var response = await RawHttp.Exchange(proxy.Port("main"), $"GET / {version}\r\nHost: a\r\nconnection: close\r\n\r\n");

        Assert.Equal(relayed, response.StartsWith("HTTP/1.1 103 Early Hints\r\nlink: </a.css>; rel=preload\r\n\r\n", StringComparison.Ordinal));
        Assert.Contains(" 200 ", response);
        Assert.EndsWith("final", response);
    }

    [Fact]
    public async Task A_101_nobody_asked_for_is_a_502()
    {
        var (upstream, _) = await Recording((_, stream) =>
            TestUpstream.WriteRaw(stream, "HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: upgrade\r\n\r\n"));
        await using var __ = upstream;
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.SimpleConfig(upstream.Port));

        var response = await RawHttp.Exchange(proxy.Port("main"), "GET / HTTP/1.1\r\nHost: a\r\nconnection: close\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 502", response);
    }

    [Fact]
    public async Task Websocket_upgrade_tunnels_bytes_both_ways_when_enabled()
    {
        var (upstream, seen) = await Recording(async (_, stream) =>
        {
            await TestUpstream.WriteRaw(stream, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nsec-websocket-accept: abc\r\n\r\n");
            var buffer = new byte[1024];
            int n;
            while ((n = await stream.ReadAsync(buffer)) > 0)
            {
                var text = Encoding.ASCII.GetString(buffer, 0, n);
                await stream.WriteAsync(Encoding.ASCII.GetBytes("echo:" + text));
            }
        });
        await using var __ = upstream;
        await using var proxy = await ProxyHarness.StartAsync(Config(upstream.Port, "upgrade_configs:\n- upgrade_type: websocket"));

        using var client = await RawConnection.Open(proxy.Port("main"));
        await client.Send("GET /chat HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: k\r\n\r\n");
        Assert.True(await client.ReadUntil("\r\n\r\n", Wait), client.Received);
        Assert.StartsWith("HTTP/1.1 101 Switching Protocols\r\n", client.Received);
        Assert.Contains("\r\nconnection: upgrade\r\n", client.Received);
        Assert.Contains("\r\nupgrade: websocket\r\n", client.Received);

        await client.Send("frame-1");
        Assert.True(await client.ReadUntil("echo:frame-1", Wait), client.Received);
        await client.Send("GET / HTTP/1.1\r\n\r\n");
        Assert.True(await client.ReadUntil("echo:GET / HTTP/1.1\r\n\r\n", Wait), client.Received);

        var request = Assert.Single(seen);
        Assert.Equal("upgrade", request.Header("connection"));
        Assert.Equal("websocket", request.Header("upgrade"));
        Assert.Equal("k", request.Header("sec-websocket-key"));
        Assert.Equal(1, proxy.Stat("http.ingress_http.downstream_cx_upgrades_total"));
        Assert.Equal(1, proxy.Stat("http.ingress_http.downstream_cx_upgrades_active"));

        client.ShutdownSend();
        Assert.True(await client.ReadToClose(Wait));
        await WaitFor(() => proxy.Stat("http.ingress_http.downstream_cx_upgrades_active") == 0);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("upgrade_configs:\n- upgrade_type: websocket\n  enabled: false")]
    public async Task Upgrade_not_enabled_for_the_route_is_403_and_closes_without_reaching_the_upstream(string? routeUpgrade)
    {
        var (upstream, seen) = await Recording();
        await using var _ = upstream;
        var routes = "routes:\n- match: { prefix: \"/\" }\n  route:\n    cluster: backend\n"
            + (routeUpgrade is null ? string.Empty : ProxyHarness.Indent(routeUpgrade, 4));
        var hcm = routeUpgrade is null ? "generate_request_id: true" : "upgrade_configs:\n- upgrade_type: websocket";
        await using var proxy = await ProxyHarness.StartAsync(Config(upstream.Port, hcm, routes.TrimEnd('\n')));

        using var client = await RawConnection.Open(proxy.Port("main"));
        await client.Send("GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n");

        Assert.True(await client.ReadToClose(Wait));
        Assert.StartsWith("HTTP/1.1 403", client.Received);
        Assert.Single(client.Received.Split("HTTP/1.1 ").Skip(1));
        Assert.Empty(seen);
        Assert.Equal(1, proxy.Stat("http.ingress_http.downstream_rq_ws_on_non_ws_route"));
    }

    [Fact]
    public async Task Headers_with_underscores_are_rejected_or_dropped_as_configured()
    {
        var (upstream, seen) = await Recording();
        await using var _ = upstream;
        await using var rejecting = await ProxyHarness.StartAsync(Config(upstream.Port, "common_http_protocol_options:\n  headers_with_underscores_action: REJECT_REQUEST"));
        await using var dropping = await ProxyHarness.StartAsync(Config(upstream.Port, "common_http_protocol_options:\n  headers_with_underscores_action: DROP_HEADER"));
        const string request = "GET / HTTP/1.1\r\nHost: a\r\nx_user: admin\r\nx-ok: 1\r\nconnection: close\r\n\r\n";

        var rejected = await RawHttp.Exchange(rejecting.Port("main"), request);
        Assert.StartsWith("HTTP/1.1 400", rejected);
        Assert.Empty(seen);
        Assert.Equal(1, rejecting.Stat("http.ingress_http.requests_rejected_with_underscores_in_headers"));

        var dropped = await RawHttp.Exchange(dropping.Port("main"), request);
        Assert.StartsWith("HTTP/1.1 200", dropped);
        var forwarded = Assert.Single(seen);
        Assert.Null(forwarded.Header("x_user"));
        Assert.Equal("1", forwarded.Header("x-ok"));
        Assert.Equal(1, dropping.Stat("http.ingress_http.dropped_headers_with_underscores"));
    }

    [Fact]
    public async Task A_small_per_connection_buffer_limit_still_streams_a_large_body_intact()
    {
        var (upstream, seen) = await Recording();
        await using var _ = upstream;
        var config = ProxyHarness.SimpleConfig(upstream.Port).Replace("  - name: main\n", "  - name: main\n    per_connection_buffer_limit_bytes: 1024\n");
        await using var proxy = await ProxyHarness.StartAsync(config);
        var body = string.Concat(Enumerable.Range(0, 20_000).Select(i => (char)('a' + (i % 26))));

        var response = await RawHttp.Exchange(proxy.Port("main"), $"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: {body.Length}\r\nconnection: close\r\n\r\n{body}");

        Assert.StartsWith("HTTP/1.1 200", response);
        Assert.Equal(body, Encoding.ASCII.GetString(Assert.Single(seen).Body));
    }

    private static async Task<string> ReadHead(Stream stream)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && head.Length < 16 * 1024)
        {
            if (await stream.ReadAsync(one) == 0)
            {
                break;
            }
            head.Append((char)one[0]);
        }
        return head.ToString();
    }

    internal static async Task WaitFor(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(20);
        }
    }
}
