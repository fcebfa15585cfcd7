using System.Text.RegularExpressions;
using ActorMesh.Tests.Support;
using Xunit;
using static ActorMesh.Tests.Upstream.UpstreamTestKit;

namespace ActorMesh.Tests.Upstream;

/// <summary>
/// A health check's <c>event_log_path</c>: Envoy's health check events as JSON lines in a real file, while a real
/// upstream fails its checks and recovers.
/// </summary>
public sealed partial class HealthCheckEventLogTests : IDisposable
{
    private const string Routes = "routes:\n- match: { prefix: \"/\" }\n  route: { cluster: backend }";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly string _dir = Directory.CreateTempSubdirectory("actormesh-hcevents-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string EventLog => Path.Combine(_dir, "hc-events.log");

    private static string Host(int port) =>
        $"{{\"socket_address\":{{\"protocol\":\"TCP\",\"address\":\"127.0.0.1\",\"port_value\":{port},\"resolver_name\":\"\",\"ipv4_compat\":false}}}}";

    /// <summary>The line with its timestamp (checked to be a proto JSON Timestamp) cut out.</summary>
    private static string WithoutTimestamp(string line)
    {
        Assert.Matches(Timestamp(), line);
        return Timestamp().Replace(line, "");
    }

    [GeneratedRegex(",\"timestamp\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{3}|\\.\\d{6}|\\.\\d{9})?Z\"")]
    private static partial Regex Timestamp();

    [Fact]
    public async Task An_http_check_logs_the_first_add_an_immediate_active_ejection_and_the_recovery()
    {
        var (upstream, health) = Checked("a");
        await using var _ = upstream;
        // unhealthy_threshold 3 counts network failures only: an unexpected status ejects at once, as in Envoy.
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.ConfigWith(Routes, [upstream.Port], clusterOptions:
            "health_checks:\n"
            + "- timeout: 1s\n  interval: 0.05s\n  no_traffic_interval: 0.05s\n  unhealthy_threshold: 3\n  healthy_threshold: 2\n"
            + $"  event_log_path: {EventLog}\n"
            + "  http_health_check: { path: /health }"));
        var prefix = $"{{\"health_checker_type\":\"HTTP\",\"host\":{Host(upstream.Port)},\"cluster_name\":\"backend\",";
        const string locality = ",\"locality\":{\"region\":\"\",\"zone\":\"\",\"sub_zone\":\"\"}}";

        var added = await LogFile.Lines(EventLog, 1);
        health.Healthy = false;
        Assert.True(await Until(() => proxy.Stat("cluster.backend.membership_healthy") == 0, Wait));
        var ejected = await LogFile.Lines(EventLog, 2);
        health.Healthy = true;
        Assert.True(await Until(() => proxy.Stat("cluster.backend.membership_healthy") == 1, Wait));
        var lines = await LogFile.Lines(EventLog, 3);

        Assert.Equal(prefix + "\"add_healthy_event\":{\"first_check\":true}" + locality, WithoutTimestamp(Assert.Single(added)));
        Assert.Equal(prefix + "\"eject_unhealthy_event\":{\"failure_type\":\"ACTIVE\"}" + locality, WithoutTimestamp(ejected[1]));
        Assert.Equal(3, lines.Length);
        Assert.Equal(prefix + "\"add_healthy_event\":{\"first_check\":false}" + locality, WithoutTimestamp(lines[2]));
        Assert.True(proxy.Stat("cluster.backend.health_check.failure") >= 1);
    }

    [Fact]
    public async Task A_tcp_check_that_cannot_connect_logs_network_failures_every_time_when_asked_to()
    {
        using var dead = new DeadPort();
        var port = dead.Port;
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.ConfigWith(Routes, [port], clusterOptions:
            "health_checks:\n"
            + "- timeout: 1s\n  interval: 0.05s\n  no_traffic_interval: 0.05s\n  unhealthy_threshold: 1\n  healthy_threshold: 1\n"
            + $"  event_log_path: {EventLog}\n"
            + "  always_log_health_check_failures: true\n"
            + "  tcp_health_check: {}"));
        var prefix = $"{{\"health_checker_type\":\"TCP\",\"host\":{Host(port)},\"cluster_name\":\"backend\",";

        var lines = (await LogFile.Lines(EventLog, 3)).Select(WithoutTimestamp).ToArray();

        // The host starts failed, so nothing is ejected: only failures, the first one marked as the first check.
        Assert.Equal(prefix + "\"health_check_failure_event\":{\"failure_type\":\"NETWORK\",\"first_check\":true},\"locality\":{\"region\":\"\",\"zone\":\"\",\"sub_zone\":\"\"}}", lines[0]);
        Assert.All(lines.Skip(1), line => Assert.Contains("\"health_check_failure_event\":{\"failure_type\":\"NETWORK\",\"first_check\":false}", line));
        Assert.Equal(0, proxy.Stat("cluster.backend.membership_healthy"));
    }
}
