using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ActorMesh.Config;

/// <summary>One item of a YAML sequence with the path it is reported under (<c>listeners[2]</c>).</summary>
internal readonly record struct SequenceItem(YamlNode Node, string Path);

/// <summary>
/// The state of one load: the errors found so far, every mapping opened (so unread keys can be reported once the walk
/// is over, whichever branch the walk took) and the positions the cross-reference checks need.
/// </summary>
internal sealed class ConfigReadContext
{
    // Plain scalars YAML 1.2's core schema reads as null; quoted "null" stays a string.
    private static readonly HashSet<string> NullScalars = new(StringComparer.Ordinal) { "", "~", "null", "Null", "NULL" };

    private readonly List<PendingError> _errors = [];
    private readonly List<YamlMap> _maps = [];

    public ConfigReferences References { get; } = new();

    public void Error(string path, Mark mark, string message, ErrorRank rank = ErrorRank.Other) =>
        _errors.Add(new PendingError(new ConfigError(path, checked((int)mark.Line), message), mark.Column, rank, _errors.Count));

    public void UnknownField(string path, Mark mark) => Error(path, mark, "unknown field", ErrorRank.Unsupported);

    public void Unsupported(string path, Mark mark, string message) => Error(path, mark, message, ErrorRank.Unsupported);

    public void Register(YamlMap map) => _maps.Add(map);

    /// <summary>Reports every key nobody read and returns all errors in document order.</summary>
    public IReadOnlyList<ConfigError> Complete()
    {
        foreach (var map in _maps)
        {
            foreach (var (path, mark) in map.Unconsumed())
            {
                UnknownField(path, mark);
            }
        }
        _maps.Clear();

        // At one position an unsupported field explains more than the "missing" error it usually causes.
        return _errors
            .OrderBy(e => e.Error.Line)
            .ThenBy(e => e.Column)
            .ThenBy(e => e.Rank)
            .ThenBy(e => e.Sequence)
            .Select(e => e.Error)
            .ToArray();
    }

    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: not (ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded) } scalar
        && NullScalars.Contains(scalar.Value ?? "");

    public YamlMap? AsMap(YamlNode node, string path)
    {
        if (node is YamlMappingNode mapping)
        {
            return new YamlMap(mapping, path, this);
        }
        Error(path, node.Start, "expected a mapping");
        return null;
    }

    public IReadOnlyList<SequenceItem> AsSequence(YamlNode node, string path)
    {
        if (node is YamlSequenceNode sequence)
        {
            return sequence.Children.Select((child, i) => new SequenceItem(child, $"{path}[{i}]")).ToArray();
        }
        Error(path, node.Start, "expected a sequence");
        return [];
    }

    public string? AsScalar(YamlNode node, string path)
    {
        if (node is YamlScalarNode scalar)
        {
            return scalar.Value ?? "";
        }
        Error(path, node.Start, "expected a scalar value");
        return null;
    }

    private sealed record PendingError(ConfigError Error, long Column, ErrorRank Rank, int Sequence);
}

/// <summary>Tie-break for errors at one position: unsupported input first, consequences after.</summary>
internal enum ErrorRank
{
    Unsupported,
    Other,
}
