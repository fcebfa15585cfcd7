using System.Net;
using ActorMesh.Config;
using ActorMesh.Hosting;
using ActorMesh.Runtime;
using ActorMesh.Stats;
using ActorMesh.Upstream;

namespace ActorMesh.Admin;

/// <summary>What the admin endpoints read and act on: live stats and cluster state, the config being served, the server.</summary>
public sealed record AdminContext(
    BootstrapConfig Config,
    StatsStore Stats,
    IReadOnlyDictionary<string, UpstreamCluster> Clusters,
    DateTimeOffset StartedAt,
    string Version)
{
    public required ServerState Server { get; init; }

    public required ServerOptions Options { get; init; }

    public required IServerControl Control { get; init; }

    public required RuntimeLoader Runtime { get; init; }

    public required ILogLevels Logging { get; init; }

    /// <summary>Redacts secrets from <c>/config_dump</c>; see <see cref="SensitiveAttribute"/>.</summary>
    public ConfigDumpRedaction Redaction { get; init; } = ConfigDumpRedaction.Default;
}

/// <summary>An admin answer before it is framed for the wire; <paramref name="AfterSent"/> runs once it is written.</summary>
public sealed record AdminResponse(int Status, string ContentType, string Body, Action? AfterSent = null);

/// <summary>What the admin asks of the running server (Envoy's listener manager and server commands).</summary>
public interface IServerControl
{
    /// <summary>Where each data-plane listener (by name) is bound, in config order; empty until they are.</summary>
    IReadOnlyList<KeyValuePair<string, EndPoint>> ListenerAddresses { get; }

    /// <summary>Envoy's <c>stopListeners</c>, or with <paramref name="graceful"/> its drain sequence first.</summary>
    void DrainListeners(bool graceful, bool inboundOnly);

    /// <summary>Runs the node's shutdown: unbind, drain, exit.</summary>
    void Shutdown();
}

/// <summary>Loggers whose level the admin's <c>/logging</c> lists and changes at run time.</summary>
public interface ILogLevels
{
    /// <summary>Each logger's name and Envoy level name, sorted by name.</summary>
    IReadOnlyList<KeyValuePair<string, string>> Loggers { get; }

    /// <summary>Sets one logger's level, or every logger's when <paramref name="logger"/> is null; false if unknown.</summary>
    bool TrySetLevel(string? logger, string level);
}
