using System.Net;
using ActorMesh.Tests.Support;
using Xunit;
using static ActorMesh.Tests.Upstream.UpstreamTestKit;

namespace ActorMesh.Tests.Upstream;

/// <summary>
/// What an HTTP/2 upstream can do wrong, played by a scripted server: resets, GOAWAY, malformed responses, bad HPACK
/// and bytes that are not HTTP/2. Each gets Envoy's answer, flags and stats, and a broken connection is never reused.
/// </summary>
public sealed class Http2UpstreamErrorTests : IDisposable
{
    private const string Routes = "routes:\n- match: { prefix: \"/\" }\n  route: { cluster: backend }";
    private const uint NoError = 0x0;
    private const uint ProtocolError = 0x1;
    private const uint RefusedStream = 0x7;
    private const uint CompressionError = 0x9;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private readonly string _log = Path.Combine(Path.GetTempPath(), $"h2-errors-{Guid.NewGuid():N}.log");

    public void Dispose() => File.Delete(_log);

    private Task<ProxyHarness> Proxy(int port, string? routes = null) =>
        ProxyHarness.StartAsync(ProxyHarness.ConfigWith(routes ?? Routes, [port], clusterOptions: "http2_protocol_options: {}", hcmOptions: Http2Wire.AccessLog(_log)));

    private Task<bool> Logged(string line) => Until(() => File.Exists(_log) && File.ReadAllText(_log).Contains(line), Wait);

    private static async Task<(HttpStatusCode Status, string Body)> Get(ProxyHarness proxy, string path = "/")
    {
        using var client = new HttpClient();
        using var response = await client.GetAsync($"http://127.0.0.1:{proxy.Port("main")}{path}");
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Bytes_that_are_not_http2_are_a_502_protocol_error_and_the_connection_is_closed()
    {
        var closed = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = RawH2Upstream.Start(async connection =>
        {
            await connection.SendAsync("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"u8.ToArray());
            closed.SetResult(await connection.ClosedByPeerAsync());
        });
        await using var proxy = await Proxy(upstream.Port);

        var (status, body) = await Get(proxy);

        Assert.Equal(HttpStatusCode.BadGateway, status);
        Assert.Equal("upstream connect error or disconnect/reset before headers. reset reason: protocol error", body);
        Assert.True(await closed.Task.WaitAsync(Wait));
        Assert.Equal(1, proxy.Stat("cluster.backend.upstream_cx_protocol_error"));
        Assert.True(await Logged("502 UPE"), "no 502 UPE in the access log");
        Assert.True(await Until(() => proxy.Stat("cluster.backend.upstream_cx_active") == 0, Wait));
    }

    [Fact]
    public async Task A_goaway_below_the_stream_refuses_it_and_the_next_request_opens_a_new_connection()
    {
        await using var upstream = RawH2Upstream.Start(async connection =>
        {
            var stream = await connection.AcceptRequestAsync();
            if (connection.Index == 0)
            {
                await connection.SendAsync(Http2Wire.GoAway(0, NoError));
                await connection.ClosedByPeerAsync();
                return;
            }
            await connection.SendAsync(Http2Wire.Headers(stream, false, (":status", "200"), ("content-length", "2")), Http2Wire.Data(stream, "ok", true));
            await connection.ClosedByPeerAsync();
        });
        await using var proxy = await Proxy(upstream.Port);

        var refused = await Get(proxy);
        var next = await Get(proxy);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.Status);
        Assert.Equal("upstream connect error or disconnect/reset before headers. reset reason: remote refused stream reset", refused.Body);
        Assert.Equal((HttpStatusCode.OK, "ok"), next);
        Assert.Equal(2, upstream.Accepts);
        Assert.Equal(1, proxy.Stat("cluster.backend.upstream_cx_close_notify"));
        Assert.True(await Logged("503 UR"), "no 503 UR in the access log");
    }

