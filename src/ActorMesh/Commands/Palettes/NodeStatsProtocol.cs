namespace ActorMesh.Commands.Palettes;

/// <summary>The messages of cluster-wide <c>mesh stats</c>, which cross nodes; bound to <see cref="NodeStatsSerializer"/>.</summary>
public interface INodeStatsMessage;

/// <summary>
/// How <c>mesh stats --cluster-wide</c> collects every member's counters and gauges from the <see cref="NodeStatsActor"/>
/// on that member. Answers come in pages, each well under remoting's 128,000-byte frame limit.
/// </summary>
public static class NodeStatsProtocol
{
    /// <summary>→ one or more <see cref="NodeStatsPage"/>, the last with <c>Last</c> set. <paramref name="Filter"/>: a regex, as <c>/stats?filter=</c>.</summary>
    public sealed record GetNodeStats(long RequestId, string? Filter) : INodeStatsMessage;

    public sealed record NodeStatsPage(long RequestId, string Node, bool Last, IReadOnlyList<NodeStat> Stats) : INodeStatsMessage;

    public sealed record NodeStat(string Name, long Value);
}
