using System.Text.RegularExpressions;
using ActorMesh.Config;

namespace ActorMesh.Routing;

/// <summary>
/// A route's <c>prefix_rewrite</c> or <c>regex_rewrite</c> (Envoy's <c>rewritePathByPrefixOrRegex</c>), compiled once.
/// The query is never rewritten: it is split off first and put back after.
/// </summary>
internal sealed class PathRewrite
{
    private readonly string? _prefix;
    private readonly Regex? _regex;
    private readonly string _substitution = "";

    private PathRewrite(string? prefix, RegexRewriteConfig? regex)
    {
        _prefix = prefix;
        if (regex is not null)
        {
            _regex = Re2Regex.Compile(regex.Pattern);
            _substitution = Re2Regex.TranslateSubstitution(regex.Substitution);
        }
    }

    public static PathRewrite? Create(string? prefix, RegexRewriteConfig? regex) =>
        prefix is null && regex is null ? null : new PathRewrite(prefix, regex);

    /// <summary>
    /// The new path (without query) for <paramref name="path"/>; <paramref name="matchedLength"/> is how much of it
    /// the route's path specifier matched, which <c>prefix_rewrite</c> replaces.
    /// </summary>
    public string Rewrite(string path, int matchedLength)
    {
        if (_prefix is not null)
        {
            return string.Concat(_prefix, path.AsSpan(matchedLength));
        }
        try
        {
            return _regex!.Replace(path, _substitution);
        }
        catch (RegexMatchTimeoutException)
        {
            return path;
        }
    }

    /// <summary>Splits a request target at <c>?</c>: the path, and the query including its <c>?</c> (or empty).</summary>
    public static (string Path, string Query) Split(string target)
    {
        var q = target.IndexOf('?');
        return q < 0 ? (target, string.Empty) : (target[..q], target[q..]);
    }
}
