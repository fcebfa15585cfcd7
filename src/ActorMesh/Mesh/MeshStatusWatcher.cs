using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;

namespace ActorMesh.Mesh;

/// <summary>
/// Keeps the node's <see cref="MeshStatusBoard"/> current: subscribed to every member's status register, it shows each
/// member's last reported config status. A node that is removed drops off the board (its register stays, harmless,
/// and is overwritten if a node comes back at that address).
/// </summary>
public sealed class MeshStatusWatcher : ReceiveActor
{
    private readonly IActorRef _replicator;
    private readonly MeshStatusBoard _board;
    private readonly Akka.Cluster.Cluster _cluster;
    private readonly Dictionary<string, MeshNodeStatus?> _members = new(StringComparer.Ordinal);

    public MeshStatusWatcher(IActorRef replicator, MeshStatusBoard board)
    {
        _replicator = replicator;
        _board = board;
        _cluster = Akka.Cluster.Cluster.Get(Context.System);

        Receive<Changed>(OnChanged);
        Receive<ClusterEvent.IMemberEvent>(_ => TrackMembers());
        Receive<ClusterEvent.CurrentClusterState>(_ => TrackMembers());
    }

    public static Props Props(IActorRef replicator, MeshStatusBoard board) =>
        Akka.Actor.Props.Create(() => new MeshStatusWatcher(replicator, board));

    protected override void PreStart() =>
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(ClusterEvent.IMemberEvent));

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private void OnChanged(Changed changed)
    {
        if (changed.Key is not LWWRegisterKey<string> key)
        {
            return;
        }
        var status = MeshNodeStatus.FromJson(changed.Get(key).Value);
        if (status is not null && _members.ContainsKey(status.Node))
        {
            _members[status.Node] = status;
            Publish();
        }
    }

    private void TrackMembers()
    {
        var current = _cluster.State.Members
            .Where(m => m.Status is MemberStatus.Up or MemberStatus.Joining or MemberStatus.WeaklyUp or MemberStatus.Leaving)
            .Select(m => m.Address.ToString())
            .ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _members.Keys.Where(a => !current.Contains(a)).ToList())
        {
            _replicator.Tell(Dsl.Unsubscribe(MeshKeys.NodeStatus(gone), Self));
            _members.Remove(gone);
        }
        foreach (var added in current.Where(a => !_members.ContainsKey(a)))
        {
            _members[added] = null;
            // Subscribing answers with the register's current value, if any, then every change.
            _replicator.Tell(Dsl.Subscribe(MeshKeys.NodeStatus(added), Self));
        }
        Publish();
    }

    private void Publish() => _board.Publish(_members.Values.OfType<MeshNodeStatus>());
}
