using System.Net.Sockets;

namespace ActorMesh.Tests.Support;

/// <summary>What the raw test servers share: stopping their accept loop and waiting (bounded) for their connections.</summary>
internal static class LoopbackServer
{
    public static async Task StopAsync(CancellationTokenSource stop, TcpListener listener, Task acceptLoop, List<Task> connections)
    {
        stop.Cancel();
        listener.Stop();
        try
        {
            await acceptLoop;
        }
        catch (Exception)
        {
            // The listener was stopped under it.
        }
        Task[] open;
        lock (connections)
        {
            open = connections.ToArray();
        }
        await Task.WhenAny(Task.WhenAll(open), Task.Delay(TimeSpan.FromSeconds(5)));
    }
}
