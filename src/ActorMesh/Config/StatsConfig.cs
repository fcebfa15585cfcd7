namespace ActorMesh.Config;

/// <summary>
/// Envoy's bootstrap <c>stats_config</c>: how stat names become tags (<c>stats_tags</c>, <c>use_all_default_tags</c>),
/// which stats exist at all (<c>stats_matcher</c>, to bound cardinality) and the histograms' bucket bounds.
/// </summary>
public sealed record StatsConfig(
    EquatableArray<TagSpecifierConfig> StatsTags,
    bool UseAllDefaultTags,
    StatsMatcherConfig StatsMatcher,
    EquatableArray<HistogramBucketSettingsConfig> HistogramBucketSettings)
{
    public static readonly StatsConfig Default = new(
        EquatableArray<TagSpecifierConfig>.Empty, true, StatsMatcherConfig.AcceptAll, EquatableArray<HistogramBucketSettingsConfig>.Empty);
}

/// <summary>
/// One <c>stats_tags</c> entry: a <paramref name="Regex"/> whose first capture is cut from the name and whose second
/// (or first) is the tag's value, or a <paramref name="FixedValue"/> added to every stat. Neither: the default
/// extractor of that name.
/// </summary>
public sealed record TagSpecifierConfig(string TagName, string? Regex, string? FixedValue);

public enum StatsMatcherMode
{
    AcceptAll,
    RejectAll,
    ExclusionList,
    InclusionList,
}

/// <summary>Envoy's <c>stats_matcher</c>: <c>reject_all</c>, or an <c>exclusion_list</c>/<c>inclusion_list</c> of name patterns.</summary>
public sealed record StatsMatcherConfig(StatsMatcherMode Mode, EquatableArray<StringMatcherConfig> Patterns)
{
    public static readonly StatsMatcherConfig AcceptAll = new(StatsMatcherMode.AcceptAll, EquatableArray<StringMatcherConfig>.Empty);
}

public enum StringMatchKind
{
    Exact,
    Prefix,
    Suffix,
    Contains,
    SafeRegex,
}

/// <summary>Envoy's <c>type.matcher.v3.StringMatcher</c>; a <c>safe_regex</c> must match the whole string, as RE2's FullMatch.</summary>
public sealed record StringMatcherConfig(StringMatchKind Kind, string Value, bool IgnoreCase);

/// <summary>One <c>histogram_bucket_settings</c> entry: histograms whose name matches get these bucket bounds.</summary>
public sealed record HistogramBucketSettingsConfig(StringMatcherConfig Match, EquatableArray<double> Buckets);
