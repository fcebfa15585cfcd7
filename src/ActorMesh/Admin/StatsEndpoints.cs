using System.Globalization;
using System.Text;
using System.Text.Json;
using ActorMesh.Stats;

namespace ActorMesh.Admin;

/// <summary>
/// Envoy's <c>/stats</c> (text, <c>?format=json</c>, <c>?format=prometheus</c>) and <c>/stats/prometheus</c>, with
/// <c>?filter=</c>, <c>?usedonly</c> and <c>?histogram_buckets=</c>.
/// </summary>
public static class StatsEndpoints
{
    public static AdminResponse Stats(AdminContext context, string target)
    {
        var (query, error) = StatsQuery.Parse(target);
        if (query is null)
        {
            return new AdminResponse(400, "text/plain; charset=UTF-8", error!);
        }
        RefreshServerGauges(context);
        return query.Format switch
        {
            "json" => new AdminResponse(200, "application/json", Json(context.Stats, query)),
            "prometheus" => PrometheusResponse(context.Stats, query),
            _ => new AdminResponse(200, "text/plain; charset=UTF-8", Text(context.Stats, query)),
        };
    }

    public static AdminResponse Prometheus(AdminContext context, string target)
    {
        var (query, error) = StatsQuery.Parse(target);
        if (query is null)
        {
            return new AdminResponse(400, "text/plain; charset=UTF-8", error!);
        }
        RefreshServerGauges(context);
        return PrometheusResponse(context.Stats, query);
    }

