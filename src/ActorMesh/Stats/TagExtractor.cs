using System.Text.RegularExpressions;

namespace ActorMesh.Stats;

/// <summary>
/// One tag extractor (Envoy's TagExtractorStdRegexImpl): when <see cref="Regex"/> is found in a stat name, its first
/// capture is cut from the name and its second capture (or the first, when there is no second) is the tag's value.
/// </summary>
internal sealed class TagExtractor
{
    private readonly Regex _regex;
    private readonly string? _substring;

    public TagExtractor(string name, string regex, string? substring = null)
    {
        Name = name;
        _regex = new Regex(regex, RegexOptions.CultureInvariant);
        _substring = string.IsNullOrEmpty(substring) ? null : substring;
        Prefix = RegexPrefix(regex);
    }

    public string Name { get; }

    /// <summary>The literal first token the regex requires (<c>cluster</c> for <c>^cluster\.</c>), or null.</summary>
    public string? Prefix { get; }

    public bool TryExtract(string statName, List<StatTag> tags, List<(int Start, int End)> remove)
    {
        // A cheap substring test first, as Envoy does, before running the regex.
        if (_substring is not null && !statName.Contains(_substring, StringComparison.Ordinal))
        {
            return false;
        }
        var match = _regex.Match(statName);
        if (!match.Success || match.Groups.Count < 2 || !match.Groups[1].Success)
        {
            return false;
        }
        var removed = match.Groups[1];
        var value = match.Groups.Count > 2 && match.Groups[2].Success ? match.Groups[2] : removed;
        tags.Add(new StatTag(Name, value.Value));
        remove.Add((removed.Index, removed.Index + removed.Length));
        return true;
    }

    /// <summary>Envoy's <c>extractRegexPrefix</c>: <c>^word</c> followed by <c>\.</c>, <c>(?=\.)</c> or a final <c>$</c>.</summary>
    private static string? RegexPrefix(string regex)
    {
        if (!regex.StartsWith('^'))
        {
            return null;
        }
        for (var i = 1; i < regex.Length; i++)
        {
            if (char.IsAsciiLetterOrDigit(regex[i]) || regex[i] == '_')
            {
                continue;
            }
            if (i == 1)
            {
                return null;
            }
            var rest = regex.AsSpan(i);
            var last = i == regex.Length - 1;
            return (!last && (rest.StartsWith(@"\.") || rest.StartsWith(@"(?=\.)"))) || (last && regex[i] == '$')
                ? regex[1..i]
                : null;
        }
        return null;
    }
}
