using System.Globalization;
using ActorMesh.Hosting;
using ActorMesh.Stats;
using ActorMesh.Upstream;
using Akka.Actor;

namespace ActorMesh.Commands.Palettes;

/// <summary>
/// <c>mesh top</c>: every second, per cluster of the served version, the request rate, the 5xx rate and the p99 of
/// <c>upstream_rq_time</c> over that second, the requests in flight and the healthy endpoints, until cancelled.
/// </summary>
public sealed class MeshTopActor : ReceiveActor, IWithTimers
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private static readonly int P99 = Array.IndexOf(LogLinearBins.SupportedQuantiles, 0.99);

    private readonly Dictionary<string, Reading> _last = new(StringComparer.Ordinal);
    private long _lastAt = System.Diagnostics.Stopwatch.GetTimestamp();

    public MeshTopActor(ServedConfig served, CommandOutput output)
    {
        Read(served.Current.Clusters.Values);
        output.Line($"mesh top: per cluster every {Interval.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s (cancel to stop)");
        Receive<Tick>(_ =>
        {
            var seconds = System.Diagnostics.Stopwatch.GetElapsedTime(_lastAt).TotalSeconds;
            var previous = new Dictionary<string, Reading>(_last, StringComparer.Ordinal);
            var clusters = served.Current.Clusters.Values.OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
            Read(clusters);
            output.Table("cluster", "rq_per_s", "5xx_per_s", "p99_ms", "rq_active", "healthy");
            foreach (var cluster in clusters)
            {
                var now = _last[cluster.Name];
                // A cluster new since the last tick counts from now.
                var before = previous.GetValueOrDefault(cluster.Name) ?? now;
                var bins = now.Bins.Select((count, i) => count - before.Bins[i]).ToArray();
                output.Row(
                    cluster.Name,
                    Rate(now.RqTotal - before.RqTotal, seconds),
                    Rate(now.Rq5xx - before.Rq5xx, seconds),
                    LogLinearBins.Quantiles(bins)[P99],
                    cluster.Stats.UpstreamRqActive.Value,
                    $"{cluster.Stats.MembershipHealthy.Value}/{cluster.Stats.MembershipTotal.Value}");
            }
            // After the rows, so a console shows each second's table as soon as it is complete.
            output.Line("at " + DateTimeOffset.UtcNow.ToString("HH:mm:ss", CultureInfo.InvariantCulture));
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(ServedConfig served, CommandOutput output) => Akka.Actor.Props.Create(() => new MeshTopActor(served, output));

    protected override void PreStart() => Timers.StartPeriodicTimer(nameof(Tick), Tick.Instance, Interval);

    private static double Rate(long delta, double seconds) => seconds <= 0 ? 0 : Math.Max(0, delta) / seconds;

    private void Read(IEnumerable<UpstreamCluster> clusters)
    {
        _lastAt = System.Diagnostics.Stopwatch.GetTimestamp();
        foreach (var cluster in clusters)
        {
            var scope = cluster.Stats.Scope;
            // Looked up, not created: upstream_rq_5xx appears with the first 5xx, as in Envoy.
            var rq5xx = scope.Counters.FirstOrDefault(c => c.Name == scope.Prefix + "upstream_rq_5xx")?.Value ?? 0;
            _last[cluster.Name] = new Reading(cluster.Stats.UpstreamRqTotal.Value, rq5xx, cluster.Stats.UpstreamRqTime.BinCounts());
        }
    }

    private sealed record Reading(long RqTotal, long Rq5xx, long[] Bins);

    private sealed record Tick
    {
        public static Tick Instance { get; } = new();

        private Tick() { }
    }
}
