using ActorMesh.Stats;

namespace ActorMesh.Listeners;

/// <summary>Envoy's <c>listener_manager.*</c> stats, with <c>lds.*</c> counting every config version offered to the node.</summary>
public sealed class ListenerManagerStats
{
    public const string ScopePrefix = "listener_manager.";

    public ListenerManagerStats(StatsScope scope)
    {
        ListenerAdded = scope.Counter("listener_added");
        ListenerModified = scope.Counter("listener_modified");
        ListenerRemoved = scope.Counter("listener_removed");
        ListenerCreateSuccess = scope.Counter("listener_create_success");
        ListenerCreateFailure = scope.Counter("listener_create_failure");
        TotalListenersActive = scope.Gauge("total_listeners_active");
        TotalListenersDraining = scope.Gauge("total_listeners_draining");
        LdsUpdateAttempt = scope.Counter("lds.update_attempt");
        LdsUpdateSuccess = scope.Counter("lds.update_success");
        LdsUpdateRejected = scope.Counter("lds.update_rejected");
        LdsVersion = scope.Gauge("lds.version");
    }

    public Counter ListenerAdded { get; }
    public Counter ListenerModified { get; }
    public Counter ListenerRemoved { get; }
    public Counter ListenerCreateSuccess { get; }
    public Counter ListenerCreateFailure { get; }
    public Gauge TotalListenersActive { get; }
    public Gauge TotalListenersDraining { get; }
    public Counter LdsUpdateAttempt { get; }
    public Counter LdsUpdateSuccess { get; }
    public Counter LdsUpdateRejected { get; }

    /// <summary>The applied version number (Envoy keeps a hash of <c>version_info</c> here; ours is the number itself).</summary>
    public Gauge LdsVersion { get; }
}
