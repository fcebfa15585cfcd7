using Akka.Actor;
using Akka.Pattern;

namespace ActorMesh.Mesh;

/// <summary>
/// What the ConfigStore cluster singleton runs: the <see cref="ConfigStoreActor"/> behind a backoff supervisor (a
/// journal failure stops a persistent actor; this starts it again, 1 s to 30 s later) and its publisher, the
/// <see cref="MeshTableWriter"/>. Every store command is forwarded, so the proxy's senders get the store's answers.
/// </summary>
public sealed class ConfigAuthorityActor : ReceiveActor
{
    public ConfigAuthorityActor(IActorRef replicator, MeshSettings settings, ConfigStoreSettings? storeSettings)
    {
        var writer = Context.ActorOf(MeshTableWriter.Props(replicator, settings), "table-writer");
        var store = Context.ActorOf(
            BackoffSupervisor.Props(Backoff.OnStop(
                ConfigStoreActor.Props(writer, storeSettings),
                "store",
                settings.StoreBackoffMin,
                settings.StoreBackoffMax,
                RandomFactor,
                UnlimitedRetries)),
            "store-supervisor");
        writer.Tell(new MeshTableWriterProtocol.CatchUpStore(store));
        ReceiveAny(message => store.Forward(message));
    }

    /// <summary>Spreads restarts of several nodes' stores after a shared database comes back.</summary>
    private const double RandomFactor = 0.2;

    /// <summary>A store that cannot reach its journal keeps trying: without it no version can be made.</summary>
    private const int UnlimitedRetries = -1;

    public static Props Props(IActorRef replicator, MeshSettings settings, ConfigStoreSettings? storeSettings = null) =>
        Akka.Actor.Props.Create(() => new ConfigAuthorityActor(replicator, settings, storeSettings));
}
