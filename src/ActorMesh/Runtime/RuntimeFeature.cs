using System.Globalization;
using ActorMesh.Config;

namespace ActorMesh.Runtime;

/// <summary>
/// Envoy's <c>Snapshot::featureEnabled(key, FractionalPercent)</c>: a runtime integer under the key is a percentage
/// (denominator HUNDRED, above 100 always on), else the default fraction; then a random draw.
/// </summary>
public static class RuntimeFeature
{
    public static bool Enabled(RuntimeLoader? runtime, string? key, long numerator, FractionDenominator denominator) =>
        Enabled(runtime, key, numerator, denominator, randomValue: null);

    /// <summary>
    /// As above, deciding on <paramref name="randomValue"/> modulo the denominator (Envoy's
    /// <c>featureEnabled(key, default, random_value)</c>, e.g. the request id's integer) instead of a fresh draw.
    /// </summary>
    public static bool Enabled(RuntimeLoader? runtime, string? key, long numerator, FractionDenominator denominator, ulong? randomValue)
    {
        if (key is not null && runtime?.Get(key) is { } text
            && ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var percent))
        {
            if (percent > 100)
            {
                return true;
            }
            numerator = (long)percent;
            denominator = FractionDenominator.Hundred;
        }
        var scale = (long)denominator;
        if (numerator >= scale)
        {
            return true;
        }
        var draw = randomValue is { } value ? (long)(value % (ulong)scale) : Random.Shared.NextInt64(scale);
        return numerator > 0 && draw < numerator;
    }

    public static bool Enabled(RuntimeLoader? runtime, RuntimeFractionConfig? fraction) =>
        fraction is not null && Enabled(runtime, fraction.RuntimeKey, fraction.Numerator, fraction.Denominator);

    /// <summary>Envoy's <c>getInteger(key, default)</c>.</summary>
    public static long Integer(RuntimeLoader? runtime, string key, long defaultValue) =>
        runtime?.Get(key) is { } text && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : defaultValue;
}
