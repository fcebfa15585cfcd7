using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using static ActorMesh.Mesh.ConfigStoreProtocol;

namespace ActorMesh.Mesh;

/// <summary>
/// The config authority: the single writer of the mesh's config history, event-sourced under one persistence id. It
/// answers whoever asks (<see cref="ActorBase.Sender"/>) and keeps no reference to a node, so it runs the same as a plain
/// actor or as a cluster singleton behind a proxy. The rules live in <see cref="ConfigStoreDecisions"/>; this actor
/// journals their events, answers, snapshots and tells the publisher. A journal failure stops a persistent actor, so
/// whoever hosts it (the singleton manager, later) should start it behind a backoff supervisor.
/// </summary>
public sealed class ConfigStoreActor : ReceivePersistentActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IActorRef? _publishTo;
    private readonly ConfigStoreSettings _settings;
    private readonly TimeProvider _clock;
    private ConfigStoreState _state = ConfigStoreState.Empty;

    public ConfigStoreActor(IActorRef? publishTo, ConfigStoreSettings? settings, TimeProvider? clock)
    {
        _publishTo = publishTo;
        _settings = settings ?? ConfigStoreSettings.FromConfig(Context.System.Settings.Config);
        _clock = clock ?? TimeProvider.System;

        Recover<SnapshotOffer>(offer => _state = ConfigStoreState.FromSnapshot((ConfigStoreSnapshot)offer.Snapshot));
        Recover<IConfigStoreEvent>(e => _state = _state.Apply(e));
        Recover<RecoveryCompleted>(_ => OnRecovered());

        Command<Apply>(c => Execute(ConfigStoreDecisions.Apply(_state, c.Yaml, c.Author, c.Comment, Now)));
        Command<FirstStart>(c => Execute(ConfigStoreDecisions.FirstStart(_state, c.Yaml, c.Author, Now)));
        Command<Rollback>(c => Execute(ConfigStoreDecisions.Rollback(_state, c.Version, c.Author, c.Comment, Now)));
        Command<CatchUp>(OnCatchUp);
        Command<Import>(c => PersistCatchingUp(ConfigStoreDecisions.Import(_state, c.Versions), "imported from this node's history replica"));
        Command<GetCurrent>(_ => Sender.Tell(new Current(_state.Current)));
        Command<GetVersion>(c => Sender.Tell(ConfigStoreDecisions.GetVersion(_state, c.Version)));
        Command<GetHistory>(_ => Sender.Tell(new History(_state.History)));
        Command<Diff>(c => Sender.Tell(ConfigStoreDecisions.Diff(_state, c.From, c.To)));
        Command<SaveSnapshotSuccess>(OnSnapshotSaved);
        Command<SaveSnapshotFailure>(f => _log.Warning(f.Cause, "Config store snapshot at version {0} failed; recovery replays more events", f.Metadata.SequenceNr));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(f => _log.Warning(f.Cause, "Deleting config store snapshots before {0} failed", f.Criteria.MaxSequenceNr));
    }

    /// <summary>One history per mesh: whichever node hosts the store continues the same journal.</summary>
    public override string PersistenceId => _settings.PersistenceId;

    /// <param name="publishTo">Told <see cref="VersionCommitted"/> for every new version (the replication layer's seam).</param>
    /// <param name="settings">Null: read from <c>actormesh.config-store</c>.</param>
    /// <param name="clock">Stamps versions; tests pass a fake one.</param>
    public static Props Props(IActorRef? publishTo = null, ConfigStoreSettings? settings = null, TimeProvider? clock = null) =>
        Akka.Actor.Props.Create(() => new ConfigStoreActor(publishTo, settings, clock));

    private DateTimeOffset Now => _clock.GetUtcNow();

    private void Execute(ConfigStoreDecision decision)
    {
        if (decision.ToPersist is not { } @event)
        {
            Sender.Tell(decision.Reply);
            return;
        }
        // Persist (not PersistAsync): commands wait until the event is stored, so version numbers never race.
        Persist(@event, persisted =>
        {
            _state = _state.Apply(persisted);
            var committed = _state.Current!;
            Sender.Tell(new Accepted(committed.Version, Created: true));
            _log.Info("Config version {0} committed by {1} ({2})", committed.Version, committed.Author, committed.Kind);
            _publishTo?.Tell(new VersionCommitted(committed.Version, committed.Yaml));
            if (committed.Version % _settings.SnapshotEvery == 0)
            {
                SaveSnapshot(_state.ToSnapshot());
            }
        });
    }

    private void OnCatchUp(CatchUp command) =>
        PersistCatchingUp(ConfigStoreDecisions.CatchUp(_state, command.Version, command.Yaml, command.Author, Now), "caught up from the routing table");

    /// <summary>Several versions at once (catch-up, import): answered and published once, for the last.</summary>
    private void PersistCatchingUp(IReadOnlyList<IConfigStoreEvent> events, string how)
    {
        if (events.Count == 0)
        {
            Sender.Tell(new KeptCurrent(_state.Current?.Version ?? 0));
            return;
        }
        var replyTo = Sender;
        var last = events[^1].Version;
        _log.Warning("Config store {0}: versions {1} to {2}", how, events[0].Version, last);
        PersistAll(events, persisted =>
        {
            _state = _state.Apply(persisted);
            if (persisted.Version == last)
            {
                replyTo.Tell(new Accepted(last, Created: true));
                _publishTo?.Tell(new VersionCommitted(last, _state.Current!.Yaml));
            }
        });
    }

    private void OnRecovered()
    {
        if (_state.Current is not { } current)
        {
            _log.Info("Config store is empty");
            return;
        }
        _log.Info("Config store recovered {0} versions; current is {1}", _state.Versions.Count, current.Version);
        _publishTo?.Tell(new VersionCommitted(current.Version, current.Yaml));
    }

    /// <summary>The newest snapshot holds the whole history, so older ones are dead weight. Events stay: they are the audit log.</summary>
    private void OnSnapshotSaved(SaveSnapshotSuccess success)
    {
        if (success.Metadata.SequenceNr > 1)
        {
            DeleteSnapshots(new SnapshotSelectionCriteria(success.Metadata.SequenceNr - 1));
        }
    }
}
