using System.Globalization;
using System.Text.RegularExpressions;

namespace ActorMesh.Config;

/// <summary>Protobuf <c>Duration</c> in its JSON form (<c>1.5s</c>) and its message form (<c>{seconds, nanos}</c>).</summary>
internal static partial class DurationParser
{
    /// <summary>google.protobuf.Duration's documented range: 10,000 years.</summary>
    public const long MaxSeconds = 315_576_000_000;

    public const long MaxNanos = 999_999_999;

    private const long NanosPerTick = 1_000_000_000 / TimeSpan.TicksPerSecond;

    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = default;
        var match = JsonDuration().Match(text);
        if (!match.Success
            || !long.TryParse(match.Groups["seconds"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > MaxSeconds)
        {
            return false;
        }
        var fraction = match.Groups["fraction"].Value;
        var nanos = fraction.Length == 0 ? 0 : long.Parse(fraction.PadRight(9, '0'), CultureInfo.InvariantCulture);
        duration = FromParts(seconds, nanos);
        return true;
    }

    public static TimeSpan FromParts(long seconds, long nanos) =>
        TimeSpan.FromTicks(seconds * TimeSpan.TicksPerSecond + nanos / NanosPerTick);

    [GeneratedRegex(@"^(?<seconds>[0-9]+)(\.(?<fraction>[0-9]{1,9}))?s$", RegexOptions.CultureInvariant)]
    private static partial Regex JsonDuration();
}
