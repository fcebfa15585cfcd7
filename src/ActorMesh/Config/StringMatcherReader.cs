using System.Text.RegularExpressions;

namespace ActorMesh.Config;

/// <summary>Envoy's <c>StringMatcher</c>: exactly one of <c>exact</c>, <c>prefix</c>, <c>suffix</c>, <c>contains</c>, <c>safe_regex</c>.</summary>
internal static class StringMatcherReader
{
    private static readonly (string Key, StringMatchKind Kind)[] Kinds =
    [
        ("exact", StringMatchKind.Exact),
        ("prefix", StringMatchKind.Prefix),
        ("suffix", StringMatchKind.Suffix),
        ("contains", StringMatchKind.Contains),
        ("safe_regex", StringMatchKind.SafeRegex),
    ];

    public static StringMatcherConfig? Read(YamlMap map)
    {
        var ignoreCase = map.Boolean("ignore_case") ?? false;
        var present = Kinds.Where(k => map.Has(k.Key)).ToArray();
        if (present.Length != 1)
        {
            map.IgnoreRest();
            map.Error(present.Length == 0
                ? "one of exact, prefix, suffix, contains or safe_regex is required"
                : "only one of exact, prefix, suffix, contains or safe_regex may be set");
            return null;
        }
        var (key, kind) = present[0];
        if (kind != StringMatchKind.SafeRegex)
        {
            return map.Scalar(key) is { } value ? new StringMatcherConfig(kind, value, ignoreCase) : null;
        }
        if (map.Map(key) is not { } safeRegex)
        {
            return null;
        }
        // google_re2 is RE2's marker message; its only field (max_program_size) is deprecated and not read.
        safeRegex.Map("google_re2");
        var pattern = safeRegex.RequiredScalar("regex");
        return pattern is not null && IsValidRe2(safeRegex, "regex", pattern)
            ? new StringMatcherConfig(kind, pattern, ignoreCase)
            : null;
    }

    /// <summary>Reports a pattern .NET cannot compile against its key (std::regex fields such as <c>stats_tags</c>).</summary>
    public static bool IsValidRegex(YamlMap owner, string key, string pattern)
    {
        try
        {
            _ = new Regex(pattern, RegexOptions.CultureInvariant);
            return true;
        }
        catch (ArgumentException e)
        {
            owner.Error(key, $"invalid regex: {e.Message}");
            return false;
        }
    }

    /// <summary>Reports a <c>safe_regex</c> pattern that is not RE2 (backreferences, lookaround) against its key.</summary>
    public static bool IsValidRe2(YamlMap owner, string key, string pattern)
    {
        if (Re2Regex.Validate(pattern) is not { } error)
        {
            return true;
        }
        owner.Error(key, error);
        return false;
    }
}
