using ActorMesh.Http;
using ActorMesh.Tests.Listeners;
using ActorMesh.Tests.Support;
using Xunit;

namespace ActorMesh.Tests.Http;

/// <summary>
/// Upstreams that answer badly, over real sockets. A malformed response head is a 502 to the client (Envoy's body for
/// an upstream protocol error), the upstream connection is closed and never pooled (the next request needs a new
/// accept), and the client's connection stays usable. A reset before the head is Envoy's 503 (<c>UC</c>); a reset after
/// it can only be passed on by closing the client's connection.
/// </summary>
public sealed class UpstreamResponseConformanceTests
{
    private const string Ok = "HTTP/1.1 200 OK\r\n";
    private const string Request = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";

    [Theory]
    [InlineData("HTTP/1.1 2OO OK\r\ncontent-length: 2\r\n\r\nok")]
    [InlineData("HTTP/1.1 20 OK\r\ncontent-length: 2\r\n\r\nok")]
    [InlineData("HTTP/1.1 099 Early\r\ncontent-length: 2\r\n\r\nok")]
    [InlineData("HTTP/1.1  200 OK\r\ncontent-length: 2\r\n\r\nok")]
    [InlineData("HTTP/2 200 OK\r\ncontent-length: 2\r\n\r\nok")]
    [InlineData("http/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")]
    [InlineData("ICY 200 OK\r\ncontent-length: 2\r\n\r\nok")]
    [InlineData("HTTP/1.1 200 O\rK\r\ncontent-length: 2\r\n\r\nok")]
    [InlineData("hello\r\n\r\n")]
    public Task Invalid_status_line_is_502(string response) => AssertBadGateway(response);

    [Theory]
    [InlineData(Ok + "content-length: 2\r\ncontent-length: 3\r\n\r\nok")]
    [InlineData(Ok + "content-length: 2\r\ncontent-length: 2\r\n\r\nok")]
    [InlineData(Ok + "content-length: 2, 3\r\n\r\nok")]
    [InlineData(Ok + "content-length: -1\r\n\r\nok")]
    [InlineData(Ok + "content-length: +2\r\n\r\nok")]
    public Task Conflicting_or_invalid_content_length_is_502(string response) => AssertBadGateway(response);

    [Theory]
    [InlineData(Ok + "transfer-encoding: chunked\r\n\r\nzz\r\nok\r\n0\r\n\r\n")]
    [InlineData(Ok + "transfer-encoding: chunked\r\n\r\n2\r\nokXX\r\n0\r\n\r\n")]
    [InlineData(Ok + "transfer-encoding: chunked\r\n\r\n2\nok\r\n0\r\n\r\n")]
    [InlineData(Ok + "transfer-encoding: chunked\r\n\r\n2\rok\r\n0\r\n\r\n")]
    [InlineData(Ok + "transfer-encoding: chunked\r\n\r\n10000000000000000\r\nok\r\n0\r\n\r\n")]
    public Task Bad_chunking_in_the_first_read_is_502(string response) => AssertBadGateway(response);

    [Theory]
    [InlineData(Ok + "x-a: 1\r\n folded\r\ncontent-length: 2\r\n\r\nok")]
    [InlineData(Ok + "x-a: 1\r\n\tfolded\r\ncontent-length: 2\r\n\r\nok")]
    [InlineData(Ok + "x-a: a\rb\r\ncontent-length: 2\r\n\r\nok")]
    [InlineData(Ok + "x-a: a\u0000b\r\ncontent-length: 2\r\n\r\nok")]
    [InlineData(Ok + "x a: 1\r\ncontent-length: 2\r\n\r\nok")]
    [InlineData("HTTP/1.1 200 OK\ncontent-length: 2\n\nok")]
    [InlineData(Ok + "x-a: 1\ncontent-length: 2\r\n\r\nok")]
    public Task Obs_fold_bare_cr_bare_lf_or_bad_field_is_502(string response) => AssertBadGateway(response);

    // Envoy's codec checks framing the same way for responses as for requests; upstream it is a protocol error.
    [Theory]
    [InlineData(Ok + "content-length: 2\r\ntransfer-encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n")]
    [InlineData(Ok + "transfer-encoding: chunked\r\ncontent-length: 2\r\n\r\n2\r\nok\r\n0\r\n\r\n")]
    [InlineData(Ok + "transfer-encoding: gzip, chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n")]
    [InlineData(Ok + "transfer-encoding: identity\r\n\r\nok")]
    [InlineData("HTTP/1.1 204 No Content\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n")]
    [InlineData("HTTP/1.1 204 No Content\r\ncontent-length: 2\r\n\r\nok")]
    public Task Content_length_with_transfer_encoding_or_a_non_chunked_coding_is_502(string response) => AssertBadGateway(response);

    // Envoy reads upstream heads with the same limits (60 KiB, 100 headers); past them it is a protocol error.
    [Theory]
    [InlineData(1, 61 * 1024)]
    [InlineData(101, 1)]
    public Task Oversized_response_head_is_502(int headers, int valueLength) =>
        AssertBadGateway(Ok + string.Concat(Enumerable.Range(0, headers).Select(i => $"x-h{i}: {new string('v', valueLength)}\r\n"))
            + "content-length: 2\r\n\r\nok");

