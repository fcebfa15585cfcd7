using System.Text.RegularExpressions;
using ActorMesh.Config;

namespace ActorMesh.Stats;

/// <summary>Envoy's StringMatcher at run time; compiled once from its config.</summary>
public sealed class StringMatcher
{
    private readonly StringMatcherConfig _config;
    private readonly Regex? _regex;

    public StringMatcher(StringMatcherConfig config)
    {
        _config = config;
        if (config.Kind == StringMatchKind.SafeRegex)
        {
            // RE2's FullMatch: the whole string must match. ignore_case has no effect on safe_regex in Envoy.
            _regex = Re2Regex.CompileFullMatch(config.Value);
        }
    }

    public bool Matches(string value)
    {
        var comparison = _config.IgnoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return _config.Kind switch
        {
            StringMatchKind.Exact => string.Equals(value, _config.Value, comparison),
            StringMatchKind.Prefix => value.StartsWith(_config.Value, comparison),
            StringMatchKind.Suffix => value.EndsWith(_config.Value, comparison),
            StringMatchKind.Contains => value.Contains(_config.Value, comparison),
            _ => Re2Regex.IsMatch(_regex!, value),
        };
    }
}

/// <summary>Envoy's <c>stats_matcher</c>: decides, once when a stat is created, whether it exists in any view.</summary>
public sealed class StatsMatcher
{
    private readonly StatsMatcherMode _mode;
    private readonly StringMatcher[] _patterns;

    public StatsMatcher(StatsMatcherConfig config)
    {
        _mode = config.Mode;
        _patterns = config.Patterns.Select(p => new StringMatcher(p)).ToArray();
    }

    public static StatsMatcher AcceptAll { get; } = new(StatsMatcherConfig.AcceptAll);

    public bool Rejects(string statName) => _mode switch
    {
        StatsMatcherMode.AcceptAll => false,
        StatsMatcherMode.RejectAll => true,
        StatsMatcherMode.ExclusionList => _patterns.Any(p => p.Matches(statName)),
        _ => !_patterns.Any(p => p.Matches(statName)),
    };
}
