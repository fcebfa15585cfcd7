using ActorMesh.Config;

namespace ActorMesh.Stats;

/// <summary>A stat name's tags and the name with every tag value cut out (<c>cluster.upstream_rq</c>).</summary>
public sealed record TagExtraction(string Name, IReadOnlyList<StatTag> Tags);

/// <summary>
/// Envoy's TagProducerImpl: turns a stat name into tags with the default extractors (unless
/// <c>use_all_default_tags: false</c>) and <c>stats_tags</c>. Extractors without a literal prefix run first, then those
/// whose prefix is the name's first token; one tag name is taken at most once; fixed-value tags come first.
/// </summary>
public sealed class TagProducer
{
    private readonly IReadOnlyList<TagExtractor> _withoutPrefix;
    private readonly IReadOnlyDictionary<string, TagExtractor[]> _byPrefix;
    private readonly IReadOnlyList<StatTag> _fixedTags;

    private TagProducer(IEnumerable<TagExtractor> extractors, IReadOnlyList<StatTag> fixedTags)
    {
        var all = extractors.ToArray();
        _withoutPrefix = all.Where(e => e.Prefix is null).ToArray();
        _byPrefix = all.Where(e => e.Prefix is not null).GroupBy(e => e.Prefix!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
        _fixedTags = fixedTags;
    }

    /// <summary>Envoy's defaults with no <c>stats_config</c>.</summary>
    public static TagProducer Default { get; } = Create(StatsConfig.Default);

    /// <summary>The config reader has already rejected duplicate tag names and names with no regex and no default.</summary>
    public static TagProducer Create(StatsConfig config)
    {
        var extractors = new List<TagExtractor>();
        if (config.UseAllDefaultTags)
        {
            extractors.AddRange(DefaultTagExtractors.All.Select(d => new TagExtractor(d.Name, d.Regex, d.Substring)));
        }
        var fixedTags = new List<StatTag>();
        foreach (var tag in config.StatsTags)
        {
            if (tag.FixedValue is not null)
            {
                fixedTags.Add(new StatTag(tag.TagName, tag.FixedValue));
            }
            else if (!string.IsNullOrEmpty(tag.Regex))
            {
                extractors.Add(new TagExtractor(tag.TagName, tag.Regex));
            }
            else
            {
                extractors.AddRange(DefaultTagExtractors.All.Where(d => d.Name == tag.TagName).Select(d => new TagExtractor(d.Name, d.Regex, d.Substring)));
            }
        }
        return new TagProducer(extractors, fixedTags);
    }

    public TagExtraction Produce(string statName)
    {
        var tags = new List<StatTag>(_fixedTags);
        var remove = new List<(int Start, int End)>();
        var taken = new HashSet<string>(StringComparer.Ordinal);
        void Run(TagExtractor extractor)
        {
            if (!taken.Contains(extractor.Name) && extractor.TryExtract(statName, tags, remove))
            {
                taken.Add(extractor.Name);
            }
        }
        foreach (var extractor in _withoutPrefix)
        {
            Run(extractor);
        }
        var dot = statName.IndexOf('.');
        if (dot > 0 && _byPrefix.TryGetValue(statName[..dot], out var prefixed))
        {
            foreach (var extractor in prefixed)
            {
                Run(extractor);
            }
        }
        return new TagExtraction(RemoveIntervals(statName, remove), tags);
    }

    /// <summary>Envoy's <c>StringUtil::removeCharacters</c>: the name without the union of the intervals.</summary>
    private static string RemoveIntervals(string name, List<(int Start, int End)> remove)
    {
        if (remove.Count == 0)
        {
            return name;
        }
        var cut = new bool[name.Length];
        foreach (var (start, end) in remove)
        {
            Array.Fill(cut, true, start, end - start);
        }
        var kept = new char[name.Length];
        var n = 0;
        for (var i = 0; i < name.Length; i++)
        {
            if (!cut[i])
            {
                kept[n++] = name[i];
            }
        }
        return new string(kept, 0, n);
    }
}
