using System.Diagnostics;
using Akka.Actor;
using Akka.DistributedData;
using Akka.Event;
using static ActorMesh.Mesh.ConfigStoreProtocol;

namespace ActorMesh.Mesh;

/// <summary>
/// The routing table's single writer: the ConfigStore's publisher, living beside it in the singleton. For each
/// committed version it writes every resource, then the version key, each with <c>WriteMajority</c>, then flushes
/// the Changed notifications. Registers carry the version as their LWW clock, so a stale write never wins.
/// When the singleton starts it compares the table with the store and has a store that is behind catch up.
/// </summary>
public sealed class MeshTableWriter : ReceiveActor
{
    private readonly IActorRef _replicator;
    private readonly IActorRef? _history;
    private readonly MeshSettings _settings;
    private readonly Akka.Cluster.UniqueAddress _self;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    /// <param name="history">This node's <see cref="ConfigHistoryReplica"/> (SQLite); null when the journal is shared.</param>
    public MeshTableWriter(IActorRef replicator, IActorRef? history, MeshSettings settings)
    {
        _replicator = replicator;
        _history = history;
        _settings = settings;
        _self = Akka.Cluster.Cluster.Get(Context.System).SelfUniqueAddress;

        // ReceiveAsync: versions are written one after another, in the order the store committed them.
        ReceiveAsync<VersionCommitted>(WriteAsync);
        ReceiveAsync<MeshTableWriterProtocol.CatchUpStore>(CatchUpAsync);
    }

    public static Props Props(IActorRef replicator, IActorRef? history, MeshSettings settings) =>
        Akka.Actor.Props.Create(() => new MeshTableWriter(replicator, history, settings));

    private async Task WriteAsync(VersionCommitted committed)
    {
        var started = Stopwatch.GetTimestamp();
        var resources = MeshResources.Split(committed.Yaml, out var tooLarge);
        if (tooLarge.Count > 0)
        {
            // The store refuses such configs; one that got in before the limit existed is not replicated half.
            _log.Error("Config version {0} is not replicated: {1}", committed.Version, string.Join("; ", tooLarge));
            return;
        }
        var version = committed.Version;
        var writes = resources.Select(r => UpdateAsync(MeshKeys.Resource(r.Key), r.Yaml, version));
        var failed = (await Task.WhenAll(writes)).Count(ok => !ok);
        var manifest = new MeshManifest(version, resources.Select(r => r.Ref).ToList());
        // The version key last: a node that sees it finds every resource it names at a majority.
        var versionWritten = await UpdateAsync(MeshKeys.Version, manifest.ToJson(), version);
        _replicator.Tell(FlushChanges.Instance);
        if (failed > 0 || !versionWritten)
        {
            _log.Warning("Config version {0}: {1} writes did not reach a majority in {2}; they spread by gossip", version, failed + (versionWritten ? 0 : 1), _settings.WriteTimeout);
        }
        _log.Info("Config version {0} written to the routing table ({1} resources) in {2:F0} ms", version, resources.Count, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private async Task<bool> UpdateAsync(LWWRegisterKey<string> key, string value, long version)
    {
        var update = Dsl.Update(
            key,
            new LWWRegister<string>(_self, value, version),
            new WriteMajority(_settings.WriteTimeout),
            register => register.Timestamp >= version ? register : register.WithValue(_self, value, (_, _) => version));
        try
        {
            var response = await _replicator.Ask<IUpdateResponse>(update, _settings.WriteTimeout + AskMargin);
            return response.IsSuccessful;
        }
        catch (AskTimeoutException)
        {
            return false;
        }
    }

    private static readonly TimeSpan AskMargin = TimeSpan.FromSeconds(1);

    private async Task CatchUpAsync(MeshTableWriterProtocol.CatchUpStore check)
    {
        try
        {
            await CatchUpAsync(check.Store);
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            _log.Warning("Could not compare the config store with the routing table ({0}); serving the store as it is", e.Message);
        }
        finally
        {
            check.ReplyTo.Tell(MeshTableWriterProtocol.StoreCaughtUp.Instance);
        }
    }

    /// <summary>
    /// First the versions this node's history replica has and the store's journal lacks, with their real authors and
    /// times; then, if the routing table is further still, placeholders up to its version.
    /// </summary>
    private async Task CatchUpAsync(IActorRef store)
    {
        var current = (await store.Ask<Current>(GetCurrent.Instance, _settings.FirstVersionTimeout)).Entry?.Version ?? 0;
        if (_history is not null)
        {
            var replicated = await _history.Ask<ConfigHistoryReplicaProtocol.ReplicatedHistory>(new ConfigHistoryReplicaProtocol.GetReplicatedHistory(current), _settings.ReadTimeout);
            if (replicated.Versions.Count > 0 && await store.Ask(new Import(replicated.Versions), _settings.FirstVersionTimeout) is Accepted imported)
            {
                _log.Info("Config store imported versions {0} to {1} from this node's history replica", current + 1, imported.Version);
                current = imported.Version;
            }
        }
        MeshManifest? manifest;
        try
        {
            manifest = await MeshTableReads.ManifestAsync(_replicator, new ReadMajority(_settings.ReadTimeout), _settings.ReadTimeout);
        }
        catch (AskTimeoutException)
        {
            manifest = null;
        }
        manifest ??= await MeshTableReads.ManifestAsync(_replicator, Dsl.ReadLocal, _settings.ReadTimeout);
        if (manifest is null || current >= manifest.Version)
        {
            return;
        }
        if (await MeshTableReads.ResourcesAsync(_replicator, manifest, _settings.ReadTimeout) is not { } resources)
        {
            _log.Warning("The routing table's version {0} is incomplete here; the store stays at version {1}", manifest.Version, current);
            return;
        }
        var yaml = MeshResources.Assemble(resources, nodeLocalYaml: null);
        await store.Ask(new CatchUp(manifest.Version, yaml, "mesh"), _settings.FirstVersionTimeout);
        _log.Warning("Config store caught up from version {0} to the routing table's version {1}: the versions between were lost with their node", current, manifest.Version);
    }
}

public static class MeshTableWriterProtocol
{
    /// <summary>
    /// The singleton started: if the table is ahead of <paramref name="Store"/>'s journal, bring the store up to it,
    /// then tell <paramref name="ReplyTo"/> <see cref="StoreCaughtUp"/> (also when that could not be checked).
    /// </summary>
    public sealed record CatchUpStore(IActorRef Store, IActorRef ReplyTo);

    public sealed record StoreCaughtUp
    {
        public static readonly StoreCaughtUp Instance = new();
    }
}
