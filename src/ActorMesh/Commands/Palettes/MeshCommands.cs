using System.Text.RegularExpressions;
using ActorMesh.Admin;
using ActorMesh.Config;
using ActorMesh.Upstream;
using static ActorMesh.Commands.Protocol.CommandArgument;

namespace ActorMesh.Commands.Palettes;

/// <summary>The <c>mesh</c> palette: this node's data plane (listeners, routes, clusters, stats), and the mesh's stats summed.</summary>
internal static class MeshCommands
{
    public static CommandModule Module(CommandNode node, CommandHostSettings settings) => new("mesh", "the data plane: listeners, routes, clusters, stats, top",
    [
        CommandHandler.FromTask(new("listeners", "each listener of the served version: where it is bound, its stat prefix and route configuration", []),
            (_, output, _) => Task.FromResult(Listeners(node, output))),
        CommandHandler.FromTask(new("routes", "the route table as a tree: listener, virtual hosts, routes with match and action (weights)",
                [Switch("listener", "only this listener", "-l", "--listener") with { ValueName = "NAME" }]),
            (request, output, _) => Task.FromResult(Routes(node, request.Get("listener"), output))),
        CommandHandler.FromTask(new("clusters", "each cluster's endpoints with health, active requests and ejections (the admin's /clusters)", []),
            (_, output, _) => Task.FromResult(Clusters(node, output))),
        new(new("stats", "counters and gauges, as /stats lists them; --cluster-wide sums every member's",
                [Switch("filter", "a regex a stat's name must contain a match of", "-f", "--filter") with { ValueName = "REGEX" }, Flag("cluster-wide", "sum each stat over every member of the cluster", "--cluster-wide")]),
            (request, output) => Stats(node, settings, request, output)),
        new(new("top", "every second per cluster: request rate, 5xx rate, p99 latency, active requests, healthy endpoints", [], LongRunning: true),
            (_, output) => MeshTopActor.Props(node.Server.Served, output)),
    ]);

    private static int Listeners(CommandNode node, CommandOutput output)
    {
        var current = node.Server.Served.Current;
        var bound = current.ListenerAddresses.ToDictionary(kv => kv.Key, kv => kv.Value.ToString(), StringComparer.Ordinal);
        output.Table("name", "address", "stat_prefix", "route_config", "virtual_hosts");
        foreach (var listener in current.Config.StaticResources.Listeners)
        {
            var managers = listener.FilterChains.SelectMany(c => c.Filters).OfType<HttpConnectionManagerConfig>().ToList();
            output.Row(
                listener.Name,
                bound.GetValueOrDefault(listener.Name) ?? listener.Address + " (not bound)",
                string.Join(",", managers.Select(m => m.StatPrefix)),
                string.Join(",", managers.Select(m => m.RouteConfig.Name)),
                managers.Sum(m => m.RouteConfig.VirtualHosts.Count));
        }
        return 0;
    }

    private static int Routes(CommandNode node, string? only, CommandOutput output)
    {
        var current = node.Server.Served.Current;
        var listeners = current.Config.StaticResources.Listeners;
        if (only is not null && listeners.All(l => l.Name != only))
        {
            output.Error($"no listener '{only}'; listeners: " + string.Join(", ", listeners.Select(l => l.Name)));
            return 1;
        }
        var bound = current.ListenerAddresses.ToDictionary(kv => kv.Key, kv => kv.Value.ToString(), StringComparer.Ordinal);
        foreach (var listener in listeners.Where(l => only is null || l.Name == only))
        {
            foreach (var line in RouteTree.Lines(listener, bound.GetValueOrDefault(listener.Name) ?? listener.Address.ToString()))
            {
                output.Line(line);
            }
        }
        return 0;
    }

    private static int Clusters(CommandNode node, CommandOutput output)
    {
        output.Table("cluster", "endpoint", "health", "weight", "rq_active", "rq_total", "rq_error", "cx_active", "ejected", "success_rate");
        foreach (var cluster in node.Server.Served.Current.Clusters.Values.OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            foreach (var host in cluster.Membership.Hosts)
            {
                output.Row(
                    cluster.Name,
                    host.Endpoint.ToString(),
                    ClustersEndpoint.HealthFlags(host.HealthFlags),
                    (long)host.Weight,
                    host.RqActive,
                    host.RqTotal,
                    host.RqError,
                    host.CxActive,
                    host.HasHealthFlag(HostHealthFlags.FailedOutlierCheck),
                    host.Outlier?.SuccessRate is { } rate and >= 0 ? rate : null);
            }
        }
        return 0;
    }

    private static Akka.Actor.Props Stats(CommandNode node, CommandHostSettings settings, CommandRequest request, CommandOutput output)
    {
        var filter = request.Get("filter");
        if (filter is not null)
        {
            try
            {
                _ = new Regex(filter, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException e)
            {
                return TaskCommandActor.Props((_, o, _) => { o.Error("invalid --filter regex: " + e.Message); return Task.FromResult(1); }, request, output);
            }
        }
        if (request.Flag("cluster-wide") && node.Cluster is { } cluster)
        {
            return ClusterWideStatsActor.Props(cluster, filter, output, settings.AskTimeout);
        }
        return TaskCommandActor.Props((_, o, _) =>
        {
            var query = new StatsQuery(NodeStatsActor.Filter(filter), UsedOnly: false, "text", HistogramBucketsMode.Summary);
            o.Table("name", "value");
            foreach (var (name, value, _) in StatsEndpoints.CountersAndGauges(node.Server.Stats, query))
            {
                o.Row(name, value);
            }
            return Task.FromResult(0);
        }, request, output);
    }
}
