using System.Globalization;
using ActorMesh.Config;
using ActorMesh.Http;
using ActorMesh.Routing;
using ActorMesh.Runtime;

namespace ActorMesh.Filters.Fault;

/// <summary>
/// One <c>HTTPFault</c> compiled: which requests it applies to and, per request, the delay and abort to inject,
/// with Envoy's header-controlled faults and runtime overrides (<c>fault.http.*</c>).
/// </summary>
internal sealed class FaultPolicy(FaultConfig config)
{
    public const string AbortHeader = "x-envoy-fault-abort-request";
    public const string AbortPercentageHeader = "x-envoy-fault-abort-request-percentage";
    public const string DelayHeader = "x-envoy-fault-delay-request";
    public const string DelayPercentageHeader = "x-envoy-fault-delay-request-percentage";

    // Envoy's default runtime keys (HTTPFault's *_runtime fields).
    private const string AbortPercentKey = "fault.http.abort.abort_percent";
    private const string AbortStatusKey = "fault.http.abort.http_status";
    private const string DelayPercentKey = "fault.http.delay.fixed_delay_percent";
    private const string DelayDurationKey = "fault.http.delay.fixed_duration_ms";
    private const string MaxActiveFaultsKey = "fault.http.max_active_faults";

    private readonly HeaderMatcher[] _headers = config.Headers.Select(h => new HeaderMatcher(h)).ToArray();

    public bool Applies(in HttpFilterContext context)
    {
        if (config.UpstreamCluster is { } cluster && context.Route?.Cluster != cluster)
        {
            return false;
        }
        var headers = context.Request.Headers;
        if (config.DownstreamNodes.Count > 0
            && (headers.Get("x-envoy-downstream-service-node") is not { } node || !config.DownstreamNodes.Contains(node)))
        {
            return false;
        }
        foreach (var matcher in _headers)
        {
            if (!matcher.Matches(context.Request))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Envoy's <c>delayDuration</c>: null when this request is not delayed.</summary>
    public TimeSpan? Delay(HttpHeaders headers, RuntimeLoader? runtime)
    {
        if (config.Delay is not { } delay)
        {
            return null;
        }
        var percent = Percentage(delay.Percentage, delay.HeaderDelay, headers, DelayPercentageHeader);
        if (!RuntimeFeature.Enabled(runtime, DelayPercentKey, percent.Numerator, percent.Denominator))
        {
            return null;
        }
        long? configured = delay.HeaderDelay
            ? (ParseUnsigned(headers.Get(DelayHeader)) is { } ms ? (long)ms : null)
            : (long?)delay.FixedDelay?.TotalMilliseconds;
        if (configured is not { } fallback)
        {
            return null;
        }
        var duration = RuntimeFeature.Integer(runtime, DelayDurationKey, fallback);
        return duration > 0 ? TimeSpan.FromMilliseconds(duration) : null;
    }

    /// <summary>Envoy's <c>isAbortEnabled</c> and <c>abortHttpStatus</c>: null when this request is not aborted.</summary>
    public int? Abort(HttpHeaders headers, RuntimeLoader? runtime)
    {
        if (config.Abort is not { } abort)
        {
            return null;
        }
        int? status = abort.HeaderAbort
            ? (ParseUnsigned(headers.Get(AbortHeader)) is { } fromHeader and >= 200 and < 600 ? (int)fromHeader : null)
            : abort.HttpStatus;
        if (status is null)
        {
            return null;
        }
        var percent = Percentage(abort.Percentage, abort.HeaderAbort, headers, AbortPercentageHeader);
        if (!RuntimeFeature.Enabled(runtime, AbortPercentKey, percent.Numerator, percent.Denominator))
        {
            return null;
        }
        var runtimeStatus = RuntimeFeature.Integer(runtime, AbortStatusKey, status.Value);
        return runtimeStatus is >= 200 and < 600 ? (int)runtimeStatus : status;
    }

    public long? MaxActiveFaults(RuntimeLoader? runtime) =>
        config.MaxActiveFaults is { } max ? RuntimeFeature.Integer(runtime, MaxActiveFaultsKey, max) : null;

    /// <summary>
    /// A header-controlled fault's percentage header sets the numerator over the configured denominator, never above
    /// the configured numerator (Envoy's <c>HeaderPercentageProvider</c>).
    /// </summary>
    private static FractionalPercentConfig Percentage(FractionalPercentConfig configured, bool headerControlled, HttpHeaders headers, string header)
    {
        if (!headerControlled || ParseUnsigned(headers.Get(header)) is not { } numerator)
        {
            return configured;
        }
        return configured with { Numerator = Math.Min((long)Math.Min(numerator, long.MaxValue), configured.Numerator) };
    }

    private static ulong? ParseUnsigned(string? text) =>
        text is not null && ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
}
