using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;

namespace ActorMesh.Mesh;

/// <summary>
/// Keeps the node's <see cref="MeshStatusBoard"/> current: every member's last reported config status from the
/// replicated status map. A node that left or was removed drops off the board (its entry stays in the map, harmless,
/// and is overwritten if it comes back at that address).
/// </summary>
public sealed class MeshStatusWatcher : ReceiveActor
{
    private readonly IActorRef _replicator;
    private readonly MeshStatusBoard _board;
    private readonly Akka.Cluster.Cluster _cluster;
    private IReadOnlyList<MeshNodeStatus> _reported = [];

    public MeshStatusWatcher(IActorRef replicator, MeshStatusBoard board)
    {
        _replicator = replicator;
        _board = board;
        _cluster = Akka.Cluster.Cluster.Get(Context.System);

        Receive<Changed>(c => c.Key.Equals(MeshKeys.NodeStatus), c =>
        {
            _reported = c.Get(MeshKeys.NodeStatus).Entries.Values.Select(MeshNodeStatus.FromJson).OfType<MeshNodeStatus>().ToList();
            Publish();
        });
        Receive<ClusterEvent.IMemberEvent>(_ => Publish());
        Receive<ClusterEvent.CurrentClusterState>(_ => Publish());
    }

    public static Props Props(IActorRef replicator, MeshStatusBoard board) =>
        Akka.Actor.Props.Create(() => new MeshStatusWatcher(replicator, board));

    protected override void PreStart()
    {
        _replicator.Tell(Dsl.Subscribe(MeshKeys.NodeStatus, Self));
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(ClusterEvent.IMemberEvent));
    }

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private void Publish()
    {
        var members = _cluster.State.Members
            .Where(m => m.Status is MemberStatus.Up or MemberStatus.Joining or MemberStatus.WeaklyUp or MemberStatus.Leaving)
            .Select(m => m.Address.ToString())
            .ToHashSet(StringComparer.Ordinal);
        _board.Publish(_reported.Where(s => members.Contains(s.Node)));
    }
}
