using System.Net;
using ActorMesh.Admin;
using ActorMesh.Listeners;
using Akka.Actor;

namespace ActorMesh.Hosting;

/// <summary>The admin's hold on the running node: its data-plane listeners and its shutdown.</summary>
internal sealed class ServerControl : IServerControl
{
    private readonly ActorSystem _system;
    private readonly ServerState _state;
    private readonly List<IActorRef> _listeners = new();
    private volatile IReadOnlyList<KeyValuePair<string, EndPoint>> _addresses = [];

    public ServerControl(ActorSystem system, ServerState state)
    {
        _system = system;
        _state = state;
    }

    public IReadOnlyList<KeyValuePair<string, EndPoint>> ListenerAddresses => _addresses;

    /// <summary>A data-plane listener the admin may drain (never the admin's own).</summary>
    public void AddListener(IActorRef listener) => _listeners.Add(listener);

    public void SetAddresses(IReadOnlyList<KeyValuePair<string, EndPoint>> addresses) => _addresses = addresses;

    public void DrainListeners(bool graceful, bool inboundOnly)
    {
        // inboundOnly: no listener declares traffic_direction, and Envoy counts such a listener as inbound.
        if (!graceful)
        {
            _listeners.ForEach(l => l.Tell(ListenerProtocol.Unbind.Instance));
            return;
        }
        // As Envoy, a graceful drain already under way is not started again.
        if (_state.Draining)
        {
            return;
        }
        _state.StartDraining();
        _listeners.ForEach(l => l.Tell(ListenerProtocol.Drain.Instance));
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
