using System.Net;
using System.Net.Sockets;

namespace ActorMesh.Tests.Support;

/// <summary>
/// A loopback port nothing listens on for as long as it is held: bound but never listening, so connecting to it is
/// refused and the OS cannot hand it to another socket meanwhile (a port merely closed again could become the proxy's
/// own listener, and requests meant to fail would then loop back into the proxy).
/// </summary>
internal sealed class DeadPort : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    public DeadPort() => _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));

    public int Port => ((IPEndPoint)_socket.LocalEndPoint!).Port;

    public void Dispose() => _socket.Dispose();
}
