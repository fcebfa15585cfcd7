using System.Net;
using ActorMesh.Config;
using ActorMesh.Hosting;
using ActorMesh.Runtime;
using ActorMesh.Stats;
using ActorMesh.Upstream;

namespace ActorMesh.Admin;

/// <summary>What the admin endpoints read and act on: live stats and cluster state, the config being served, the server.</summary>
public sealed record AdminContext(
    ServedConfig Served,
    StatsStore Stats,
    DateTimeOffset StartedAt,
    string Version)
{
    /// <summary>The config of the version being served now.</summary>
    public BootstrapConfig Config => Served.Current.Config;

    /// <summary>The clusters of the version being served now.</summary>
    public IReadOnlyDictionary<string, UpstreamCluster> Clusters => Served.Current.Clusters;

    public required ServerState Server { get; init; }

    public required ServerOptions Options { get; init; }

    public required IServerControl Control { get; init; }

    public required RuntimeLoader Runtime { get; init; }

    public required ILogLevels Logging { get; init; }

    /// <summary>Redacts secrets from <c>/config_dump</c>; see <see cref="SensitiveAttribute"/>.</summary>
    public ConfigDumpRedaction Redaction { get; init; } = ConfigDumpRedaction.Default;
}

/// <summary>An admin answer before it is framed for the wire; <paramref name="AfterSent"/> runs once it is written.</summary>
public sealed record AdminResponse(int Status, string ContentType, string Body, Action? AfterSent = null)
{
    /// <summary>
    /// An answer that is not known yet (a config version being applied): the admin connection writes this one's
    /// result when it completes, and nothing before. Only the control path waits on it.
    /// </summary>
    public Task<AdminResponse>? Deferred { get; init; }
}

/// <summary>
/// What became of a config offered to the node: <paramref name="Nack"/> is null when it is now served, else the
/// reason it was refused (the node still serves <see cref="ConfigStatus.Version"/> of <paramref name="Status"/>).
/// </summary>
public sealed record ConfigApplyOutcome(ConfigStatus Status, string? Nack, bool TimedOut = false);

/// <summary>What the admin asks of the running server (Envoy's listener manager and server commands).</summary>
public interface IServerControl
{
    /// <summary>Where each data-plane listener (by name) is bound, in config order; empty until they are.</summary>
    IReadOnlyList<KeyValuePair<string, EndPoint>> ListenerAddresses { get; }

    /// <summary>Envoy's <c>stopListeners</c>, or with <paramref name="graceful"/> its drain sequence first.</summary>
    void DrainListeners(bool graceful, bool inboundOnly);

    /// <summary>Runs the node's shutdown: unbind, drain, exit.</summary>
    void Shutdown();

    /// <summary>Applies a validated config as the node's next version (the control path; it may take seconds).</summary>
    Task<ConfigApplyOutcome> ApplyConfigAsync(BootstrapConfig config, string source);
}

/// <summary>Loggers whose level the admin's <c>/logging</c> lists and changes at run time.</summary>
public interface ILogLevels
{
    /// <summary>Each logger's name and Envoy level name, sorted by name.</summary>
    IReadOnlyList<KeyValuePair<string, string>> Loggers { get; }

    /// <summary>Sets one logger's level, or every logger's when <paramref name="logger"/> is null; false if unknown.</summary>
    bool TrySetLevel(string? logger, string level);
}
