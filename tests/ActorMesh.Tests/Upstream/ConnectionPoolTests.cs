using ActorMesh.Tests.Support;
using Xunit;
using static ActorMesh.Tests.Upstream.UpstreamTestKit;

namespace ActorMesh.Tests.Upstream;

public sealed class ConnectionPoolTests
{
    private const string Routes = "routes:\n- match: { prefix: \"/\" }\n  route: { cluster: backend }";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Idle_timeout_closes_an_idle_pooled_connection()
    {
        await using var upstream = TestUpstream.Answering("ok");
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.ConfigWith(Routes, [upstream.Port],
            clusterOptions: "typed_extension_protocol_options:\n  envoy.extensions.upstreams.http.v3.HttpProtocolOptions:\n"
                + "    \"@type\": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions\n"
                + "    common_http_protocol_options: { idle_timeout: 0.2s }\n"
                + "    explicit_http_config: { http_protocol_options: {} }"));
        using var client = new HttpClient();
        var url = $"http://127.0.0.1:{proxy.Port("main")}/";

        await client.GetStringAsync(url);
        await client.GetStringAsync(url);
        Assert.Equal(1, upstream.Accepts);

        Assert.True(await Until(() => proxy.Stat("cluster.backend.upstream_cx_idle_timeout") == 1, Wait));
        Assert.True(await Until(() => proxy.Stat("cluster.backend.upstream_cx_active") == 0, Wait));
        await client.GetStringAsync(url);
        Assert.Equal(2, upstream.Accepts);
    }

    [Fact]
    public async Task Max_requests_per_connection_opens_a_new_connection_after_the_limit()
    {
        await using var upstream = TestUpstream.Answering("ok");
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.ConfigWith(Routes, [upstream.Port],
            clusterOptions: "common_http_protocol_options: { idle_timeout: 60s }\nmax_requests_per_connection: 2"));
        using var client = new HttpClient();

        await Bodies(client, proxy.Port("main"), 4);

        Assert.Equal(2, upstream.Accepts);
        Assert.Equal(2, proxy.Stat("cluster.backend.upstream_cx_max_requests"));
    }

    [Fact]
    public async Task A_connection_whose_response_was_not_read_to_its_end_is_not_reused()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = TestUpstream.Start(async (request, s) =>
        {
            if (request.Target == "/partial")
            {
                await TestUpstream.WriteRaw(s, "HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\nfirst bytes");
                // Trickle the rest, so the proxy keeps writing to the client that is gone.
                for (var i = 0; i < 200 && !gate.Task.IsCompleted; i++)
                {
                    await Task.Delay(20);
                    await TestUpstream.WriteRaw(s, new string('x', 100));
                }
                return;
            }
            await TestUpstream.WriteResponse(s, 200, "whole");
        });
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.ConfigWith(Routes, [upstream.Port]));
        var url = $"http://127.0.0.1:{proxy.Port("main")}";
        using (var abandoning = new System.Net.Sockets.TcpClient())
        {
            await abandoning.ConnectAsync(System.Net.IPAddress.Loopback, proxy.Port("main"));
            var stream = abandoning.GetStream();
            await stream.WriteAsync("GET /partial HTTP/1.1\r\nhost: a\r\n\r\n"u8.ToArray());
            var buffer = new byte[1024];
            Assert.True(await stream.ReadAsync(buffer).AsTask().WaitAsync(Wait) > 0);
            // A reset mid-body, as a client that gives up does.
            abandoning.Client.LingerState = new System.Net.Sockets.LingerOption(true, 0);
        }
        // The downstream went away mid-body: the proxy must drop that upstream connection, not pool it.
        Assert.True(await Until(() => proxy.Stat("cluster.backend.upstream_cx_active") == 0, Wait));

        using var client = new HttpClient();
        Assert.Equal("whole", await client.GetStringAsync(url + "/"));
        Assert.Equal(2, upstream.Accepts);
        gate.SetResult();
    }

    [Fact]
    public async Task A_connection_that_answered_connection_close_is_not_reused()
    {
        await using var upstream = TestUpstream.Start((_, s) => TestUpstream.WriteResponse(s, 200, "bye", "connection: close"));
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.ConfigWith(Routes, [upstream.Port]));
        using var client = new HttpClient();

        var counts = await Bodies(client, proxy.Port("main"), 3);

        Assert.Equal(3, counts["bye"]);
        Assert.Equal(3, upstream.Accepts);
    }
}
