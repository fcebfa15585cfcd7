using System.Text.RegularExpressions;
using ActorMesh.Admin;
using ActorMesh.Stats;
using Akka.Actor;
using static ActorMesh.Commands.Palettes.NodeStatsProtocol;

namespace ActorMesh.Commands.Palettes;

/// <summary>
/// Answers <see cref="GetNodeStats"/> with this node's counters and gauges, as <c>/stats</c> lists them, in pages. One
/// runs on every node at <c>/user/actormesh-node-stats</c>, so any node can sum the mesh's stats.
/// </summary>
public sealed class NodeStatsActor : ReceiveActor
{
    public const string Name = "actormesh-node-stats";

    /// <summary>Stats per page: 500 names of up to ~200 bytes stay far below remoting's 128,000-byte frame.</summary>
    private const int PageSize = 500;

    public NodeStatsActor(StatsStore stats, string node)
    {
        Receive<GetNodeStats>(get =>
        {
            var query = new StatsQuery(Filter(get.Filter), UsedOnly: false, "text", HistogramBucketsMode.Summary);
            var all = StatsEndpoints.CountersAndGauges(stats, query);
            var pages = all.Chunk(PageSize).ToList();
            if (pages.Count == 0)
            {
                Sender.Tell(new NodeStatsPage(get.RequestId, node, Last: true, []));
            }
            for (var i = 0; i < pages.Count; i++)
            {
                Sender.Tell(new NodeStatsPage(get.RequestId, node, i == pages.Count - 1, pages[i].Select(s => new NodeStat(s.Name, s.Value)).ToArray()));
            }
        });
    }

    public static Props Props(StatsStore stats, string node) => Akka.Actor.Props.Create(() => new NodeStatsActor(stats, node));

    /// <summary>The same regex rules as <c>/stats?filter=</c>; null: every stat. The asking node has checked it compiles.</summary>
    public static Regex? Filter(string? filter)
    {
        try
        {
            return string.IsNullOrEmpty(filter) ? null : new Regex(filter, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException)
        {
            return new Regex("(?!)", RegexOptions.None, TimeSpan.FromSeconds(1));
        }
    }
}
