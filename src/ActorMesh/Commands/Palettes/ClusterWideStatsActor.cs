using Akka.Actor;
using Akka.Cluster;
using static ActorMesh.Commands.Palettes.NodeStatsProtocol;

namespace ActorMesh.Commands.Palettes;

/// <summary>
/// <c>mesh stats --cluster-wide</c>: asks the <see cref="NodeStatsActor"/> of every member that is up for its stats and
/// sums each stat over the nodes that have it. A node that does not answer in time is named in an error (status 1);
/// the sums of the others are still shown.
/// </summary>
public sealed class ClusterWideStatsActor : ReceiveActor, IWithTimers
{
    private static long _requests;

    private readonly CommandOutput _output;
    private readonly long _requestId = Interlocked.Increment(ref _requests);
    private readonly HashSet<string> _waiting;
    private readonly List<string> _answered = [];
    private readonly SortedDictionary<string, (long Value, int Nodes)> _sums = new(StringComparer.Ordinal);

    public ClusterWideStatsActor(Akka.Cluster.Cluster cluster, string? filter, CommandOutput output, TimeSpan timeout)
    {
        _output = output;
        var members = cluster.State.Members.Where(m => m.Status is MemberStatus.Up or MemberStatus.WeaklyUp or MemberStatus.Leaving).Select(m => m.Address).ToList();
        _waiting = members.Select(a => a.ToString()).ToHashSet(StringComparer.Ordinal);
        foreach (var address in members)
        {
            Context.ActorSelection(new RootActorPath(address) / "user" / NodeStatsActor.Name).Tell(new GetNodeStats(_requestId, filter));
        }
        Receive<NodeStatsPage>(p => p.RequestId == _requestId && _waiting.Contains(p.Node), OnPage);
        Receive<NodeStatsPage>(_ => { });
        Receive<TimedOut>(_ => Finish());
        if (_waiting.Count == 0)
        {
            Self.Tell(TimedOut.Instance);
        }
        else
        {
            Timers.StartSingleTimer(nameof(TimedOut), TimedOut.Instance, timeout);
        }
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(Akka.Cluster.Cluster cluster, string? filter, CommandOutput output, TimeSpan timeout) =>
        Akka.Actor.Props.Create(() => new ClusterWideStatsActor(cluster, filter, output, timeout));

    private void OnPage(NodeStatsPage page)
    {
        foreach (var stat in page.Stats)
        {
            var (value, nodes) = _sums.GetValueOrDefault(stat.Name);
            _sums[stat.Name] = (value + stat.Value, nodes + 1);
        }
        if (page.Last)
        {
            _waiting.Remove(page.Node);
            _answered.Add(page.Node);
            if (_waiting.Count == 0)
            {
                Finish();
            }
        }
    }

    private void Finish()
    {
        Timers.CancelAll();
        _output.Table("name", "value", "nodes");
        foreach (var (name, (value, nodes)) in _sums)
        {
            _output.Row(name, value, nodes);
        }
        _output.Line($"summed over {_answered.Count} node(s): {string.Join(", ", _answered.Order(StringComparer.Ordinal))}");
        foreach (var missing in _waiting.Order(StringComparer.Ordinal))
        {
            _output.Error($"{missing} did not answer in time; its stats are not in the sums");
        }
        _output.End(_waiting.Count == 0 ? 0 : 1);
        Become(() => ReceiveAny(_ => { }));
    }

    private sealed record TimedOut
    {
        public static TimedOut Instance { get; } = new();

        private TimedOut() { }
    }
}