    [Theory]
    [InlineData(false, "")]
    [InlineData(true, "")]
    [InlineData(true, "HTTP/1.1 200 OK\r\ncontent-len")]
    [InlineData(false, "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n")]
    public async Task A_close_or_reset_before_the_head_is_503_connection_termination(bool reset, string partialHead)
    {
        await using var upstream = RecordingUpstream.Start(async e =>
        {
            if (e.Request.Index > 0)
            {
                await e.Send(RecordingUpstream.DefaultResponse);
                return;
            }
            if (partialHead.Length > 0)
            {
                await e.Send(partialHead);
            }
            if (reset)
            {
                e.Reset();
            }
            else
            {
                e.Close();
            }
        });
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.SimpleConfig(upstream.Port));
        using var client = await PipelinedClient.Open(proxy.Port("main"));

        await client.Send(Request);
        var response = await client.ReadResponse();

        Assert.NotNull(response);
        Assert.Equal(503, response.Status);
        Assert.Equal(LocalReply.ConnectionTermination, response.Body);
        await AssertNextRequestNeedsANewUpstreamConnection(client, upstream);
        Assert.Equal(1, proxy.Stat("http.ingress_http.downstream_rq_5xx"));
    }

    [Theory]
    [InlineData(Ok + "content-length: 10\r\n\r\nabc", "abc")]
    [InlineData(Ok + "transfer-encoding: chunked\r\n\r\n3\r\nabc\r\n", "abc")]
    [InlineData(Ok + "\r\nabc", "abc")]
    public async Task A_reset_after_the_head_closes_the_client_connection_too(string partial, string seen)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = RecordingUpstream.Start(async e =>
        {
            if (e.Request.Index > 0)
            {
                await e.Send(RecordingUpstream.DefaultResponse);
                return;
            }
            await e.Send(partial);
            // Resetting only once the client holds the head: a reset that overtook it would be the 503 case instead.
            await release.Task.WaitAsync(TimeSpan.FromSeconds(5));
            e.Reset();
        });
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.SimpleConfig(upstream.Port));
        using var client = await PipelinedClient.Open(proxy.Port("main"));

        await client.Send(Request);
        Assert.True(await client.ReadUntil(seen), "the response head and first bytes never reached the client");
        release.SetResult();
        var (closed, received) = await client.ReadToEnd();

        Assert.True(closed, "the client connection stayed open after the upstream reset mid-response");
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", received);
        Assert.DoesNotContain("0\r\n\r\n", received);
        await HttpConnectionManagerTests.AwaitCondition(() => upstream.ClosedConnections == 1);
        using var next = await PipelinedClient.Open(proxy.Port("main"));
        await AssertNextRequestNeedsANewUpstreamConnection(next, upstream);
    }

    [Fact]
    public async Task Bad_chunking_after_the_head_went_out_closes_both_connections()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = RecordingUpstream.Start(async e =>
        {
            if (e.Request.Index > 0)
            {
                await e.Send(RecordingUpstream.DefaultResponse);
                return;
            }
            await e.Send(Ok + "transfer-encoding: chunked\r\n\r\n3\r\nabc\r\n");
            await release.Task.WaitAsync(TimeSpan.FromSeconds(5));
            await e.Send("zz\r\n");
        });
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.SimpleConfig(upstream.Port));
        using var client = await PipelinedClient.Open(proxy.Port("main"));

        await client.Send(Request);
        Assert.True(await client.ReadUntil("abc"));
        release.SetResult();
        var (closed, received) = await client.ReadToEnd();

        Assert.True(closed, "the client connection stayed open after an invalid chunk");
        Assert.DoesNotContain("0\r\n\r\n", received);
        await HttpConnectionManagerTests.AwaitCondition(() => upstream.ClosedConnections == 1);
        using var next = await PipelinedClient.Open(proxy.Port("main"));
        await AssertNextRequestNeedsANewUpstreamConnection(next, upstream);
    }

    private static async Task AssertBadGateway(string badResponse)
    {
        await using var upstream = RecordingUpstream.Start(e =>
            e.Send(e.Request.Index == 0 ? badResponse : RecordingUpstream.DefaultResponse));
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.SimpleConfig(upstream.Port));
        using var client = await PipelinedClient.Open(proxy.Port("main"));

        await client.Send(Request);
        var response = await client.ReadResponse();

        Assert.NotNull(response);
        Assert.Equal(502, response.Status);
        Assert.Equal(LocalReply.ProtocolError, response.Body);
        await HttpConnectionManagerTests.AwaitCondition(() => upstream.ClosedConnections == 1);
        // The client did nothing wrong: its connection stays open for the next request.
        await AssertNextRequestNeedsANewUpstreamConnection(client, upstream);
        Assert.Equal(1, proxy.Stat("http.ingress_http.downstream_rq_5xx"));
        Assert.Equal(0, proxy.Stat("http.ingress_http.downstream_cx_protocol_error"));
    }

    private static async Task AssertNextRequestNeedsANewUpstreamConnection(PipelinedClient client, RecordingUpstream upstream)
    {
        await client.Send(Request);
        var next = await client.ReadResponse();
        Assert.NotNull(next);
        Assert.Equal(200, next.Status);
        Assert.Equal("ok", next.Body);
        Assert.Equal(2, upstream.Accepts);
        Assert.NotEqual(upstream.Requests[0].Connection, upstream.Requests[1].Connection);
    }
}
