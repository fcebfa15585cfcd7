using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;

namespace ActorMesh.Stats.Sinks;

/// <summary>
/// Envoy's UDP statsd and DogStatsD sink: one datagram socket per sink, every flush written with non-blocking sends.
/// A datagram the kernel will not take is dropped (statsd over UDP is fire-and-forget in Envoy too).
/// </summary>
internal sealed class UdpStatsdSinkActor : ReceiveActor
{
    private readonly IPEndPoint _target;
    private readonly StatsdFormat _format;
    private readonly int _bufferSize;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private Socket _socket = null!;

    public UdpStatsdSinkActor(IPEndPoint target, StatsdFormat format, int bufferSize)
    {
        _target = target;
        _format = format;
        _bufferSize = bufferSize;
        Receive<StatsSinkProtocol.Flush>(flush => Send(flush.Snapshot));
        // Statsd servers aggregate on their side: a removed scope simply stops sending.
        Receive<StatsSinkProtocol.ScopeRemoved>(_ => { });
    }

    /// <param name="bufferSize">Envoy's buffer size: 0 sends one line per datagram.</param>
    public static Props Props(IPEndPoint target, StatsdFormat format, int bufferSize) =>
        Akka.Actor.Props.Create(() => new UdpStatsdSinkActor(target, format, bufferSize));

    protected override void PreStart() =>
        _socket = new Socket(_target.AddressFamily, SocketType.Dgram, ProtocolType.Udp) { Blocking = false };

    protected override void PostStop() => _socket.Dispose();

    private void Send(MetricsSnapshot snapshot)
    {
        foreach (var datagram in StatsdDatagrams.Pack(_format.Lines(snapshot), _bufferSize))
        {
            try
            {
                _socket.SendTo(datagram, _target);
            }
            catch (SocketException e)
            {
                _log.Debug("statsd datagram to {0} dropped: {1}", _target, e.SocketErrorCode);
            }
        }
    }
}
