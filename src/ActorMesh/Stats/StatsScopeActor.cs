using Akka.Actor;

namespace ActorMesh.Stats;

/// <summary>
/// Owns one stats scope's lifetime: the scope exists while this actor lives, so a listener or cluster that stops
/// (and stops this child with it) takes its stats out of every view and sink. Every <c>stats_flush_interval</c> it
/// latches the scope (counter deltas, histogram intervals) and sends the snapshot to each registered sink.
/// </summary>
public sealed class StatsScopeActor : ReceiveActor, IWithTimers
{
    private readonly StatsStore _store;
    private readonly string _prefix;
    private StatsScope _scope = null!;

    public StatsScopeActor(StatsStore store, string prefix)
    {
        _store = store;
        _prefix = prefix;
        Receive<FlushTick>(_ => Flush());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(StatsStore store, string prefix) => Akka.Actor.Props.Create(() => new StatsScopeActor(store, prefix));

    protected override void PreStart()
    {
        _scope = _store.GetOrCreate(_prefix);
        Timers.StartPeriodicTimer("flush", FlushTick.Instance, _store.Settings.FlushInterval);
    }

    protected override void PostStop()
    {
        _store.Remove(_scope);
        // A name a later config version added back has a new scope under this prefix: that one stays, in every sink.
        if (_store.Contains(_prefix))
        {
            return;
        }
        var removed = new StatsSinkProtocol.ScopeRemoved(_prefix);
        foreach (var sink in _store.Sinks.Current)
        {
            sink.Tell(removed);
        }
    }

    private void Flush()
    {
        var flush = new StatsSinkProtocol.Flush(_scope.Latch(DateTimeOffset.UtcNow, _store.Settings.FlushInterval));
        foreach (var sink in _store.Sinks.Current)
        {
            sink.Tell(flush);
        }
    }

    private sealed record FlushTick
    {
        public static readonly FlushTick Instance = new();
    }
}
