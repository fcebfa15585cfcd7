using System.Globalization;
using ActorMesh.Config;
using ActorMesh.Runtime;

namespace ActorMesh.Routing;

/// <summary>
/// Envoy's <c>featureEnabled(runtime_key, default_value)</c>: a request is in when a random number modulo the
/// denominator is below the numerator. A runtime key holding an integer replaces the default numerator.
/// </summary>
internal sealed class RuntimeFraction(RuntimeFractionConfig config)
{
    public bool Sample(RuntimeLoader? runtime)
    {
        var numerator = config.Numerator;
        if (config.RuntimeKey is { } key && runtime?.Get(key) is { } text
            && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var fromRuntime))
        {
            numerator = fromRuntime;
        }
        var denominator = (long)config.Denominator;
        if (numerator >= denominator)
        {
            return true;
        }
        return numerator > 0 && Random.Shared.NextInt64(denominator) < numerator;
    }
}