    /// <summary>
    /// Envoy's text format: counters and gauges as <c>name: value</c> sorted by name, then histograms sorted by name,
    /// each as <c>P0(interval,cumulative) P25(…) … P100(…)</c> (or bucket counts with <c>histogram_buckets</c>).
    /// </summary>
    public static string Text(StatsStore stats, StatsQuery query)
    {
        var sb = new StringBuilder();
        foreach (var (name, value, _) in CountersAndGauges(stats, query))
        {
            sb.Append(name).Append(": ").Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        foreach (var histogram in Histograms(stats, query))
        {
            sb.Append(histogram.Name).Append(": ");
            switch (query.Buckets)
            {
                case HistogramBucketsMode.Summary:
                    AppendSummary(sb, histogram);
                    break;
                default:
                    AppendBuckets(sb, histogram, query.Buckets == HistogramBucketsMode.Cumulative);
                    break;
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>
    /// Envoy's JSON: <c>{"stats":[{"name":…,"value":…},…,{"histograms":{"supported_quantiles":[…],
    /// "computed_quantiles":[{"name":…,"values":[{"interval":…,"cumulative":…},…]}]}}]}</c>; NaN is null.
    /// </summary>
    public static string Json(StatsStore stats, StatsQuery query)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteStartArray("stats");
            foreach (var (name, value, _) in CountersAndGauges(stats, query))
            {
                json.WriteStartObject();
                json.WriteString("name", name);
                json.WriteNumber("value", value);
                json.WriteEndObject();
            }
            var histograms = Histograms(stats, query);
            if (histograms.Count > 0)
            {
                json.WriteStartObject();
                json.WriteStartObject("histograms");
                json.WriteStartArray("supported_quantiles");
                foreach (var q in HistogramSnapshot.SupportedQuantiles)
                {
                    json.WriteNumberValue(Math.Round(q * 100, 6));
                }
                json.WriteEndArray();
                json.WriteStartArray("computed_quantiles");
                foreach (var histogram in histograms)
                {
                    var interval = histogram.LastInterval.Quantiles;
                    var cumulative = histogram.CumulativeQuantiles();
                    json.WriteStartObject();
                    json.WriteString("name", histogram.Name);
                    json.WriteStartArray("values");
                    for (var i = 0; i < cumulative.Length; i++)
                    {
                        json.WriteStartObject();
                        WriteNumberOrNull(json, "interval", interval[i]);
                        WriteNumberOrNull(json, "cumulative", cumulative[i]);
                        json.WriteEndObject();
                    }
                    json.WriteEndArray();
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static AdminResponse PrometheusResponse(StatsStore stats, StatsQuery query) =>
        new(200, "text/plain; version=0.0.4; charset=UTF-8", PrometheusFormat.Render(stats, query));

    internal static IReadOnlyList<(string Name, long Value, Metric Metric)> CountersAndGauges(StatsStore stats, StatsQuery query)
    {
        var all = new List<(string Name, long Value, Metric Metric)>();
        foreach (var scope in stats.Scopes)
        {
            all.AddRange(scope.Counters.Where(c => query.Shows(c.Name, c.Used)).Select(c => (c.Name, c.Value, (Metric)c)));
            all.AddRange(scope.Gauges.Where(g => query.Shows(g.Name, g.Used)).Select(g => (g.Name, g.Value, (Metric)g)));
        }
        all.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return all;
    }

    internal static IReadOnlyList<Histogram> Histograms(StatsStore stats, StatsQuery query) =>
        stats.Histograms().Where(h => query.Shows(h.Name, h.Used)).ToArray();

    /// <summary>Envoy's ParentHistogramImpl::quantileSummary: <c>P{q*100:g}({interval},{cumulative})</c> joined by spaces.</summary>
    private static void AppendSummary(StringBuilder sb, Histogram histogram)
    {
        if (!histogram.Used)
        {
            sb.Append("No recorded values");
            return;
        }
        var interval = histogram.LastInterval.Quantiles;
        var cumulative = histogram.CumulativeQuantiles();
        for (var i = 0; i < cumulative.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(' ');
            }
            sb.Append('P').Append(FormatDouble(HistogramSnapshot.SupportedQuantiles[i] * 100, "G6"))
                .Append('(').Append(FormatDouble(interval[i])).Append(',').Append(FormatDouble(cumulative[i])).Append(')');
        }
    }

    /// <summary>Envoy's bucket summary: <c>B{bound:g}({interval},{cumulative})</c> per bound, cumulative or disjoint counts.</summary>
    private static void AppendBuckets(StringBuilder sb, Histogram histogram, bool cumulative)
    {
        var intervalDisjoint = histogram.LastInterval.DisjointBuckets;
        var intervalCounts = cumulative ? Histogram.Accumulate(intervalDisjoint) : intervalDisjoint.Take(intervalDisjoint.Count - 1).ToArray();
        var totalCumulative = histogram.CumulativeBucketCounts();
        var totalCounts = cumulative ? totalCumulative : Disjoint(totalCumulative);
        for (var i = 0; i < histogram.Bounds.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(' ');
            }
            sb.Append('B').Append(FormatDouble(histogram.Bounds[i], "G6"))
                .Append('(').Append(intervalCounts[i].ToString(CultureInfo.InvariantCulture))
                .Append(',').Append(totalCounts[i].ToString(CultureInfo.InvariantCulture)).Append(')');
        }
    }

    private static long[] Disjoint(long[] cumulative)
    {
        var disjoint = new long[cumulative.Length];
        for (var i = 0; i < cumulative.Length; i++)
        {
            disjoint[i] = cumulative[i] - (i == 0 ? 0 : cumulative[i - 1]);
        }
        return disjoint;
    }

    /// <summary>fmt's <c>{}</c> (shortest round-trip) or, with <c>G6</c>, its <c>{:g}</c> (<c>3.6e+06</c>); NaN is <c>nan</c>.</summary>
    internal static string FormatDouble(double value, string format = "R") =>
        double.IsNaN(value) ? "nan" : value.ToString(format, CultureInfo.InvariantCulture).Replace('E', 'e');

    private static void WriteNumberOrNull(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsNaN(value))
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteNumber(name, value);
        }
    }

    private static void RefreshServerGauges(AdminContext context) =>
        context.Stats.GetOrCreate("server.").Gauge("uptime").Set((long)(DateTimeOffset.UtcNow - context.StartedAt).TotalSeconds);
}