    [Fact]
    public async Task A_refused_stream_is_retried_on_a_new_connection_under_retry_on_refused_stream()
    {
        await using var upstream = RawH2Upstream.Start(async connection =>
        {
            var stream = await connection.AcceptRequestAsync();
            if (connection.Index == 0)
            {
                await connection.SendAsync(Http2Wire.RstStream(stream, RefusedStream));
            }
            else
            {
                await connection.SendAsync(Http2Wire.Headers(stream, true, (":status", "204")));
            }
            await connection.ClosedByPeerAsync();
        });
        await using var proxy = await Proxy(upstream.Port,
            "routes:\n- match: { prefix: \"/\" }\n  route:\n    cluster: backend\n    retry_policy: { retry_on: refused-stream, num_retries: 1 }");

        var (status, _) = await Get(proxy);

        Assert.Equal(HttpStatusCode.NoContent, status);
        Assert.Equal(2, upstream.Accepts);
        Assert.Equal(1, proxy.Stat("cluster.backend.upstream_rq_retry"));
        Assert.Equal(1, proxy.Stat("cluster.backend.http2.rx_reset"));
    }

    [Fact]
    public async Task A_graceful_goaway_lets_the_stream_finish_and_retires_the_connection()
    {
        await using var upstream = RawH2Upstream.Start(async connection =>
        {
            var stream = await connection.AcceptRequestAsync();
            await connection.SendAsync(
                Http2Wire.GoAway(stream, NoError),
                Http2Wire.Headers(stream, false, (":status", "200")),
                Http2Wire.Data(stream, "last one", true));
            await connection.ClosedByPeerAsync();
        });
        await using var proxy = await Proxy(upstream.Port);

        Assert.Equal((HttpStatusCode.OK, "last one"), await Get(proxy));
        Assert.Equal((HttpStatusCode.OK, "last one"), await Get(proxy));

        Assert.Equal(2, upstream.Accepts);
        Assert.Equal(2, proxy.Stat("cluster.backend.upstream_cx_close_notify"));
        Assert.True(await Until(() => proxy.Stat("cluster.backend.upstream_cx_active") == 0, Wait));
    }

