using System.Globalization;

namespace ActorMesh.Config;

/// <summary>Envoy's bootstrap <c>stats_config</c>.</summary>
internal static class StatsConfigReader
{
    public static StatsConfig? Read(YamlMap map, ConfigReadContext context)
    {
        var useAllDefaultTags = map.Boolean("use_all_default_tags") ?? true;
        // Envoy's TagProducerImpl refuses a tag name twice (the defaults count when they are all in use) and a tag
        // with neither regex nor fixed value unless a default extractor has its name.
        var names = new HashSet<string>(useAllDefaultTags ? Stats.DefaultTagExtractors.All.Select(d => d.Name) : [], StringComparer.Ordinal);
        var tags = ReadResults.AllOrNull(map.Sequence("stats_tags").Select(item =>
        {
            var tag = ReadTag(item, context);
            if (tag is null)
            {
                return null;
            }
            if (!names.Add(tag.TagName))
            {
                context.Error(item.Path + ".tag_name", item.Node.Start, $"tag name '{tag.TagName}' specified twice");
                return null;
            }
            if (tag.Regex is null && tag.FixedValue is null && !Stats.DefaultTagExtractors.IsDefaultName(tag.TagName))
            {
                context.Error(item.Path, item.Node.Start, $"no regex specified for tag specifier and no default regex for name: '{tag.TagName}'");
                return null;
            }
            return tag;
        }));
        var matcher = map.Map("stats_matcher") is { } matcherMap ? ReadMatcher(matcherMap, context) : StatsMatcherConfig.AcceptAll;
        var buckets = ReadResults.AllOrNull(map.Sequence("histogram_bucket_settings").Select(item => ReadBuckets(item, context)));
        return tags is null || matcher is null || buckets is null
            ? null
            : new StatsConfig(tags.Value, useAllDefaultTags, matcher, buckets.Value);
    }

    private static TagSpecifierConfig? ReadTag(SequenceItem item, ConfigReadContext context)
    {
        if (context.AsMap(item.Node, item.Path) is not { } map)
        {
            return null;
        }
        var name = map.RequiredScalar("tag_name");
        var regex = map.Scalar("regex");
        var fixedValue = map.Scalar("fixed_value");
        if (regex is not null && fixedValue is not null)
        {
            map.Error("fixed_value", "only one of regex or fixed_value may be set");
            return null;
        }
        if (regex is not null && !StringMatcherReader.IsValidRegex(map, "regex", regex))
        {
            return null;
        }
        return name is null ? null : new TagSpecifierConfig(name, regex, fixedValue);
    }

    private static StatsMatcherConfig? ReadMatcher(YamlMap map, ConfigReadContext context)
    {
        var modes = new[] { "reject_all", "exclusion_list", "inclusion_list" }.Where(map.Has).ToArray();
        if (modes.Length != 1)
        {
            map.IgnoreRest();
            map.Error(modes.Length == 0
                ? "one of reject_all, exclusion_list or inclusion_list is required"
                : "only one of reject_all, exclusion_list or inclusion_list may be set");
            return null;
        }
        if (modes[0] == "reject_all")
        {
            var reject = map.Boolean("reject_all");
            return reject is null ? null : reject.Value ? new StatsMatcherConfig(StatsMatcherMode.RejectAll, EquatableArray<StringMatcherConfig>.Empty) : StatsMatcherConfig.AcceptAll;
        }
        if (map.Map(modes[0]) is not { } list)
        {
            return null;
        }
        var patterns = ReadResults.AllOrNull(list.RequiredSequence("patterns").Select(item => context.AsMap(item.Node, item.Path) is { } p ? StringMatcherReader.Read(p) : null));
        var mode = modes[0] == "exclusion_list" ? StatsMatcherMode.ExclusionList : StatsMatcherMode.InclusionList;
        return patterns is null ? null : new StatsMatcherConfig(mode, patterns.Value);
    }

    private static HistogramBucketSettingsConfig? ReadBuckets(SequenceItem item, ConfigReadContext context)
    {
        if (context.AsMap(item.Node, item.Path) is not { } map)
        {
            return null;
        }
        var match = map.RequiredMap("match") is { } matchMap ? StringMatcherReader.Read(matchMap) : null;
        var bounds = new List<double>();
        var ok = true;
        var items = map.RequiredSequence("buckets");
        foreach (var bucket in items)
        {
            var text = context.AsScalar(bucket.Node, bucket.Path);
            if (text is null)
            {
                ok = false;
            }
            else if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var bound) || !(bound > 0) || double.IsInfinity(bound))
            {
                // Envoy's proto: every bucket is a double greater than 0.
                context.Error(bucket.Path, bucket.Node.Start, $"expected a number greater than 0, got '{text}'");
                ok = false;
            }
            else if (bounds.Contains(bound))
            {
                context.Error(bucket.Path, bucket.Node.Start, $"duplicate bucket {text}");
                ok = false;
            }
            else
            {
                bounds.Add(bound);
            }
        }
        if (map.Has("buckets") && items.Count == 0 && ok)
        {
            map.Error("buckets", "at least one bucket is required");
            ok = false;
        }
        bounds.Sort();
        return match is null || !ok || bounds.Count == 0 ? null : new HistogramBucketSettingsConfig(match, bounds.ToEquatableArray());
    }
}
