using Akka.Actor;

namespace ActorMesh.Stats;

/// <summary>
/// Owns one stats scope's lifetime: the scope exists while this actor lives, so a listener or cluster that stops
/// (and stops this child with it) takes its stats out of every view.
/// </summary>
public sealed class StatsScopeActor : ReceiveActor
{
    private readonly StatsStore _store;
    private readonly string _prefix;
    private StatsScope? _scope;

    public StatsScopeActor(StatsStore store, string prefix)
    {
        _store = store;
        _prefix = prefix;
    }

    public static Props Props(StatsStore store, string prefix) => Akka.Actor.Props.Create(() => new StatsScopeActor(store, prefix));

    protected override void PreStart() => _scope = _store.GetOrCreate(_prefix);

    protected override void PostStop()
    {
        if (_scope is not null)
        {
            _store.Remove(_scope);
        }
    }
}
