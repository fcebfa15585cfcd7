using System.Net;
using ActorMesh.Tests.Support;
using Xunit;

namespace ActorMesh.Tests.Hosting;

/// <summary>Config versions applied one after another while clients keep sending: not one request may fail.</summary>
public sealed class RollingUpdateTests
{
    private const int Clients = 4;
    private const int MaxRequestsPerClient = 20_000;
    private const int Versions = 10;
    private static readonly TimeSpan MaxLoopTime = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Ten_versions_applied_under_load_lose_no_request()
    {
        await using var a = TestUpstream.Answering("a");
        await using var b = TestUpstream.Answering("b");
        await using var extra = TestUpstream.Answering("extra");
        await using var proxy = await ProxyHarness.StartAsync(VersionConfigs.Routing("a", ("a", a.Port), ("b", b.Port)));
        using var admin = new AdminClient(proxy.AdminPort);
        var url = $"http://127.0.0.1:{proxy.Port("main")}/";
        var load = new Load();
        using var stop = new CancellationTokenSource(MaxLoopTime);
        // Half the clients keep their connections, half open new ones every few requests: both must survive a swap.
        var clients = Enumerable.Range(0, Clients)
            .Select(i => Task.Run(() => Client(url, load, churn: i % 2 == 1, stop.Token)))
            .ToArray();

        var expected = "a";
        for (var version = 2; version <= Versions + 1; version++)
        {
            await load.WaitForMore(25, TimeSpan.FromSeconds(10));
            expected = version % 2 == 0 ? "b" : "a";
            // Every other version also adds or drops a cluster no route uses, so clusters come and go too.
            var clusters = new List<(string, int)> { ("a", a.Port), ("b", b.Port) };
            if (version % 4 < 2)
            {
                clusters.Add(("extra", extra.Port));
            }
            var (status, body) = await admin.PostConfig(VersionConfigs.Routing(expected, [.. clusters]));
            Assert.True(status == HttpStatusCode.OK, $"version {version}: {(int)status} {body}");
        }
        await load.WaitForMore(100, TimeSpan.FromSeconds(10));
        stop.Cancel();
        await Task.WhenAll(clients);

        Assert.True(load.Errors.IsEmpty, $"{load.Errors.Count} socket errors, first: {load.Errors.FirstOrDefault()}");
        Assert.Equal(0, load.Non2xx);
        Assert.True(load.Ok >= 250, $"only {load.Ok} requests completed");
        using var fresh = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        Assert.Equal(expected, await fresh.GetStringAsync(url));
        Assert.Contains("\"config_version\": \"11\"", await admin.Get("/server_info"));
        Assert.Equal(Versions, proxy.Stat("listener_manager.listener_modified"));
        Assert.Equal(0, proxy.Stat("listener_manager.lds.update_rejected"));
    }

    private static async Task Client(string url, Load load, bool churn, CancellationToken stop)
    {
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = churn ? TimeSpan.FromMilliseconds(100) : Timeout.InfiniteTimeSpan };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
        for (var i = 0; i < MaxRequestsPerClient && !stop.IsCancellationRequested; i++)
        {
            try
            {
                using var response = await client.GetAsync(url, CancellationToken.None);
                await response.Content.ReadAsStringAsync(CancellationToken.None);
                load.Count(response.IsSuccessStatusCode);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                load.Errors.Add(e.GetBaseException().Message);
            }
        }
    }

    private sealed class Load
    {
        private int _ok;
        private int _non2xx;

        public int Ok => Volatile.Read(ref _ok);
        public int Non2xx => Volatile.Read(ref _non2xx);
        public System.Collections.Concurrent.ConcurrentBag<string> Errors { get; } = [];

        public void Count(bool success) => Interlocked.Increment(ref success ? ref _ok : ref _non2xx);

        /// <summary>Waits until <paramref name="more"/> further requests have completed, so each version meets traffic.</summary>
        public async Task WaitForMore(int more, TimeSpan timeout)
        {
            var target = Ok + Non2xx + more;
            Assert.True(await VersionConfigs.Eventually(() => Task.FromResult(Ok + Non2xx + Errors.Count >= target), timeout), "the load stalled");
        }
    }
}
