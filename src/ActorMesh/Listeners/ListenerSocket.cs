using System.Net;
using System.Net.Sockets;
using Akka;
using Akka.Actor;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Dsl;
using Tcp = Akka.Streams.Dsl.Tcp;

namespace ActorMesh.Listeners;

/// <summary>Which socket edge a listener's connections use; the codec and router behind it are the same.</summary>
public enum SocketEdge
{
    /// <summary><see cref="SocketConnectionStage"/>: a stage owning its socket (the default; fewer hops per request).</summary>
    Socket,

    /// <summary>Akka.Streams <c>Tcp().Bind</c> over Akka.IO.</summary>
    AkkaIo,
}

/// <summary>A bound listening socket: where it is, and how to let go of it.</summary>
public sealed record ListenerBinding(EndPoint LocalAddress, Func<Task> Unbind);

/// <summary>
/// Binds a listener's address on the chosen edge and hands every accepted connection over as a byte flow
/// (<c>Flow&lt;ByteString, ByteString&gt;</c>), so the rest of the data path does not know which edge it runs on.
/// </summary>
internal static class ListenerSocket
{
    // Akka.IO's default backlog of 100 drops connections under load; Envoy uses the kernel's somaxconn.
    private const int Backlog = 1024;

    private static readonly TimeSpan UnbindTimeout = TimeSpan.FromSeconds(5);

    // An accept that fails for a reason other than the socket closing (say, out of file descriptors) is retried
    // after this pause instead of spinning.
    private static readonly TimeSpan AcceptRetryDelay = TimeSpan.FromMilliseconds(100);

    public static Task<ListenerBinding> BindAsync(
        ActorSystem system,
        IMaterializer materializer,
        IPEndPoint endpoint,
        ListenerSettings settings,
        Action<AcceptedConnection> onAccepted) =>
        settings.Edge == SocketEdge.AkkaIo
            ? BindAkkaIoAsync(system, materializer, endpoint, onAccepted)
            : BindSocket(endpoint, settings.BufferLimitBytes, onAccepted);

    private static async Task<ListenerBinding> BindAkkaIoAsync(
        ActorSystem system, IMaterializer materializer, IPEndPoint endpoint, Action<AcceptedConnection> onAccepted)
    {
        var binding = await TcpBindSource.Create(system, endpoint, Backlog, null, UnbindTimeout)
            .ToMaterialized(Sink.ForEach<Tcp.IncomingConnection>(c => onAccepted(new AcceptedConnection(c.Flow, new DownstreamAddresses(c.RemoteAddress, c.LocalAddress)))), Keep.Left)
            .Run(materializer);
        return new ListenerBinding(binding.LocalAddress, binding.Unbind);
    }

    private static Task<ListenerBinding> BindSocket(IPEndPoint endpoint, int bufferLimit, Action<AcceptedConnection> onAccepted)
    {
        // No SO_REUSEADDR: on Linux .NET also sets SO_REUSEPORT with it, and a port taken twice must fail to bind.
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(endpoint);
            socket.Listen(Backlog);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            return Task.FromException<ListenerBinding>(e);
        }
        var closed = new CancellationTokenSource();
        _ = AcceptLoop(socket, bufferLimit, onAccepted, closed.Token);
        return Task.FromResult(new ListenerBinding(socket.LocalEndPoint!, () =>
        {
            closed.Cancel();
            socket.Dispose();
            return Task.CompletedTask;
        }));
    }

    private static async Task AcceptLoop(Socket listener, int bufferLimit, Action<AcceptedConnection> onAccepted, CancellationToken closed)
    {
        while (!closed.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(closed);
            }
            catch (Exception e) when (e is ObjectDisposedException or OperationCanceledException)
            {
                return;
            }
            catch (SocketException)
            {
                if (closed.IsCancellationRequested)
                {
                    return;
                }
                await Task.Delay(AcceptRetryDelay, CancellationToken.None);
                continue;
            }
            client.NoDelay = true;
            var addresses = new DownstreamAddresses(client.RemoteEndPoint!, client.LocalEndPoint!);
            onAccepted(new AcceptedConnection(Flow.FromGraph(new SocketConnectionStage(client, bufferLimit)), addresses));
        }
    }
}
