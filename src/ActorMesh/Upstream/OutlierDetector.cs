using System.Diagnostics;
using ActorMesh.Config;
using ActorMesh.Stats;

namespace ActorMesh.Upstream;

/// <summary>
/// Envoy's OutlierDetector for one cluster, run by the cluster actor: decides ejections on consecutive errors (as
/// they are reported) and on success rate (each <c>interval</c>), and brings hosts back once
/// <c>base_ejection_time</c> × their ejection count has passed. Its only effect on requests is the
/// <see cref="HostHealthFlags.FailedOutlierCheck"/> flag, which the next balancer snapshot honours.
/// </summary>
internal sealed class OutlierDetector
{
    private readonly OutlierDetectionConfig _config;
    private readonly Counter _enforcedTotal;
    private readonly Counter _overflow;
    private readonly Gauge _active;
    private readonly Dictionary<OutlierEjectionType, (Counter Detected, Counter Enforced)> _byType;

    public OutlierDetector(OutlierDetectionConfig config, StatsScope scope)
    {
        _config = config;
        const string prefix = "outlier_detection.";
        _enforcedTotal = scope.Counter(prefix + "ejections_enforced_total");
        _overflow = scope.Counter(prefix + "ejections_overflow");
        _active = scope.Gauge(prefix + "ejections_active");
        _byType = new()
        {
            [OutlierEjectionType.Consecutive5xx] = (scope.Counter(prefix + "ejections_detected_consecutive_5xx"), scope.Counter(prefix + "ejections_enforced_consecutive_5xx")),
            [OutlierEjectionType.ConsecutiveGatewayFailure] = (scope.Counter(prefix + "ejections_detected_consecutive_gateway_failure"), scope.Counter(prefix + "ejections_enforced_consecutive_gateway_failure")),
            [OutlierEjectionType.SuccessRate] = (scope.Counter(prefix + "ejections_detected_success_rate"), scope.Counter(prefix + "ejections_enforced_success_rate")),
        };
    }

    public OutlierDetectionConfig Config => _config;

    /// <summary>A host crossed a consecutive-error threshold; true when it was ejected.</summary>
    public bool OnConsecutiveErrors(UpstreamHost host, OutlierEjectionType type, IReadOnlyList<UpstreamHost> hosts)
    {
        host.Outlier?.ResetConsecutive();
        var enforcing = type == OutlierEjectionType.Consecutive5xx
            ? _config.EnforcingConsecutive5xx
            : _config.EnforcingConsecutiveGatewayFailure;
        return !host.HasHealthFlag(HostHealthFlags.FailedOutlierCheck) && TryEject(host, type, enforcing, hosts);
    }

    /// <summary>The interval timer: bring back hosts whose time is up, then judge success rates. True when anything changed.</summary>
    public bool OnInterval(IReadOnlyList<UpstreamHost> hosts)
    {
        var now = Stopwatch.GetTimestamp();
        var changed = false;
        foreach (var host in hosts)
        {
            if (host.Outlier is not { } monitor)
            {
                continue;
            }
            if (host.HasHealthFlag(HostHealthFlags.FailedOutlierCheck))
            {
                var ejectionTime = Min(_config.BaseEjectionTime * monitor.NumEjections, Max(_config.BaseEjectionTime, _config.MaxEjectionTime));
                if (Stopwatch.GetElapsedTime(monitor.EjectedAt, now) >= ejectionTime)
                {
                    host.SetHealthFlag(HostHealthFlags.FailedOutlierCheck, false);
                    _active.Dec();
                    changed = true;
                }
            }
            else if (monitor.NumEjections > 0)
            {
                // Envoy lowers the ejection multiplier again while a host stays in.
                monitor.NumEjections--;
            }
        }
        return EvaluateSuccessRate(hosts) | changed;
    }

    private bool EvaluateSuccessRate(IReadOnlyList<UpstreamHost> hosts)
    {
        var rates = new List<(UpstreamHost Host, double Rate)>();
        foreach (var host in hosts)
        {
            if (host.Outlier is not { } monitor)
            {
                continue;
            }
            var (successes, requests) = monitor.TakeInterval();
            if (requests >= _config.SuccessRateRequestVolume && requests > 0)
            {
                var rate = 100.0 * successes / requests;
                monitor.SetSuccessRate(rate);
                rates.Add((host, rate));
            }
            else
            {
                monitor.SetSuccessRate(OutlierHostMonitor.NoSuccessRate);
            }
        }
        if (rates.Count == 0 || rates.Count < _config.SuccessRateMinimumHosts)
        {
            return false;
        }
        var mean = rates.Average(r => r.Rate);
        var stdev = Math.Sqrt(rates.Average(r => (r.Rate - mean) * (r.Rate - mean)));
        var threshold = mean - _config.SuccessRateStdevFactor / 1000.0 * stdev;
        var changed = false;
        foreach (var (host, rate) in rates)
        {
            if (rate < threshold && !host.HasHealthFlag(HostHealthFlags.FailedOutlierCheck))
            {
                changed |= TryEject(host, OutlierEjectionType.SuccessRate, _config.EnforcingSuccessRate, hosts);
            }
        }
        return changed;
    }

    private bool TryEject(UpstreamHost host, OutlierEjectionType type, uint enforcingPercent, IReadOnlyList<UpstreamHost> hosts)
    {
        var (detected, enforced) = _byType[type];
        detected.Inc();
        if (Random.Shared.Next(100) >= enforcingPercent)
        {
            return false;
        }
        var ejected = hosts.Count(h => h.HasHealthFlag(HostHealthFlags.FailedOutlierCheck));
        // Envoy ejects at least one host whatever max_ejection_percent says.
        if (ejected > 0 && 100.0 * (ejected + 1) / hosts.Count > _config.MaxEjectionPercent)
        {
            _overflow.Inc();
            return false;
        }
        var monitor = host.Outlier!;
        monitor.NumEjections++;
        monitor.EjectedAt = Stopwatch.GetTimestamp();
        host.SetHealthFlag(HostHealthFlags.FailedOutlierCheck, true);
        enforced.Inc();
        _enforcedTotal.Inc();
        _active.Inc();
        return true;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>A host left the cluster: its ejection no longer counts.</summary>
    public void OnHostRemoved(UpstreamHost host)
    {
        if (host.HasHealthFlag(HostHealthFlags.FailedOutlierCheck))
        {
            _active.Dec();
        }
    }
}