    [Fact]
    public async Task A_reset_after_the_response_head_resets_the_client_connection()
    {
        await using var upstream = RawH2Upstream.Start(async connection =>
        {
            var stream = await connection.AcceptRequestAsync();
            await connection.SendAsync(Http2Wire.Headers(stream, false, (":status", "200"), ("content-length", "100")), Http2Wire.Data(stream, "partial", false));
            await Task.Delay(100);
            await connection.SendAsync(Http2Wire.RstStream(stream, 0x2));
            await connection.ClosedByPeerAsync();
        });
        await using var proxy = await Proxy(upstream.Port);
        using var client = new HttpClient();

        using var response = await client.GetAsync($"http://127.0.0.1:{proxy.Port("main")}/", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Assert.ThrowsAnyAsync<Exception>(() => response.Content.ReadAsByteArrayAsync());

        Assert.True(await Logged("200 UR"), "no 200 UR in the access log");
        Assert.Equal(1, proxy.Stat("cluster.backend.http2.rx_reset"));
    }

    [Theory]
    [InlineData("X-Upper", "a")]
    [InlineData("connection", "close")]
    [InlineData("x-bad", "line\nbreak")]
    public async Task A_malformed_response_is_a_502_and_the_stream_is_reset(string name, string value)
    {
        var reset = new TaskCompletionSource<RawFrame?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = RawH2Upstream.Start(async connection =>
        {
            var stream = await connection.AcceptRequestAsync();
            await connection.SendAsync(Http2Wire.Headers(stream, true, (":status", "200"), (name, value)));
            reset.SetResult(await connection.NextAsync(RawFrame.RstStream));
            await connection.ClosedByPeerAsync();
        });
        await using var proxy = await Proxy(upstream.Port);

        var (status, body) = await Get(proxy);

        Assert.Equal(HttpStatusCode.BadGateway, status);
        Assert.Equal("upstream connect error or disconnect/reset before headers. reset reason: protocol error", body);
        Assert.Equal(ProtocolError, (await reset.Task.WaitAsync(Wait))!.ErrorCode);
        Assert.Equal(1, proxy.Stat("cluster.backend.http2.rx_messaging_error"));
        Assert.Equal(1, proxy.Stat("cluster.backend.http2.tx_reset"));
        Assert.True(await Logged("502 UPE"), "no 502 UPE in the access log");
    }

    [Fact]
    public async Task Invalid_hpack_ends_the_connection_with_a_compression_error()
    {
        var goAway = new TaskCompletionSource<RawFrame?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = RawH2Upstream.Start(async connection =>
        {
            var stream = await connection.AcceptRequestAsync();
            // Index 70 names a dynamic table entry that does not exist.
            await connection.SendAsync(Http2Wire.Frame(RawFrame.Headers, 0x5, stream, [0x80 | 70]));
            goAway.SetResult(await connection.NextAsync(RawFrame.GoAway));
            await connection.ClosedByPeerAsync();
        });
        await using var proxy = await Proxy(upstream.Port);

        var (status, _) = await Get(proxy);

        Assert.Equal(HttpStatusCode.BadGateway, status);
        Assert.Equal(CompressionError, (await goAway.Task.WaitAsync(Wait))!.ErrorCode);
        Assert.Equal(1, proxy.Stat("cluster.backend.upstream_cx_protocol_error"));
    }

    [Fact]
    public async Task Response_headers_over_60_KiB_in_continuation_frames_are_a_header_overflow()
    {
        await using var upstream = RawH2Upstream.Start(async connection =>
        {
            var stream = await connection.AcceptRequestAsync();
            var block = Http2Wire.Block((":status", "200"), ("x-huge", new string('h', 70 * 1024)));
            var frames = new List<byte[]>();
            for (var at = 0; at < block.Length; at += 16_384)
            {
                var piece = block.AsSpan(at, Math.Min(16_384, block.Length - at));
                var last = at + 16_384 >= block.Length;
                frames.Add(Http2Wire.Frame(at == 0 ? RawFrame.Headers : (byte)0x9, (byte)((last ? 0x4 : 0) | (at == 0 ? 0x1 : 0)), stream, piece));
            }
            await connection.SendAsync(frames.ToArray());
            await connection.ClosedByPeerAsync();
        });
        await using var proxy = await Proxy(upstream.Port);

        var (status, _) = await Get(proxy);

        Assert.Equal(HttpStatusCode.BadGateway, status);
        Assert.Equal(1, proxy.Stat("cluster.backend.http2.header_overflow"));
    }

    [Fact]
    public async Task A_ping_to_an_idle_pooled_connection_is_answered_and_the_connection_is_reused()
    {
        var pong = new TaskCompletionSource<RawFrame?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = RawH2Upstream.Start(async connection =>
        {
            var first = await connection.AcceptRequestAsync();
            await connection.SendAsync(Http2Wire.Headers(first, false, (":status", "200")), Http2Wire.Data(first, "one", true));
            await Task.Delay(200);
            await connection.SendAsync(Http2Wire.Ping(0x0102030405060708));
            pong.SetResult(await connection.NextAsync(RawFrame.Ping, f => f.Ack));
            var second = (await connection.NextAsync(RawFrame.Headers))!.StreamId;
            await connection.SendAsync(Http2Wire.Headers(second, false, (":status", "200")), Http2Wire.Data(second, "two", true));
            await connection.ClosedByPeerAsync();
        });
        await using var proxy = await Proxy(upstream.Port);

        Assert.Equal((HttpStatusCode.OK, "one"), await Get(proxy));
        var ack = await pong.Task.WaitAsync(Wait);
        Assert.Equal((HttpStatusCode.OK, "two"), await Get(proxy));

        Assert.Equal(Http2Wire.Ping(0x0102030405060708)[9..], ack!.Payload);
        Assert.Equal(1, upstream.Accepts);
        Assert.Empty(upstream.Errors);
    }
}
