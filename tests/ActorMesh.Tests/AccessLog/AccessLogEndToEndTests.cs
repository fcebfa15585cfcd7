using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using ActorMesh.Tests.Support;
using Xunit;

namespace ActorMesh.Tests.AccessLog;

/// <summary>Requests through a real proxy, lines in a real file: the request path fills StreamInfo and logs it.</summary>
public sealed class AccessLogEndToEndTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private readonly string _dir = Directory.CreateTempSubdirectory("actormesh-accesslog-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string LogPath => Path.Combine(_dir, "access.log");

    private string Config(int upstreamPort, string? logFormat, string routes = "routes:\n- match: { prefix: \"/\" }\n  name: to-backend\n  route: { cluster: backend }") =>
        ProxyHarness.ConfigWith(routes, [upstreamPort], hcmOptions:
            "access_log:\n- name: envoy.access_loggers.file\n  typed_config:\n"
            + "    \"@type\": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog\n"
            + $"    path: {LogPath}\n"
            + (logFormat is null ? string.Empty : ProxyHarness.Indent(logFormat, 4)));

    private async Task<string[]> Lines(int count)
    {
        var lines = await LogFile.Lines(LogPath, count, Wait);
        Assert.Equal(count, lines.Length);
        return lines;
    }

    [Fact]
    public async Task Default_format_logs_each_request_as_envoy_does()
    {
        await using var upstream = TestUpstream.Answering("hello");
        await using var proxy = await ProxyHarness.StartAsync(Config(upstream.Port, null));

        await RawHttp.Exchange(proxy.Port("main"),
            "POST /items?x=1 HTTP/1.1\r\nHost: shop\r\nUser-Agent: curl/8\r\nx-request-id: rid-1\r\nContent-Length: 3\r\nconnection: close\r\n\r\nabc");

        var line = Assert.Single(await Lines(1));
        var pattern = new Regex(
            "^\\[\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\\] \"POST /items\\?x=1 HTTP/1\\.1\" 200 - 3 5 \\d+ \\d+ \"-\" \"curl/8\" \"rid-1\" \"shop\" \""
            + Regex.Escape($"127.0.0.1:{upstream.Port}") + "\"$");
        Assert.Matches(pattern, line);
    }

    [Fact]
    public async Task Response_flags_and_codes_of_local_replies_are_logged()
    {
        // A port with nothing listening: connect failure (UF).
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var closedPort = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var routes = "routes:\n- match: { path: \"/down\" }\n  route: { cluster: backend }";
        await using var proxy = await ProxyHarness.StartAsync(Config(closedPort,
            "log_format:\n  text_format_source:\n    inline_string: \"%RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS% %ROUTE_NAME% %UPSTREAM_CLUSTER%\\n\"", routes));
        var port = proxy.Port("main");

        await RawHttp.Exchange(port, "GET /down HTTP/1.1\r\nHost: a\r\nconnection: close\r\n\r\n");
        await Lines(1);
        await RawHttp.Exchange(port, "GET /nowhere HTTP/1.1\r\nHost: a\r\nconnection: close\r\n\r\n");
        await Lines(2);
        await RawHttp.Exchange(port, "GET /down HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n");
        var lines = await Lines(3);

        Assert.Equal("503 UF upstream_reset_before_response_started{connection_failure} - backend", lines[0]);
        Assert.Equal("404 NR route_not_found - -", lines[1]);
        Assert.Equal("400 DPE http1.codec_error - -", lines[2]);
    }

    [Fact]
    public async Task Json_format_types_numbers_and_reads_request_and_response_headers()
    {
        await using var upstream = TestUpstream.Start((_, s) => TestUpstream.WriteResponse(s, 201, "made", "x-app: v2"));
        await using var proxy = await ProxyHarness.StartAsync(Config(upstream.Port,
            "log_format:\n  json_format:\n    status: \"%RESPONSE_CODE%\"\n    path: \"%REQ(:PATH)%\"\n    app: \"%RESP(X-APP)%\"\n    sent: \"%BYTES_SENT%\"\n    route: \"%ROUTE_NAME%\"\n    client: \"%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%\""));

        await RawHttp.Exchange(proxy.Port("main"), "GET /a/b HTTP/1.1\r\nHost: a\r\nconnection: close\r\n\r\n");

        using var json = JsonDocument.Parse(Assert.Single(await Lines(1)));
        var root = json.RootElement;
        Assert.Equal(201, root.GetProperty("status").GetInt32());
        Assert.Equal("/a/b", root.GetProperty("path").GetString());
        Assert.Equal("v2", root.GetProperty("app").GetString());
        Assert.Equal(4, root.GetProperty("sent").GetInt32());
        Assert.Equal("to-backend", root.GetProperty("route").GetString());
        Assert.Equal("127.0.0.1", root.GetProperty("client").GetString());
    }

    [Fact]
    public async Task Route_timeout_is_logged_with_UT_and_a_client_that_leaves_early_with_DC()
    {
        var release = new TaskCompletionSource();
        await using var upstream = TestUpstream.Start(async (_, _) => await release.Task);
        var routes = "routes:\n- match: { prefix: \"/slow\" }\n  route: { cluster: backend, timeout: 0.2s }\n- match: { prefix: \"/\" }\n  route: { cluster: backend, timeout: 0s }";
        await using var proxy = await ProxyHarness.StartAsync(Config(upstream.Port,
            "log_format:\n  text_format_source:\n    inline_string: \"%RESPONSE_CODE% %RESPONSE_FLAGS%\\n\"", routes));
        var port = proxy.Port("main");

        var timedOut = await RawHttp.Exchange(port, "GET /slow HTTP/1.1\r\nHost: a\r\nconnection: close\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 504", timedOut);
        await Lines(1);
        using (var client = await RawConnection.Open(port))
        {
            await client.Send("GET /other HTTP/1.1\r\nHost: a\r\n\r\n");
            await upstream.FirstRequest.Task.WaitAsync(Wait);
            await WaitUntil(() => upstream.Requests == 2);
            client.Reset();
        }
        var lines = await Lines(2);
        release.SetResult();

        Assert.Equal("504 UT", lines[0]);
        Assert.Equal("0 DC", lines[1]);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        Assert.True(condition());
    }
}
