using System.Net;
using ActorMesh.Config;
using ActorMesh.Upstream;

namespace ActorMesh.Listeners;

public static class ListenerManagerProtocol
{
    /// <summary>
    /// Serve <paramref name="Listeners"/> over <paramref name="Clusters"/> (already warmed): bind the new ones; if any
    /// fails, unbind them again and answer <see cref="Rejected"/> with nothing served changed. Otherwise give changed
    /// listeners their new snapshot, drain and unbind removed ones, and answer <see cref="Applied"/>.
    /// </summary>
    public sealed record Apply(long Version, EquatableArray<ListenerConfig> Listeners, IReadOnlyDictionary<string, UpstreamCluster> Clusters);

    /// <summary>Where each listener of the version is bound, in config order.</summary>
    public sealed record Applied(long Version, IReadOnlyList<KeyValuePair<string, EndPoint>> Addresses);

    /// <summary>The version's NACK reason, as each failing listener reported it.</summary>
    public sealed record Rejected(long Version, string Reason);

    /// <summary>Envoy's <c>stopListeners</c>: no new connections on any listener; open ones carry on.</summary>
    public sealed record StopListeners
    {
        public static readonly StopListeners Instance = new();
    }

    /// <summary>
    /// Stop accepting, answered with <see cref="Unbound"/> once every listener has; no version is applied after it.
    /// </summary>
    public sealed record Unbind
    {
        public static readonly Unbind Instance = new();
    }

    public sealed record Unbound
    {
        public static readonly Unbound Instance = new();
    }

    /// <summary>
    /// Every listener's drain (<see cref="ListenerProtocol.Drain"/>), answered with <see cref="Drained"/> when all
    /// are drained or <paramref name="Timeout"/> has passed; no version is applied after it.
    /// </summary>
    public sealed record Drain(TimeSpan Timeout);

    public sealed record Drained
    {
        public static readonly Drained Instance = new();
    }
}
