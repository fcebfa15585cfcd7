using System.Net;
using ActorMesh.Admin;
using ActorMesh.Config;
using ActorMesh.Listeners;
using Akka.Actor;

namespace ActorMesh.Hosting;

/// <summary>The admin's hold on the running node: its data-plane listeners, its config versions and its shutdown.</summary>
internal sealed class ServerControl : IServerControl
{
    private readonly ActorSystem _system;
    private readonly ServerState _state;
    private readonly IActorRef _listenerManager;
    private readonly ServedConfig _served;
    private readonly IActorRef _configUpdates;
    private readonly TimeSpan _applyTimeout;

    public ServerControl(ActorSystem system, ServerState state, IActorRef listenerManager, ServedConfig served, IActorRef configUpdates, TimeSpan applyTimeout)
    {
        _system = system;
        _state = state;
        _listenerManager = listenerManager;
        _served = served;
        _configUpdates = configUpdates;
        _applyTimeout = applyTimeout;
    }

    public IReadOnlyList<KeyValuePair<string, EndPoint>> ListenerAddresses => _served.Current.ListenerAddresses;

    public void DrainListeners(bool graceful, bool inboundOnly)
    {
        // inboundOnly: no listener declares traffic_direction, and Envoy counts such a listener as inbound.
        if (!graceful)
        {
            _listenerManager.Tell(ListenerManagerProtocol.StopListeners.Instance);
            return;
        }
        // As Envoy, a graceful drain already under way is not started again.
        if (_state.Draining)
        {
            return;
        }
        _state.StartDraining();
        _listenerManager.Tell(new ListenerManagerProtocol.Drain(_applyTimeout), ActorRefs.NoSender);
    }

    public async Task<ConfigApplyOutcome> ApplyConfigAsync(BootstrapConfig config, string source)
    {
        try
        {
            return await _configUpdates.Ask(new ConfigUpdateProtocol.ApplyVersion(config, null, source), _applyTimeout) switch
            {
                ConfigUpdateProtocol.VersionApplied applied => new ConfigApplyOutcome(applied.Status, null),
                ConfigUpdateProtocol.VersionRejected rejected => new ConfigApplyOutcome(rejected.Status, rejected.Nack.Reason),
                var other => new ConfigApplyOutcome(_served.Status, $"unexpected answer {other.GetType().Name}"),
            };
        }
        catch (AskTimeoutException)
        {
            return new ConfigApplyOutcome(_served.Status, "the version was not applied in time", TimedOut: true);
        }
    }

    public void Shutdown() => CoordinatedShutdown.Get(_system).Run(QuitQuitQuitReason.Instance);

    /// <summary>Why the node stops when the admin's <c>/quitquitquit</c> asked it to.</summary>
    public sealed class QuitQuitQuitReason : CoordinatedShutdown.Reason
    {
        public static readonly QuitQuitQuitReason Instance = new();

        private QuitQuitQuitReason() { }

        /// <summary>A requested exit is a clean one.</summary>
        public override int ExitCode => 0;
    }
}
