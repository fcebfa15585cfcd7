using System.Net;
using System.Net.Sockets;

namespace ActorMesh.Tests.Support;

/// <summary>
/// A loopback port whose listen queue is full and never drained: the kernel drops further SYNs, so a connect to it
/// neither succeeds nor is refused, and fails only by its own timeout (a <c>connect_timeout</c> that can be awaited).
/// </summary>
internal sealed class FullBacklogPort : IDisposable
{
    // Linux queues backlog + 1 connections; a few more make sure the queue is full.
    private const int Fillers = 4;

    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly List<Socket> _fillers = new();

    private FullBacklogPort()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(0);
    }

    /// <summary>Opens the port and waits until its queue holds a connection, which fills a backlog of 0.</summary>
    public static async Task<FullBacklogPort> OpenAsync()
    {
        var port = new FullBacklogPort();
        var connects = new List<Task>();
        for (var i = 0; i < Fillers; i++)
        {
            var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            port._fillers.Add(filler);
            connects.Add(filler.ConnectAsync(IPAddress.Loopback, port.Port));
        }
        try
        {
            await Task.WhenAny(connects).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch
        {
            port.Dispose();
            throw;
        }
        foreach (var connect in connects)
        {
            _ = connect.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
        }
        return port;
    }

    public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

    public void Dispose()
    {
        foreach (var filler in _fillers)
        {
            filler.Dispose();
        }
        _listener.Dispose();
    }
}
