using ActorMesh.Config;
using ActorMesh.Http;
using ActorMesh.Runtime;

namespace ActorMesh.AccessLog.Filters;

/// <summary>Envoy's <c>ComparisonFilter</c>: a value compared with a runtime-overridable default.</summary>
internal abstract class ComparisonFilter(ComparisonConfig config, RuntimeLoader? runtime) : AccessLogFilter
{
    protected bool Compare(long value)
    {
        var against = config.RuntimeKey is { } key ? RuntimeFeature.Integer(runtime, key, config.DefaultValue) : config.DefaultValue;
        return config.Op switch
        {
            ComparisonOp.Ge => value >= against,
            ComparisonOp.Le => value <= against,
            _ => value == against,
        };
    }
}

/// <summary><c>status_code_filter</c>: 0 when no response was sent, as Envoy compares it.</summary>
internal sealed class StatusCodeFilter(ComparisonConfig config, RuntimeLoader? runtime) : ComparisonFilter(config, runtime)
{
    public override bool Evaluate(StreamInfo info) => Compare(info.ResponseCode);
}

/// <summary><c>duration_filter</c>: whole milliseconds so far (the whole exchange once it has ended).</summary>
internal sealed class DurationFilter(ComparisonConfig config, RuntimeLoader? runtime) : ComparisonFilter(config, runtime)
{
    public override bool Evaluate(StreamInfo info) => Compare((long)info.CurrentDuration.TotalMilliseconds);
}
