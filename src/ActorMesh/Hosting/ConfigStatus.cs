using System.Net;
using ActorMesh.Config;
using ActorMesh.Upstream;

namespace ActorMesh.Hosting;

/// <summary>A config version this node refused, and why (xDS's NACK: the node keeps serving its last good version).</summary>
public sealed record ConfigNack(long Version, string Source, string Reason, DateTimeOffset At);

/// <summary>
/// What <c>/config_status</c> shows: the version served, where it came from and when it was applied, and the last
/// NACK (which stays until a later version is applied, so a refused version is visible after the fact).
/// </summary>
public sealed record ConfigStatus(long Version, string Source, DateTimeOffset LastUpdated, ConfigNack? LastNack)
{
    /// <summary>xDS's <c>version_info</c>: the version as text.</summary>
    public string VersionInfo => Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>One applied version as the admin reads it: the config, its clusters and where its listeners are bound.</summary>
public sealed record ServedVersion(
    long Version,
    BootstrapConfig Config,
    IReadOnlyDictionary<string, UpstreamCluster> Clusters,
    IReadOnlyList<KeyValuePair<string, EndPoint>> ListenerAddresses);

/// <summary>
/// The node's current version and status, swapped whole by the <see cref="ConfigUpdateActor"/> and read without locks
/// by the admin and the server.
/// </summary>
public sealed class ServedConfig
{
    private ServedVersion _current;
    private ConfigStatus _status;

    public ServedConfig(ServedVersion initial, ConfigStatus status)
    {
        _current = initial;
        _status = status;
    }

    public ServedVersion Current => Volatile.Read(ref _current);

    public ConfigStatus Status => Volatile.Read(ref _status);

    internal void Publish(ServedVersion version, ConfigStatus status)
    {
        Volatile.Write(ref _current, version);
        Volatile.Write(ref _status, status);
    }

    internal void Publish(ConfigStatus status) => Volatile.Write(ref _status, status);
}
