using ActorMesh.Config;
using ActorMesh.Http;
using ActorMesh.Runtime;

namespace ActorMesh.AccessLog.Filters;

/// <summary>
/// <c>runtime_filter</c>: Envoy's <c>featureEnabled(runtime_key, percent_sampled, random)</c>, where the random value
/// is the <c>x-request-id</c>'s integer (so every hop samples the same requests) unless
/// <c>use_independent_randomness</c> asks for a fresh draw or the request has no usable id.
/// </summary>
internal sealed class RuntimeFilter(RuntimeFilterConfig config, RuntimeLoader? runtime) : AccessLogFilter
{
    public override bool Evaluate(StreamInfo info)
    {
        ulong? random = !config.UseIndependentRandomness && RequestId.TryGetInteger(info.Request?.Headers.Get("x-request-id"), out var id)
            ? id
            : null;
        return RuntimeFeature.Enabled(runtime, config.RuntimeKey, config.PercentSampled.Numerator, config.PercentSampled.Denominator, random);
    }
}
