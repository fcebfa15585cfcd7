using System.Text.RegularExpressions;

namespace ActorMesh.Admin;

/// <summary>How the histograms of <c>/stats</c> are shown: Envoy's quantile summary, or bucket counts.</summary>
public enum HistogramBucketsMode
{
    Summary,
    Cumulative,
    Disjoint,
}

/// <summary>The query parameters of Envoy's <c>/stats</c> family: <c>filter</c>, <c>usedonly</c>, <c>format</c>, <c>histogram_buckets</c>.</summary>
public sealed record StatsQuery(Regex? Filter, bool UsedOnly, string Format, HistogramBucketsMode Buckets)
{
    /// <summary>The query of <paramref name="target"/>, or an error message for a 400.</summary>
    public static (StatsQuery? Query, string? Error) Parse(string target)
    {
        var q = target.IndexOf('?');
        Regex? filter = null;
        var usedOnly = false;
        var format = "text";
        var buckets = HistogramBucketsMode.Summary;
        if (q < 0)
        {
            return (new StatsQuery(filter, usedOnly, format, buckets), null);
        }
        foreach (var pair in target[(q + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            var key = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
            // Envoy decodes %XX only: a '+' in a regex stays a '+'.
            var value = eq < 0 ? string.Empty : Uri.UnescapeDataString(pair[(eq + 1)..]);
            switch (key)
            {
                case "filter":
                    try
                    {
                        filter = new Regex(value, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
                    }
                    catch (ArgumentException e)
                    {
                        return (null, $"Invalid regex: {e.Message}\n");
                    }
                    break;
                case "usedonly":
                    usedOnly = true;
                    break;
                case "format" when value is "text" or "json" or "prometheus":
                    format = value;
                    break;
                case "format":
                    return (null, "usage: /stats?format=(json|prometheus|text)\n");
                case "histogram_buckets":
                    switch (value)
                    {
                        case "cumulative":
                            buckets = HistogramBucketsMode.Cumulative;
                            break;
                        case "disjoint":
                            buckets = HistogramBucketsMode.Disjoint;
                            break;
                        case "summary" or "none":
                            buckets = HistogramBucketsMode.Summary;
                            break;
                        default:
                            return (null, "usage: /stats?histogram_buckets=(cumulative|disjoint|summary|none)\n");
                    }
                    break;
            }
        }
        return (new StatsQuery(filter, usedOnly, format, buckets), null);
    }

    /// <summary>Whether a stat passes <c>filter</c> (a regex found anywhere in the name) and <c>usedonly</c>.</summary>
    public bool Shows(string name, bool used) => (!UsedOnly || used) && (Filter is null || Filter.IsMatch(name));
}
