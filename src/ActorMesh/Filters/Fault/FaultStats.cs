using ActorMesh.Stats;

namespace ActorMesh.Filters.Fault;

/// <summary>Envoy's fault filter stats, in <c>http.&lt;stat_prefix&gt;.fault.</c>.</summary>
internal sealed class FaultStats(StatsScope hcmScope)
{
    public Counter DelaysInjected { get; } = hcmScope.Counter("fault.delays_injected");
    public Counter AbortsInjected { get; } = hcmScope.Counter("fault.aborts_injected");
    public Counter FaultsOverflow { get; } = hcmScope.Counter("fault.faults_overflow");
    public Gauge ActiveFaults { get; } = hcmScope.Gauge("fault.active_faults");
}
