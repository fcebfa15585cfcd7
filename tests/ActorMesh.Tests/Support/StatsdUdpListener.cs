using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ActorMesh.Tests.Support;

/// <summary>A statsd server's receiving end on 127.0.0.1: records every datagram and its lines as they arrive.</summary>
internal sealed class StatsdUdpListener : IDisposable
{
    private readonly UdpClient _client = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly List<string> _datagrams = [];
    private readonly SemaphoreSlim _arrived = new(0);
    private readonly Task _loop;

    public StatsdUdpListener() => _loop = ReceiveLoop();

    public int Port => ((IPEndPoint)_client.Client.LocalEndPoint!).Port;

    public IReadOnlyList<string> Datagrams
    {
        get
        {
            lock (_datagrams)
            {
                return _datagrams.ToArray();
            }
        }
    }

    public IReadOnlyList<string> Lines => Datagrams.SelectMany(d => d.Split('\n')).ToArray();

    /// <summary>Waits until the lines received so far satisfy <paramref name="condition"/>; fails after <paramref name="timeout"/>.</summary>
    public async Task<IReadOnlyList<string>> WaitFor(Func<IReadOnlyList<string>, bool> condition, TimeSpan timeout, string what)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            var lines = Lines;
            if (condition(lines))
            {
                return lines;
            }
            try
            {
                await _arrived.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"statsd lines never showed {what}; received:\n{string.Join("\n", Lines.Take(200))}");
            }
        }
    }

    public void Dispose()
    {
        _client.Dispose();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The loop ends with the socket's disposal.
        }
    }

    private async Task ReceiveLoop()
    {
        try
        {
            while (true)
            {
                var datagram = await _client.ReceiveAsync();
                lock (_datagrams)
                {
                    _datagrams.Add(Encoding.UTF8.GetString(datagram.Buffer));
                }
                _arrived.Release();
            }
        }
        catch (Exception e) when (e is ObjectDisposedException or SocketException)
        {
            // Disposed by the test.
        }
    }
}
