using System.Diagnostics;
using ActorMesh.Hosting;
using Akka.Actor;
using Akka.DistributedData;
using Akka.Event;

namespace ActorMesh.Mesh;

/// <summary>
/// A node's view of the routing table (DESIGN.md's ConfigWatcher): subscribed to the version key; when a newer
/// version appears it reads the resources it names, builds this node's config from them (<see cref="NodeBootstrap"/>)
/// and hands it to the node's <see cref="ConfigUpdateActor"/> as that version. The outcome, ACK or NACK, goes into the
/// node's replicated status register, where <c>/config_status</c> on any node reads it.
/// </summary>
public sealed class MeshTableSubscriber : ReceiveActor, IWithTimers
{
    public const string Source = "mesh";

    /// <summary>How soon a version whose resources had not all arrived here is tried again.</summary>
    private static readonly TimeSpan IncompleteRetry = TimeSpan.FromMilliseconds(200);

    private readonly IActorRef _replicator;
    private readonly IActorRef _configUpdates;
    private readonly ServedConfig _served;
    private readonly NodeBootstrap _bootstrap;
    private readonly MeshSettings _settings;
    private readonly TimeSpan _applyTimeout;
    private readonly Akka.Cluster.Cluster _cluster;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    /// <summary>The newest version this node applied or refused: older or equal manifests are not tried again.</summary>
    private long _attempted;

    public MeshTableSubscriber(IActorRef replicator, IActorRef configUpdates, ServedConfig served, NodeBootstrap bootstrap, MeshSettings settings, TimeSpan applyTimeout)
    {
        _replicator = replicator;
        _configUpdates = configUpdates;
        _served = served;
        _bootstrap = bootstrap;
        _settings = settings;
        _applyTimeout = applyTimeout;
        _cluster = Akka.Cluster.Cluster.Get(Context.System);
        _attempted = served.Status.Version;

        // ReceiveAsync: one version at a time; Changed notifications queued meanwhile are skipped if already outdated.
        ReceiveAsync<Changed>(c => c.Key.Equals(MeshKeys.Version), c => OnManifestAsync(MeshManifest.FromJson(c.Get(MeshKeys.Version).Value)));
        ReceiveAsync<RetryIncomplete>(async _ => await OnManifestAsync(await MeshTableReads.ManifestAsync(_replicator, Dsl.ReadLocal, _settings.ReadTimeout)));
        Receive<IUpdateResponse>(_ => { });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef replicator, IActorRef configUpdates, ServedConfig served, NodeBootstrap bootstrap, MeshSettings settings, TimeSpan applyTimeout) =>
        Akka.Actor.Props.Create(() => new MeshTableSubscriber(replicator, configUpdates, served, bootstrap, settings, applyTimeout));

    protected override void PreStart()
    {
        _replicator.Tell(Dsl.Subscribe(MeshKeys.Version, Self));
        Report(_served.Status);
    }

    private async Task OnManifestAsync(MeshManifest? manifest)
    {
        if (manifest is null || manifest.Version <= _attempted)
        {
            return;
        }
        var started = Stopwatch.GetTimestamp();
        if (await MeshTableReads.ResourcesAsync(_replicator, manifest, _settings.ReadTimeout) is not { } resources)
        {
            // The version key outran a resource's gossip: a majority did not have it either. Look again shortly.
            Timers.StartSingleTimer(nameof(RetryIncomplete), RetryIncomplete.Instance, IncompleteRetry);
            return;
        }
        _attempted = manifest.Version;
        var loaded = _bootstrap.Build(resources);
        object outcome;
        try
        {
            outcome = loaded.IsValid
                ? await _configUpdates.Ask(new ConfigUpdateProtocol.ApplyVersion(loaded.Config!, manifest.Version, Source), _applyTimeout)
                : await _configUpdates.Ask(new ConfigUpdateProtocol.RejectVersion(manifest.Version, Source, "invalid on this node: " + string.Join("; ", loaded.Errors)), _applyTimeout);
        }
        catch (AskTimeoutException)
        {
            _log.Warning("Config version {0} from the mesh was not applied within {1}", manifest.Version, _applyTimeout);
            return;
        }
        var status = outcome switch
        {
            ConfigUpdateProtocol.VersionApplied applied => applied.Status,
            ConfigUpdateProtocol.VersionRejected rejected => rejected.Status,
            _ => _served.Status,
        };
        _log.Info("Config version {0} from the mesh: {1} in {2:F0} ms", manifest.Version, status.LastNack is null ? "applied" : "NACK", Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        Report(status);
    }

    /// <summary>This node's status register; a local write, spread by gossip and flushed to subscribers now.</summary>
    private void Report(ConfigStatus status)
    {
        var node = _cluster.SelfAddress.ToString();
        var json = MeshNodeStatus.From(node, status).ToJson();
        _replicator.Tell(Dsl.Update(
            MeshKeys.NodeStatus(node),
            new LWWRegister<string>(_cluster.SelfUniqueAddress, json),
            Dsl.WriteLocal,
            register => register.WithValue(_cluster.SelfUniqueAddress, json)));
        _replicator.Tell(FlushChanges.Instance);
    }

    private sealed record RetryIncomplete
    {
        public static readonly RetryIncomplete Instance = new();
    }
}
