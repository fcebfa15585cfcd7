using ActorMesh.Config;

namespace ActorMesh.Upstream;

public enum OutlierEjectionType
{
    Consecutive5xx,
    ConsecutiveGatewayFailure,
    SuccessRate,
}

/// <summary>
/// Envoy's DetectorHostMonitor: what the request path tells the outlier detector about one host, in interlocked
/// counters. A consecutive-error threshold crossed is reported to the cluster actor at once (it decides on ejection);
/// success-rate counts are collected by the actor on its interval.
/// </summary>
public sealed class OutlierHostMonitor
{
    /// <summary>Envoy prints -1 where no success rate was computed.</summary>
    public const double NoSuccessRate = -1;

    private readonly OutlierDetectionConfig _config;
    private readonly UpstreamHost _host;
    private readonly Action<UpstreamHost, OutlierEjectionType> _onThreshold;
    private int _consecutive5xx;
    private int _consecutiveGatewayFailure;
    private long _successes;
    private long _requests;
    private double _successRate = NoSuccessRate;

    internal OutlierHostMonitor(OutlierDetectionConfig config, UpstreamHost host, Action<UpstreamHost, OutlierEjectionType> onThreshold)
    {
        _config = config;
        _host = host;
        _onThreshold = onThreshold;
    }

    /// <summary>The last success rate the detector computed (percent), or -1.</summary>
    public double SuccessRate => Volatile.Read(ref _successRate);

    internal int NumEjections { get; set; }
    internal long EjectedAt { get; set; }

    /// <summary>An upstream response code (Envoy's putHttpResponseCode).</summary>
    public void PutHttpResponseCode(int status)
    {
        Interlocked.Increment(ref _requests);
        if (status < 500)
        {
            Interlocked.Increment(ref _successes);
            Volatile.Write(ref _consecutive5xx, 0);
            Volatile.Write(ref _consecutiveGatewayFailure, 0);
            return;
        }
        if (status is 502 or 503 or 504)
        {
            if (Interlocked.Increment(ref _consecutiveGatewayFailure) == _config.ConsecutiveGatewayFailure)
            {
                _onThreshold(_host, OutlierEjectionType.ConsecutiveGatewayFailure);
            }
        }
        else
        {
            Volatile.Write(ref _consecutiveGatewayFailure, 0);
        }
        if (Interlocked.Increment(ref _consecutive5xx) == _config.Consecutive5xx)
        {
            _onThreshold(_host, OutlierEjectionType.Consecutive5xx);
        }
    }

    /// <summary>
    /// A connect failure, reset or timeout before a response: with <c>split_external_local_origin_errors</c> off (the
    /// default) Envoy counts it as a 503 (504 for a timeout), a gateway failure either way.
    /// </summary>
    public void PutLocalOriginFailure() => PutHttpResponseCode(503);

    internal void ResetConsecutive()
    {
        Volatile.Write(ref _consecutive5xx, 0);
        Volatile.Write(ref _consecutiveGatewayFailure, 0);
    }

    /// <summary>Takes this interval's counts and starts the next interval.</summary>
    internal (long Successes, long Requests) TakeInterval() =>
        (Interlocked.Exchange(ref _successes, 0), Interlocked.Exchange(ref _requests, 0));

    internal void SetSuccessRate(double rate) => Volatile.Write(ref _successRate, rate);
}
