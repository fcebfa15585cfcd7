using System.Globalization;
using System.Text;

namespace ActorMesh.Stats.Sinks;

/// <summary>
/// How Envoy's statsd sinks spell one flush (<c>UdpStatsdSink::buildMessage</c>): <c>prefix.name:value|type</c> with
/// counters as deltas (<c>|c</c>), gauges as values (<c>|g</c>) and each histogram sample as a timer (<c>|ms</c>).
/// With <see cref="UseTags"/> (DogStatsD) the name is the tag-extracted one and the tags follow as
/// <c>|#name:value,…</c>; without it the full stat name carries everything. Like Envoy, only counters and gauges that
/// were ever used are written, so a used counter that did not move sends <c>:0|c</c>.
/// </summary>
internal sealed record StatsdFormat(string Prefix, bool UseTags)
{
    public IEnumerable<string> Lines(MetricsSnapshot snapshot)
    {
        foreach (var counter in snapshot.Counters)
        {
            // Envoy's Counter::used(): it has counted something (a reset counter that counts again is new since then).
            if (counter.Value != 0 || counter.Delta != 0)
            {
                yield return Line(counter.Name, counter.TagExtractedName, counter.Tags, counter.Delta, "|c");
            }
        }
        foreach (var gauge in snapshot.Gauges)
        {
            if (gauge.Used)
            {
                yield return Line(gauge.Name, gauge.TagExtractedName, gauge.Tags, gauge.Value, "|g");
            }
        }
        // Envoy's sinks send every recorded value as a timer (only percent histograms, which ActorMesh has none of, differ).
        foreach (var histogram in snapshot.Histograms)
        {
            foreach (var sample in histogram.IntervalSamples)
            {
                yield return Line(histogram.Name, histogram.TagExtractedName, histogram.Tags, sample, "|ms");
            }
        }
    }

    private string Line(string name, string tagExtractedName, IReadOnlyList<StatTag> tags, long value, string type)
    {
        var line = new StringBuilder(Prefix.Length + name.Length + 24);
        line.Append(Prefix).Append('.').Append(UseTags ? tagExtractedName : name)
            .Append(':').Append(value.ToString(CultureInfo.InvariantCulture)).Append(type);
        if (UseTags && tags.Count > 0)
        {
            line.Append("|#");
            for (var i = 0; i < tags.Count; i++)
            {
                line.Append(i == 0 ? "" : ",").Append(tags[i].Name).Append(':').Append(tags[i].Value);
            }
        }
        return line.ToString();
    }
}
