using System.Net;
using ActorMesh.Tests.Support;
using Xunit;
using static ActorMesh.Tests.Upstream.UpstreamTestKit;

namespace ActorMesh.Tests.Upstream;

public sealed class OutlierDetectionTests
{
    private const string Routes = "routes:\n- match: { prefix: \"/\" }\n  route: { cluster: backend }";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Consecutive_5xx_ejects_a_host_and_base_ejection_time_brings_it_back()
    {
        var failing = new HealthSwitch { Healthy = false };
        await using var bad = TestUpstream.Start((_, s) => TestUpstream.WriteResponse(s, failing.Healthy ? 200 : 500, "bad"));
        await using var good = TestUpstream.Answering("good");
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.ConfigWith(Routes, [bad.Port, good.Port],
            clusterOptions: "outlier_detection:\n  consecutive_5xx: 3\n  interval: 0.1s\n  base_ejection_time: 0.5s\n  max_ejection_percent: 50"));
        var port = proxy.Port("main");
        using var client = new HttpClient();
        var admin = $"http://127.0.0.1:{proxy.AdminPort}/clusters";

        for (var i = 0; i < 6; i++)
        {
            (await client.GetAsync($"http://127.0.0.1:{port}/")).Dispose();
        }
        Assert.True(await Until(() => proxy.Stat("cluster.backend.outlier_detection.ejections_active") == 1, Wait));
        Assert.Equal(1, proxy.Stat("cluster.backend.outlier_detection.ejections_enforced_consecutive_5xx"));
        Assert.Equal(1, proxy.Stat("cluster.backend.outlier_detection.ejections_detected_consecutive_5xx"));
        Assert.Equal(1, proxy.Stat("cluster.backend.outlier_detection.ejections_enforced_total"));
        Assert.Equal(1, proxy.Stat("cluster.backend.membership_healthy"));
        Assert.Contains($"backend::127.0.0.1:{bad.Port}::health_flags::/failed_outlier_check", await client.GetStringAsync(admin));

        var whileEjected = await Bodies(client, port, 10);
        Assert.Equal(10, whileEjected["good"]);

        failing.Healthy = true;
        Assert.True(await Until(() => proxy.Stat("cluster.backend.outlier_detection.ejections_active") == 0, Wait));
        Assert.Contains($"backend::127.0.0.1:{bad.Port}::health_flags::healthy", await client.GetStringAsync(admin));
        var back = await Bodies(client, port, 10);
        Assert.Equal(5, back["bad"]);
    }

    [Fact]
    public async Task Successes_reset_the_consecutive_count()
    {
        var calls = 0;
        // 500, 200, 500, 200, …: never two 5xx in a row.
        await using var flaky = TestUpstream.Start((_, s) => TestUpstream.WriteResponse(s, Interlocked.Increment(ref calls) % 2 == 1 ? 500 : 200, "x"));
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.ConfigWith(Routes, [flaky.Port],
            clusterOptions: "outlier_detection: { consecutive_5xx: 2, interval: 0.1s }"));
        using var client = new HttpClient();

        for (var i = 0; i < 10; i++)
        {
            using var response = await client.GetAsync($"http://127.0.0.1:{proxy.Port("main")}/");
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.InternalServerError);
        }
        await Task.Delay(300);

        Assert.Equal(0, proxy.Stat("cluster.backend.outlier_detection.ejections_detected_consecutive_5xx"));
    }
}

public sealed class OutlierDetectorTests
{
    [Fact]
    public void Success_rate_ejects_the_host_far_below_the_mean()
    {
        var config = UpstreamTestKit.LbConfig() with
        {
            OutlierDetection = ActorMesh.Config.OutlierDetectionConfig.Default with { SuccessRateMinimumHosts = 5, SuccessRateRequestVolume = 10, MaxEjectionPercent = 50 },
        };
        var scope = new ActorMesh.Stats.StatsScope("cluster.unit.");
        var cluster = new ActorMesh.Upstream.UpstreamCluster(config, new ActorMesh.Stats.ClusterStats(scope));
        var hosts = Enumerable.Range(0, 6).Select(i => UpstreamTestKit.Host(cluster, 2000 + i)).ToArray();
        cluster.Publish(new ActorMesh.Upstream.ClusterMembership(hosts));
        var detector = new ActorMesh.Upstream.OutlierDetector(config.OutlierDetection!, scope);
        foreach (var host in hosts)
        {
            // Five hosts answer 100 % (one 500 in twenty, never twice in a row), the last only 50 %.
            for (var i = 0; i < 20; i++)
            {
                host.Outlier!.PutHttpResponseCode(host == hosts[^1] && i % 2 == 0 ? 500 : i == 7 ? 503 : 200);
            }
        }

        Assert.True(detector.OnInterval(hosts));

        Assert.True(hosts[^1].HasHealthFlag(ActorMesh.Upstream.HostHealthFlags.FailedOutlierCheck));
        Assert.All(hosts[..^1], h => Assert.True(h.IsHealthy));
        Assert.Equal(1, scope.Counter("outlier_detection.ejections_enforced_success_rate").Value);
        Assert.Equal(1, scope.Gauge("outlier_detection.ejections_active").Value);
        Assert.Equal(95, hosts[0].Outlier!.SuccessRate);
    }
}
