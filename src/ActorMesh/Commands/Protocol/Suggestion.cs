namespace ActorMesh.Commands.Protocol;

/// <summary>
/// "Did you mean": the known word closest to a mistyped one (a typo, a missing or swapped letter, or the start of
/// exactly one word), so an error can name the command the user was after.
/// </summary>
public static class Suggestion
{
    /// <summary>Edits a word may be from the one suggested: two, and fewer for short words, where two is most of them.</summary>
    private const int MaxDistance = 2;

    /// <summary>The closest of <paramref name="known"/> to <paramref name="word"/>, or null when none is close.</summary>
    public static string? Closest(string word, IEnumerable<string> known)
    {
        var candidates = known.Where(k => k != word).Distinct(StringComparer.Ordinal).ToList();
        if (word.Length == 0 || candidates.Count == 0)
        {
            return null;
        }
        var limit = Math.Min(MaxDistance, Math.Max(1, word.Length / 3));
        var best = candidates
            .Select(k => (Word: k, Distance: Distance(word, k)))
            .Where(c => c.Distance <= limit)
            .OrderBy(c => c.Distance)
            .ThenBy(c => c.Word, StringComparer.Ordinal)
            .Select(c => c.Word)
            .FirstOrDefault();
        if (best is not null)
        {
            return best;
        }
        var extensions = candidates.Where(k => k.StartsWith(word, StringComparison.Ordinal)).Take(2).ToList();
        return extensions.Count == 1 ? extensions[0] : null;
    }

    /// <summary><c>; did you mean 'cluster'?</c>, or nothing when no word is close.</summary>
    public static string DidYouMean(string word, IEnumerable<string> known, string prefix = "") =>
        Closest(word, known) is { } closest ? $"; did you mean '{prefix}{closest}'?" : string.Empty;

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours.</summary>
    internal static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }
        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }
        return d[a.Length, b.Length];
    }
}
