using ActorMesh.Config;
using ActorMesh.Http;

namespace ActorMesh.Tracing;

/// <summary>Why a request is traced, as Envoy records it in the <c>x-request-id</c> UUID.</summary>
public enum TraceReason
{
    NotTraceable,
    Sampling,
    ClientForced,
    ServiceForced,
}

/// <summary>
/// Envoy's tracing decision (<c>ConnectionManagerUtility::mutateTracingRequestHeader</c>): a request already marked
/// traced by an earlier Envoy keeps its mark; otherwise <c>x-client-trace-id</c> (at <c>client_sampling</c>),
/// <c>x-envoy-force-trace</c>, or <c>random_sampling</c> on the request id mark it; <c>overall_sampling</c> can still
/// unmark it. The mark is written into the UUID's version digit, so hops downstream agree without another header.
/// </summary>
public static class TraceSampler
{
    public const string ClientTraceId = "x-client-trace-id";
    public const string ForceTrace = "x-envoy-force-trace";

    /// <summary>Envoy samples on the request id modulo 10,000, so a percentage counts in hundredths.</summary>
    private const int Denominator = 10_000;

    private const int UuidLength = 36;
    private const int TraceStatusIndex = 14;

    public static TraceReason Decide(HttpHeaders headers, TracingConfig config)
    {
        var requestId = headers.Get("x-request-id");
        // Without the request id's sampling integer nothing is decided.
        if (!RequestId.TryGetInteger(requestId, out var integer))
        {
            return TraceReason.NotTraceable;
        }
        var result = (long)(integer % Denominator);
        var marked = ReasonOf(requestId);
        var reason = marked;
        if (reason == TraceReason.NotTraceable)
        {
            if (headers.Get(ClientTraceId) is not null && Enabled(config.ClientSampling, Random.Shared.Next(Denominator)))
            {
                reason = TraceReason.ClientForced;
            }
            else if (headers.Get(ForceTrace) is not null)
            {
                reason = TraceReason.ServiceForced;
            }
            else if (Enabled(config.RandomSampling, result))
            {
                reason = TraceReason.Sampling;
            }
        }
        if (!Enabled(config.OverallSampling, result))
        {
            reason = TraceReason.NotTraceable;
        }
        return reason == marked ? reason : Mark(headers, requestId, reason);
    }

    /// <summary>Envoy's UUID trace status: the version digit is <c>9</c> sampled, <c>a</c> client, <c>b</c> forced.</summary>
    public static TraceReason ReasonOf(string requestId) => requestId.Length != UuidLength
        ? TraceReason.NotTraceable
        : requestId[TraceStatusIndex] switch
        {
            '9' => TraceReason.Sampling,
            'a' => TraceReason.ClientForced,
            'b' => TraceReason.ServiceForced,
            _ => TraceReason.NotTraceable,
        };

    /// <summary>A percentage of <see cref="Denominator"/>: <paramref name="value"/> (0..9999) is in when below it.</summary>
    private static bool Enabled(double percent, long value) => value < (long)(percent * (Denominator / 100));

    private static TraceReason Mark(HttpHeaders headers, string requestId, TraceReason reason)
    {
        // Only a UUID carries the mark; any other request id is never traced on its own account, as in Envoy.
        if (requestId.Length != UuidLength)
        {
            return TraceReason.NotTraceable;
        }
        var digit = reason switch
        {
            TraceReason.Sampling => '9',
            TraceReason.ClientForced => 'a',
            TraceReason.ServiceForced => 'b',
            _ => '4',
        };
        headers.Set("x-request-id", string.Create(UuidLength, (requestId, digit), static (span, state) =>
        {
            state.requestId.AsSpan().CopyTo(span);
            span[TraceStatusIndex] = state.digit;
        }));
        return reason;
    }
}
