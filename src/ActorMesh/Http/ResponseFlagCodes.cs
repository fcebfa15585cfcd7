using System.Text;

namespace ActorMesh.Http;

/// <summary>
/// Envoy's short codes for <see cref="ResponseFlags"/> (<c>ResponseFlagUtils::toShortString</c>): the set flags in
/// Envoy's <c>ResponseFlag</c> order joined with <c>,</c>, or <c>-</c> when none is set.
/// </summary>
public static class ResponseFlagCodes
{
    public const string None = "-";

    // Envoy's ALL_RESPONSE_STRINGS_FLAGS order, restricted to the flags ActorMesh can set.
    private static readonly (ResponseFlags Flag, string Code)[] InEnvoyOrder =
    [
        (ResponseFlags.FailedLocalHealthCheck, "LH"),
        (ResponseFlags.NoHealthyUpstream, "UH"),
        (ResponseFlags.UpstreamRequestTimeout, "UT"),
        (ResponseFlags.LocalReset, "LR"),
        (ResponseFlags.UpstreamRemoteReset, "UR"),
        (ResponseFlags.UpstreamConnectionFailure, "UF"),
        (ResponseFlags.UpstreamConnectionTermination, "UC"),
        (ResponseFlags.UpstreamOverflow, "UO"),
        (ResponseFlags.NoRouteFound, "NR"),
        (ResponseFlags.DelayInjected, "DI"),
        (ResponseFlags.FaultInjected, "FI"),
        (ResponseFlags.RateLimited, "RL"),
        (ResponseFlags.DownstreamConnectionTermination, "DC"),
        (ResponseFlags.UpstreamRetryLimitExceeded, "URX"),
        (ResponseFlags.StreamIdleTimeout, "SI"),
        (ResponseFlags.DownstreamProtocolError, "DPE"),
        (ResponseFlags.DurationTimeout, "DT"),
        (ResponseFlags.UpstreamProtocolError, "UPE"),
        (ResponseFlags.NoClusterFound, "NC"),
    ];

    /// <summary>
    /// Every short code Envoy's <c>response_flag_filter</c> accepts, including those of flags ActorMesh never sets
    /// (a filter naming one is valid and simply never matches).
    /// </summary>
    public static readonly IReadOnlySet<string> EnvoyCodes = new HashSet<string>(StringComparer.Ordinal)
    {
        "LH", "UH", "UT", "LR", "UR", "UF", "UC", "UO", "NR", "DI", "FI", "RL", "UAEX", "RLSE", "DC", "URX", "SI", "IH",
        "DPE", "UMSDR", "RFCF", "NFCF", "DT", "UPE", "NC", "OM", "DF", "DO", "DR",
    };

    /// <summary>The flag a short code stands for; <see cref="ResponseFlags.None"/> for codes ActorMesh never sets.</summary>
    public static ResponseFlags FromShortCode(string code)
    {
        foreach (var (flag, known) in InEnvoyOrder)
        {
            if (known == code)
            {
                return flag;
            }
        }
        return ResponseFlags.None;
    }

    /// <summary>The short code of a single flag, e.g. <c>NR</c>; null for <see cref="ResponseFlags.None"/> or a combination.</summary>
    public static string? ShortCode(ResponseFlags flag)
    {
        foreach (var (f, code) in InEnvoyOrder)
        {
            if (f == flag)
            {
                return code;
            }
        }
        return null;
    }

    public static string ToShortString(ResponseFlags flags)
    {
        if (flags == ResponseFlags.None)
        {
            return None;
        }
        var builder = new StringBuilder();
        Append(flags, builder);
        return builder.ToString();
    }

    /// <summary>Appends the short string without an intermediate string, for the access log's hot path.</summary>
    public static void Append(ResponseFlags flags, StringBuilder output)
    {
        if (flags == ResponseFlags.None)
        {
            output.Append(None);
            return;
        }
        var first = true;
        foreach (var (flag, code) in InEnvoyOrder)
        {
            if ((flags & flag) != 0)
            {
                if (!first)
                {
                    output.Append(',');
                }
                output.Append(code);
                first = false;
            }
        }
    }
}
