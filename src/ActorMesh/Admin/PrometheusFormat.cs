using System.Globalization;
using System.Text;
using ActorMesh.Stats;

namespace ActorMesh.Admin;

/// <summary>
/// Envoy's PrometheusStatsFormatter: text exposition format 0.0.4. Metric names are <c>envoy_</c> plus the
/// tag-extracted name with every character outside <c>[a-zA-Z0-9_]</c> turned into <c>_</c>; labels are the tags.
/// Counters, then gauges, then histograms, each grouped by metric name (sorted) under one <c># TYPE</c> line;
/// histograms as cumulative <c>_bucket{le=…}</c> lines, <c>_sum</c> and <c>_count</c>.
/// </summary>
public static class PrometheusFormat
{
    public static string Render(StatsStore stats, StatsQuery query)
    {
        var sb = new StringBuilder();
        var counters = new List<(Metric Metric, long Value)>();
        var gauges = new List<(Metric Metric, long Value)>();
        foreach (var (_, value, metric) in StatsEndpoints.CountersAndGauges(stats, query))
        {
            (metric is Counter ? counters : gauges).Add((metric, value));
        }
        AppendScalars(sb, counters, "counter");
        AppendScalars(sb, gauges, "gauge");
        foreach (var group in StatsEndpoints.Histograms(stats, query).GroupBy(h => MetricName(h.TagExtractedName)).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            sb.Append("# TYPE ").Append(group.Key).Append(" histogram\n");
            foreach (var histogram in group.OrderBy(h => Labels(h.Tags), StringComparer.Ordinal))
            {
                AppendHistogram(sb, group.Key, histogram);
            }
        }
        return sb.ToString();
    }

    /// <summary>Envoy's <c>sanitizeName</c> with the <c>envoy_</c> namespace.</summary>
    public static string MetricName(string tagExtractedName) => "envoy_" + Sanitize(tagExtractedName);

    private static void AppendScalars(StringBuilder sb, List<(Metric Metric, long Value)> metrics, string type)
    {
        foreach (var group in metrics.GroupBy(m => MetricName(m.Metric.TagExtractedName)).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            sb.Append("# TYPE ").Append(group.Key).Append(' ').Append(type).Append('\n');
            foreach (var (metric, value) in group.OrderBy(m => Labels(m.Metric.Tags), StringComparer.Ordinal))
            {
                sb.Append(group.Key).Append('{').Append(Labels(metric.Tags)).Append("} ")
                    .Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }
    }

    private static void AppendHistogram(StringBuilder sb, string name, Histogram histogram)
    {
        var labels = Labels(histogram.Tags);
        var bucketLabels = labels.Length == 0 ? string.Empty : labels + ",";
        var cumulative = histogram.CumulativeBucketCounts();
        // Sum and count are read after the buckets, so +Inf is never below the last finite bucket.
        var count = Math.Max(histogram.Count, cumulative.Length == 0 ? 0 : cumulative[^1]);
        var sum = histogram.Sum;
        for (var i = 0; i < cumulative.Length; i++)
        {
            sb.Append(name).Append("_bucket{").Append(bucketLabels).Append("le=\"")
                .Append(histogram.Bounds[i].ToString("R", CultureInfo.InvariantCulture)).Append("\"} ")
                .Append(cumulative[i].ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        sb.Append(name).Append("_bucket{").Append(bucketLabels).Append("le=\"+Inf\"} ").Append(count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        sb.Append(name).Append("_sum{").Append(labels).Append("} ").Append(sum.ToString(CultureInfo.InvariantCulture)).Append('\n');
        sb.Append(name).Append("_count{").Append(labels).Append("} ").Append(count.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    /// <summary>Envoy's <c>formattedTags</c>: <c>name="value"</c> pairs in tag order, values escaped.</summary>
    private static string Labels(IReadOnlyList<StatTag> tags) =>
        string.Join(",", tags.Select(t => $"{Sanitize(t.Name)}=\"{EscapeValue(t.Value)}\""));

    private static string Sanitize(string name)
    {
        var chars = name.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (!char.IsAsciiLetterOrDigit(chars[i]) && chars[i] != '_')
            {
                chars[i] = '_';
            }
        }
        return new string(chars);
    }

    private static string EscapeValue(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
