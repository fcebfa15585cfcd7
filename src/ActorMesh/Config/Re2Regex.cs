using System.Text.RegularExpressions;

namespace ActorMesh.Config;

/// <summary>
/// Envoy's <c>safe_regex</c> (RE2 syntax) on .NET: RE2's named groups (<c>(?P&lt;name&gt;…)</c>) translated, the
/// constructs RE2 refuses (backreferences, lookaround, atomic groups, conditionals, possessive quantifiers) refused
/// too, and the rest run by the non-backtracking engine, which like RE2 matches in linear time.
/// </summary>
public static class Re2Regex
{
    /// <summary>A guard only: the non-backtracking engine is linear, so no route pattern should come near it.</summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    private const RegexOptions Options = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;

    /// <summary>Why <paramref name="pattern"/> is not an RE2 pattern, or null when it compiles.</summary>
    public static string? Validate(string pattern)
    {
        if (Unsupported(pattern) is { } construct)
        {
            return $"invalid regex: {construct} is not supported by RE2";
        }
        try
        {
            _ = new Regex(Translate(pattern), Options, MatchTimeout);
            return null;
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            return $"invalid regex: {e.Message}";
        }
    }

    /// <summary>The pattern as is: callers that need RE2's FullMatch anchor it themselves.</summary>
    public static Regex Compile(string pattern) => new(Translate(pattern), Options, MatchTimeout);

    /// <summary>RE2's <c>FullMatch</c>: the whole input must match.</summary>
    public static Regex CompileFullMatch(string pattern) => new($@"\A(?:{Translate(pattern)})\z", Options, MatchTimeout);

    /// <summary>Matching that treats the (never expected) timeout as no match rather than failing the request.</summary>
    public static bool IsMatch(Regex regex, string input)
    {
        try
        {
            return regex.IsMatch(input);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    /// <summary>
    /// RE2's substitution (<c>\1</c>, <c>\0</c>, <c>\\</c>) as a .NET replacement pattern (<c>${1}</c>, <c>$$</c>).
    /// </summary>
    public static string TranslateSubstitution(string substitution)
    {
        var output = new System.Text.StringBuilder(substitution.Length + 8);
        for (var i = 0; i < substitution.Length; i++)
        {
            var c = substitution[i];
            if (c == '\\' && i + 1 < substitution.Length)
            {
                var next = substitution[++i];
                if (char.IsAsciiDigit(next))
                {
                    output.Append("${").Append(next).Append('}');
                }
                else
                {
                    output.Append(next == '$' ? "$$" : next.ToString());
                }
            }
            else
            {
                output.Append(c == '$' ? "$$" : c.ToString());
            }
        }
        return output.ToString();
    }

    private static string Translate(string pattern) => pattern.Replace("(?P<", "(?<", StringComparison.Ordinal);

    private static string? Unsupported(string pattern)
    {
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                var next = pattern[++i];
                if (next is >= '1' and <= '9' || next == 'k')
                {
                    return "backreference '\\" + next + "'";
                }
                continue;
            }
            if (c == '(' && i + 2 < pattern.Length && pattern[i + 1] == '?')
            {
                var rest = pattern.AsSpan(i + 2);
                if (rest.StartsWith("=") || rest.StartsWith("!") || rest.StartsWith("<=") || rest.StartsWith("<!"))
                {
                    return "lookaround";
                }
                if (rest.StartsWith(">"))
                {
                    return "atomic group";
                }
                if (rest.StartsWith("("))
                {
                    return "conditional";
                }
            }
            if (c is '*' or '+' or '?' or '}' && i + 1 < pattern.Length && pattern[i + 1] == '+' && i > 0 && pattern[i - 1] != '\\')
            {
                return "possessive quantifier";
            }
        }
        return null;
    }
}
