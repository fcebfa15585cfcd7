using ActorMesh.Stats;

namespace ActorMesh.Hosting;

/// <summary>Envoy's <c>envoy.admin.v3.ServerInfo.State</c>, with its numeric values (the <c>server.state</c> gauge).</summary>
public enum ServerLifecycle
{
    Live = 0,
    Draining = 1,
    PreInitializing = 2,
    Initializing = 3,
}

/// <summary>
/// The server-wide flags Envoy keeps on its <c>Server::Instance</c>: initialised yet, health checks failed by the admin
/// (<c>/healthcheck/fail</c>), draining. Any code may read them; they are kept in the <c>server.live</c> and
/// <c>server.state</c> gauges as Envoy does.
/// </summary>
public sealed class ServerState
{
    private readonly Gauge _live;
    private readonly Gauge _state;
    private volatile bool _initialized;
    private volatile bool _healthCheckFailed;
    private volatile bool _draining;

    public ServerState(StatsScope serverScope, DateTimeOffset startedAt)
    {
        StartedAt = startedAt;
        _live = serverScope.Gauge("live");
        _state = serverScope.Gauge("state");
        Publish();
    }

    public DateTimeOffset StartedAt { get; }

    /// <summary>Envoy's <c>healthCheckFailed()</c>: what a health check filter would answer with.</summary>
    public bool HealthCheckFailed => _healthCheckFailed;

    /// <summary>A graceful drain (<c>/drain_listeners?graceful</c> or shutdown) is under way.</summary>
    public bool Draining => _draining;

    public ServerLifecycle State => !_initialized ? ServerLifecycle.Initializing
        : _healthCheckFailed || _draining ? ServerLifecycle.Draining
        : ServerLifecycle.Live;

    public long UptimeSeconds => (long)(DateTimeOffset.UtcNow - StartedAt).TotalSeconds;

    /// <summary>Every listener is bound: the server is LIVE unless health checks were failed meanwhile.</summary>
    public void MarkInitialized()
    {
        _initialized = true;
        Publish();
    }

    public void FailHealthCheck(bool fail)
    {
        _healthCheckFailed = fail;
        Publish();
    }

    public void StartDraining()
    {
        _draining = true;
        Publish();
    }

    private void Publish()
    {
        // Envoy: server.live is 1 unless health checks are failed or the server drains.
        var state = State;
        _live.Set(state == ServerLifecycle.Live ? 1 : 0);
        _state.Set((long)state);
    }
}
