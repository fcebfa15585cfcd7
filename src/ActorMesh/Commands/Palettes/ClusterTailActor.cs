using System.Globalization;
using Akka.Actor;
using Akka.Cluster;

namespace ActorMesh.Commands.Palettes;

/// <summary>
/// <c>cluster tail</c>: the members as they are, then each membership, reachability and leader event as a line, until
/// the client cancels it.
/// </summary>
public sealed class ClusterTailActor : ReceiveActor
{
    private readonly Akka.Cluster.Cluster _cluster;

    public ClusterTailActor(Akka.Cluster.Cluster cluster, CommandOutput output)
    {
        _cluster = cluster;
        Receive<ClusterEvent.CurrentClusterState>(state =>
        {
            foreach (var member in state.Members)
            {
                output.Line($"{Now} member {member.Address} {member.Status}");
            }
            output.Line($"{Now} watching membership events (cancel to stop)");
        });
        Receive<ClusterEvent.IMemberEvent>(e => output.Line($"{Now} {e.GetType().Name} {e.Member.Address} {e.Member.Status}"));
        Receive<ClusterEvent.UnreachableMember>(e => output.Line($"{Now} UnreachableMember {e.Member.Address}"));
        Receive<ClusterEvent.ReachableMember>(e => output.Line($"{Now} ReachableMember {e.Member.Address}"));
        Receive<ClusterEvent.LeaderChanged>(e => output.Line($"{Now} LeaderChanged {e.Leader?.ToString() ?? "(none)"}"));
    }

    public static Props Props(Akka.Cluster.Cluster cluster, CommandOutput output) => Akka.Actor.Props.Create(() => new ClusterTailActor(cluster, output));

    private static string Now => DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    protected override void PreStart() =>
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent), typeof(ClusterEvent.LeaderChanged));

    protected override void PostStop() => _cluster.Unsubscribe(Self);
}
