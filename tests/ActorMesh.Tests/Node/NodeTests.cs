using System.Net;
using System.Net.Sockets;
using ActorMesh.Tests.Support;
using Xunit;

namespace ActorMesh.Tests.Node;

/// <summary>The <c>actormesh</c> executable itself: validate mode, serving, graceful shutdown on SIGTERM.</summary>
public sealed class NodeTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "Config", name);

    [Fact]
    public async Task Validate_mode_accepts_a_good_file_and_rejects_a_bad_one_with_path_and_line()
    {
        using var good = NodeProcess.Start("--mode", "validate", "-c", Fixture("seed-v2.yaml"));
        Assert.Equal(0, await good.WaitForExit(TimeSpan.FromSeconds(60)));
        Assert.Contains("OK", good.Stdout);

        var bad = Path.Combine(Path.GetTempPath(), $"actormesh-bad-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(bad, "static_resources:\n  listeners:\n  - name: x\n    bogus_field: 1\n");
        try
        {
            using var node = NodeProcess.Start("--mode", "validate", "-c", bad);
            Assert.NotEqual(0, await node.WaitForExit(TimeSpan.FromSeconds(60)));
            Assert.Contains("static_resources.listeners[0].bogus_field (line 4): unknown field", node.Stderr);
        }
        finally
        {
            File.Delete(bad);
        }
    }

    [Fact]
    public async Task Serve_mode_with_an_invalid_file_exits_nonzero_and_binds_nothing()
    {
        var port = FreePort();
        var bad = Path.Combine(Path.GetTempPath(), $"actormesh-bad-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(bad, ListenerOn(ProxyHarness.SimpleConfig(1), port) + "bogus: 1\n");
        try
        {
            using var node = NodeProcess.Start("-c", bad);
            Assert.NotEqual(0, await node.WaitForExit(TimeSpan.FromSeconds(60)));
            Assert.Contains("bogus (line", node.Stderr);
            using var probe = new TcpListener(IPAddress.Loopback, port);
            probe.Start();
        }
        finally
        {
            File.Delete(bad);
        }
    }

    [Fact]
    public async Task Sigterm_lets_an_in_flight_slow_request_finish_then_exits_zero()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = TestUpstream.Start(async (_, s) =>
        {
            await release.Task;
            await TestUpstream.WriteResponse(s, 200, "slow but complete");
        });
        var port = FreePort();
        var config = Path.Combine(Path.GetTempPath(), $"actormesh-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(config, ListenerOn(ProxyHarness.SimpleConfig(upstream.Port), port));
        try
        {
            using var node = NodeProcess.Start("-c", config);
            await node.WaitForOutput("listener main on", TimeSpan.FromSeconds(60));
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            var inFlight = client.GetStringAsync($"http://127.0.0.1:{port}/slow");
            await upstream.FirstRequest.Task.WaitAsync(TimeSpan.FromSeconds(10));

            node.SendSigterm();
            // Once shutdown starts, a new connection is closed unserved while the slow request is still in flight.
            await AwaitUnserved(port);
            release.SetResult();

            string answer;
            try
            {
                answer = await inFlight;
            }
            catch (HttpRequestException e)
            {
                throw new Xunit.Sdk.XunitException($"in-flight request failed: {e.Message}\nnode stdout:\n{node.Stdout}\nnode stderr:\n{node.Stderr}");
            }
            Assert.Equal("slow but complete", answer);
            Assert.Equal(0, await node.WaitForExit(TimeSpan.FromSeconds(30)));
        }
        finally
        {
            File.Delete(config);
        }
    }

    [Fact]
    public async Task The_seeds_config_runs_unchanged()
    {
        var seed = SharedFiles.RootPath is { } root ? Path.Combine(root, "seed", "service-envoy.yaml") : null;
        if (seed is null || !File.Exists(seed) || Environment.UserName != "root" || !PortFree(80) || !PortFree(8081) || !PortFree(8080))
        {
            // Needs the shared seed, root (port 80) and its fixed ports free; CI runs as root with shared/ beside.
            return;
        }
        await using var upstream = TestUpstream.StartOn(8080, (r, s) => TestUpstream.WriteResponse(s, 200, "service says " + r.Target));
        using var node = NodeProcess.Start("-c", seed);
        await node.WaitForOutput("admin on", TimeSpan.FromSeconds(60));
        using var client = new HttpClient();

        Assert.Equal("service says /service/x", await client.GetStringAsync("http://127.0.0.1/service/x"));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("http://127.0.0.1/")).StatusCode);
        var stats = await client.GetStringAsync("http://127.0.0.1:8081/stats");
        Assert.Contains("http.ingress_http.downstream_rq_total: 2", stats);
        Assert.Contains("http.ingress_http.downstream_rq_2xx: 1", stats);
        Assert.Contains("http.ingress_http.downstream_rq_4xx: 1", stats);
        Assert.Contains("cluster.local_service.upstream_rq_total: 1", stats);
        node.SendSigterm();
        Assert.Equal(0, await node.WaitForExit(TimeSpan.FromSeconds(30)));
    }

    /// <summary>Puts the listener (the first port 0 in the config) on <paramref name="port"/>; the admin stays ephemeral.</summary>
    private static string ListenerOn(string yaml, int port)
    {
        var at = yaml.IndexOf("port_value: 0 }", StringComparison.Ordinal);
        return yaml[..at] + $"port_value: {port} }}" + yaml[(at + "port_value: 0 }".Length)..];
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static bool PortFree(int port)
    {
        try
        {
            using var l = new TcpListener(IPAddress.Any, port);
            l.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static async Task AwaitUnserved(int port)
    {
        var deadline = Environment.TickCount64 + 10_000;
        while (Environment.TickCount64 < deadline)
        {
            try
            {
                var answer = await RawHttp.Exchange(port, "GET /new HTTP/1.1\r\nHost: a\r\n\r\n", TimeSpan.FromSeconds(2));
                if (answer.Length == 0)
                {
                    return;
                }
            }
            catch (SocketException)
            {
                return;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException("listener still serving new connections after SIGTERM");
    }
}
