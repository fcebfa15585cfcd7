using System.Net;
using ActorMesh.Config;
using ActorMesh.Stats;
using ActorMesh.Tests.Support;
using ActorMesh.Upstream;

namespace ActorMesh.Tests.Upstream;

/// <summary>Hosts and clusters built directly for load balancer unit tests, and helpers for the loopback tests.</summary>
internal static class UpstreamTestKit
{
    public static UpstreamCluster Cluster(ClusterConfig? config = null) =>
        new(config ?? LbConfig(), new ClusterStats(new StatsScope("cluster.unit.")));

    public static ClusterConfig LbConfig(LbPolicy policy = LbPolicy.RoundRobin) =>
        new("unit", ClusterConfig.DefaultConnectTimeout, DiscoveryType.Static, policy, EquatableArray<SocketAddressConfig>.Empty, ClusterConfig.DefaultDnsRefreshRate);

    public static UpstreamHost Host(UpstreamCluster cluster, int port, uint weight = 1, int priority = 0, int locality = 0, uint localityWeight = 0)
    {
        var address = new SocketAddressConfig("127.0.0.1", port);
        var endpoint = EndpointConfig.Plain(address) with { Weight = weight, Priority = priority, LocalityIndex = locality, LocalityWeight = localityWeight };
        return new UpstreamHost(endpoint, "127.0.0.1", new IPEndPoint(IPAddress.Loopback, port), cluster);
    }

    public static UpstreamCluster WithHosts(ClusterConfig config, params (int Port, int Weight, int Priority)[] hosts)
    {
        var cluster = Cluster(config);
        cluster.Publish(new ClusterMembership(hosts.Select(h => Host(cluster, h.Port, (uint)h.Weight, h.Priority)).ToArray()));
        return cluster;
    }

    public static Dictionary<int, int> Tally(UpstreamCluster cluster, int requests, Func<int, LoadBalancerContext>? context = null)
    {
        var counts = new Dictionary<int, int>();
        for (var i = 0; i < requests; i++)
        {
            var host = cluster.ChooseHost(context?.Invoke(i) ?? LoadBalancerContext.None)!;
            counts[host.Endpoint.Port] = counts.GetValueOrDefault(host.Endpoint.Port) + 1;
        }
        return counts;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="timeout"/> passes; false then.</summary>
    public static async Task<bool> Until(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }
            await Task.Delay(20);
        }
        return true;
    }

    /// <summary>Sends <paramref name="count"/> GETs through the proxy and counts the response bodies.</summary>
    public static async Task<Dictionary<string, int>> Bodies(HttpClient client, int port, int count, string path = "/")
    {
        var counts = new Dictionary<string, int>();
        for (var i = 0; i < count; i++)
        {
            var body = await client.GetStringAsync($"http://127.0.0.1:{port}{path}");
            counts[body] = counts.GetValueOrDefault(body) + 1;
        }
        return counts;
    }

    /// <summary>An upstream answering its <paramref name="name"/> on every path and 200 or 503 on /health as told.</summary>
    public static (TestUpstream Upstream, HealthSwitch Health) Checked(string name)
    {
        var health = new HealthSwitch();
        var upstream = TestUpstream.Start((request, stream) => request.Target == "/health"
            ? TestUpstream.WriteResponse(stream, health.Healthy ? 200 : 503, "hc")
            : TestUpstream.WriteResponse(stream, 200, name));
        return (upstream, health);
    }

    public static string Endpoint(int port, uint weight = 1) =>
        $"- endpoint: {{ address: {{ socket_address: {{ address: 127.0.0.1, port_value: {port} }} }} }}\n  load_balancing_weight: {weight}";
}

internal sealed class HealthSwitch
{
    private volatile bool _healthy = true;

    public bool Healthy
    {
        get => _healthy;
        set => _healthy = value;
    }
}
