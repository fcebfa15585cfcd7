using Akka;
using Akka.Actor;

namespace ActorMesh.Node;

/// <summary>
/// Prints a node's way out on stdout, one line per step, so an operator (and the rolling-restart script) can see that
/// it drained before it left the cluster: CoordinatedShutdown runs these phases in this order.
/// </summary>
internal static class ShutdownReport
{
    public static void Register(ActorSystem system, TimeSpan drainTime, bool cluster)
    {
        var shutdown = CoordinatedShutdown.Get(system);
        shutdown.AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "actormesh-report-draining", () =>
            Print($"shutting down ({shutdown.ShutdownReason?.GetType().Name ?? "unknown reason"}): /ready is DRAINING, listeners stop accepting, requests in flight get up to {drainTime.TotalSeconds:0}s"));
        shutdown.AddTask(CoordinatedShutdown.PhaseServiceStop, "actormesh-report-drained", () => Print("listeners drained"));
        if (cluster)
        {
            shutdown.AddTask(CoordinatedShutdown.PhaseClusterExitingDone, "actormesh-report-left", () => Print("left the cluster"));
        }
    }

    private static Task<Done> Print(string line)
    {
        Console.WriteLine("actormesh: " + line);
        return Task.FromResult(Done.Instance);
    }
}
