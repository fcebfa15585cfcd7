using Akka.Actor;
using Akka.Pattern;

namespace ActorMesh.Mesh;

/// <summary>
/// What the ConfigStore cluster singleton runs: the <see cref="ConfigStoreActor"/> behind a backoff supervisor (a
/// journal failure stops a persistent actor; this starts it again, 1 s to 30 s later) and its publisher, the
/// <see cref="MeshTableWriter"/>. Store commands are held until the writer has brought a store whose journal is behind
/// the routing table up to it (so a new version never reuses a number the mesh already served), then forwarded, so the
/// proxy's senders get the store's answers.
/// </summary>
public sealed class ConfigAuthorityActor : ReceiveActor, IWithUnboundedStash
{
    private readonly IActorRef _store;

    public ConfigAuthorityActor(IActorRef replicator, IActorRef? history, MeshSettings settings, ConfigStoreSettings? storeSettings)
    {
        var writer = Context.ActorOf(MeshTableWriter.Props(replicator, history, settings), "table-writer");
        _store = Context.ActorOf(
            BackoffSupervisor.Props(Backoff.OnStop(
                ConfigStoreActor.Props(writer, storeSettings),
                "store",
                settings.StoreBackoffMin,
                settings.StoreBackoffMax,
                RandomFactor,
                UnlimitedRetries)),
            "store-supervisor");
        writer.Tell(new MeshTableWriterProtocol.CatchUpStore(_store, Self));

        Receive<MeshTableWriterProtocol.StoreCaughtUp>(_ =>
        {
            Become(Serving);
            Stash.UnstashAll();
        });
        ReceiveAny(_ => Stash.Stash());
    }

    public IStash Stash { get; set; } = null!;

    /// <summary>Spreads restarts of several nodes' stores after a shared database comes back.</summary>
    private const double RandomFactor = 0.2;

    /// <summary>A store that cannot reach its journal keeps trying: without it no version can be made.</summary>
    private const int UnlimitedRetries = -1;

    /// <param name="history">This node's history replica (SQLite), imported from when the store's journal is behind it.</param>
    public static Props Props(IActorRef replicator, IActorRef? history, MeshSettings settings, ConfigStoreSettings? storeSettings = null) =>
        Akka.Actor.Props.Create(() => new ConfigAuthorityActor(replicator, history, settings, storeSettings));

    private void Serving() => ReceiveAny(message => _store.Forward(message));
}
