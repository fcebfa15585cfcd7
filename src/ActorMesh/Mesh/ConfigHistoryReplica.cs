using ActorMesh.Config;
using Akka.Actor;
using Akka.DistributedData;
using Akka.Event;
using Akka.Persistence;
using static ActorMesh.Mesh.ConfigHistoryReplicaProtocol;
using static ActorMesh.Mesh.ConfigStoreProtocol;

namespace ActorMesh.Mesh;

/// <summary>
/// This node's durable copy of the mesh's config history, for the embedded SQLite store, where each node has its own
/// journal: whenever the routing table moves to a newer version, the missing versions are fetched from the store (through
/// the singleton proxy) and journalled here, under a persistence id of their own. Whichever node next hosts the store
/// imports from its replica what its own journal lacks (<see cref="MeshTableWriter"/>), so the history survives the
/// loss of any node. Not started with PostgreSQL, where every node shares the store's journal.
/// </summary>
public sealed class ConfigHistoryReplica : ReceivePersistentActor, IWithTimers
{
    public const string PersistenceIdSuffix = "-replica";

    private static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    private readonly IActorRef _replicator;
    private readonly IActorRef _store;
    private readonly string _persistenceId;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private ConfigStoreState _state = ConfigStoreState.Empty;
    private long _wanted;
    private bool _fetching;

    public ConfigHistoryReplica(IActorRef replicator, IActorRef store, ConfigStoreSettings? settings)
    {
        _replicator = replicator;
        _store = store;
        _persistenceId = (settings ?? ConfigStoreSettings.FromConfig(Context.System.Settings.Config)).PersistenceId + PersistenceIdSuffix;

        Recover<SnapshotOffer>(offer => _state = ConfigStoreState.FromSnapshot((ConfigStoreSnapshot)offer.Snapshot));
        Recover<IConfigStoreEvent>(e => _state = _state.Apply(e));

        Command<Changed>(c => c.Key.Equals(MeshKeys.Version), c => Want(MeshManifest.FromJson(c.Get(MeshKeys.Version).Value)?.Version ?? 0));
        Command<VersionFound>(OnFound);
        Command<UnknownVersion>(u =>
        {
            // The store lacks it too (it caught up without it): nothing to copy; later versions follow.
            _log.Info("Config version {0} is not in the store; the history replica skips to the table's version", u.Version);
            _fetching = false;
        });
        Command<Status.Failure>(_ =>
        {
            _fetching = false;
            Timers.StartSingleTimer(nameof(FetchAgain), FetchAgain.Instance, RetryAfter);
        });
        Command<FetchAgain>(_ => FetchNext());
        Command<GetReplicatedHistory>(g => Sender.Tell(new ReplicatedHistory(_state.Versions.Where(v => v.Version > g.After).ToEquatableArray())));
        Command<IUpdateResponse>(_ => { });
    }

    public override string PersistenceId => _persistenceId;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef replicator, IActorRef store, ConfigStoreSettings? settings = null) =>
        Akka.Actor.Props.Create(() => new ConfigHistoryReplica(replicator, store, settings));

    protected override void PreStart()
    {
        base.PreStart();
        _replicator.Tell(Dsl.Subscribe(MeshKeys.Version, Self));
    }

    private long Current => _state.Current?.Version ?? 0;

    private void Want(long version)
    {
        _wanted = Math.Max(_wanted, version);
        FetchNext();
    }

    private void FetchNext()
    {
        if (_fetching || Current >= _wanted)
        {
            return;
        }
        _fetching = true;
        _store.Ask(new GetVersion(Current + 1), FetchTimeout).PipeTo(Self, failure: e => new Status.Failure(e));
    }

    private void OnFound(VersionFound found)
    {
        if (found.Entry.Version != Current + 1)
        {
            _fetching = false;
            FetchNext();
            return;
        }
        Persist(ConfigStoreDecisions.ToEvent(found.Entry), e =>
        {
            _state = _state.Apply(e);
            _fetching = false;
            FetchNext();
        });
    }

    private sealed record FetchAgain
    {
        public static readonly FetchAgain Instance = new();
    }
}

/// <summary>Local only: the store's host asks its own node's replica, so these never cross the network.</summary>
public static class ConfigHistoryReplicaProtocol
{
    /// <summary>Every version the replica holds after <paramref name="After"/> → <see cref="ReplicatedHistory"/>.</summary>
    public sealed record GetReplicatedHistory(long After);

    public sealed record ReplicatedHistory(EquatableArray<ConfigVersion> Versions);
}
