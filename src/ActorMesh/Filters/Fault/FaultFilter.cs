using ActorMesh.Http;

namespace ActorMesh.Filters.Fault;

/// <summary>
/// A request chosen for a fault: delayed first (<c>DI</c>), then aborted (<c>FI</c>) when it has both, as Envoy's
/// <c>postDelayInjection</c> does. Holds one of the active faults until the exchange ends.
/// </summary>
internal sealed class FaultFilter(FaultStats stats, TimeSpan? delay, int? abortStatus) : HttpFilter
{
    /// <summary>Envoy's local reply body for an injected abort.</summary>
    public const string AbortBody = "fault filter abort";

    public override FilterStatus OnRequestHeaders(in HttpFilterContext context)
    {
        if (delay is { } duration)
        {
            stats.DelaysInjected.Inc();
            context.Info.Flags |= ResponseFlags.DelayInjected;
            return FilterStatus.Delay(duration);
        }
        return Abort();
    }

    public override FilterStatus OnDelayElapsed(in HttpFilterContext context) => Abort();

    public override void OnComplete() => stats.ActiveFaults.Dec();

    private FilterStatus Abort()
    {
        if (abortStatus is not { } status)
        {
            return FilterStatus.Continue;
        }
        stats.AbortsInjected.Inc();
        return FilterStatus.LocalReply(new FilterLocalReply(status, AbortBody, ResponseFlags.FaultInjected, "fault_filter_abort"));
    }
}
