using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ActorMesh.Config;

/// <summary>
/// A YAML mapping being read: typed accessors report wrong types against the key's path and remember which keys were
/// read, so that every key left over is reported as an unknown field when the load completes.
/// </summary>
internal sealed class YamlMap
{
    private readonly ConfigReadContext _context;
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly HashSet<string> _consumed = new(StringComparer.Ordinal);

    public YamlMap(YamlMappingNode node, string path, ConfigReadContext context)
    {
        _context = context;
        Path = path;
        Start = node.Start;
        foreach (var (key, value) in node.Children)
        {
            if (key is YamlScalarNode { Value: { } name } scalarKey)
            {
                // The parser has already rejected duplicate keys.
                _entries[name] = new Entry(scalarKey, value);
            }
            else
            {
                context.Error(path, key.Start, "mapping keys must be scalars");
            }
        }
        context.Register(this);
    }

    /// <summary>A mapping that was not written at all (a filter without a config body): every field is unset.</summary>
    public YamlMap(string path, Mark start, ConfigReadContext context)
    {
        _context = context;
        Path = path;
        Start = start;
    }

    public string Path { get; }

    public Mark Start { get; }

    public string ChildPath(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    /// <summary>Every key as written, in document order; does not count as reading them.</summary>
    public IEnumerable<string> Keys() => _entries.Keys;

    /// <summary>Whether the key is present with a non-null value; does not count as reading it.</summary>
    public bool Has(string key) => _entries.TryGetValue(key, out var entry) && !ConfigReadContext.IsNull(entry.Value);

    public bool HasAny(params ReadOnlySpan<string> keys)
    {
        foreach (var key in keys)
        {
            if (Has(key))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The position of the key itself, or of the mapping when the key is absent.</summary>
    public Mark KeyMark(string key) => _entries.TryGetValue(key, out var entry) ? entry.Key.Start : Start;

    /// <summary>Reads a key; an absent key and an explicit null both come back as null.</summary>
    public YamlNode? Take(string key)
    {
        _consumed.Add(key);
        return _entries.TryGetValue(key, out var entry) && !ConfigReadContext.IsNull(entry.Value) ? entry.Value : null;
    }

    public void Missing(string key) => _context.Error(ChildPath(key), Start, "missing required field");

    /// <summary>Reports a problem with the mapping as a whole.</summary>
    public void Error(string message) => _context.Error(Path, Start, message);

    /// <summary>Reports a problem with a key's value at the value's position.</summary>
    public void Error(string key, string message) =>
        _context.Error(ChildPath(key), _entries.TryGetValue(key, out var entry) ? entry.Value.Start : Start, message);

    /// <summary>Marks every key as read: used for a subtree that has already been rejected as a whole.</summary>
    public void IgnoreRest() => _consumed.UnionWith(_entries.Keys);

    public string? Scalar(string key) => Take(key) is { } node ? _context.AsScalar(node, ChildPath(key)) : null;

    /// <summary>
    /// Reads a key that must be set unless one of <paramref name="alternatives"/> (the other members of its protobuf
    /// oneof) is: those are reported as unknown fields, which says more than "missing".
    /// </summary>
    public string? RequiredScalar(string key, params ReadOnlySpan<string> alternatives)
    {
        if (Take(key) is not { } node)
        {
            MissingUnless(key, alternatives);
            return null;
        }
        var value = _context.AsScalar(node, ChildPath(key));
        if (value is { Length: 0 })
        {
            _context.Error(ChildPath(key), node.Start, "must not be empty");
            return null;
        }
        return value;
    }

    public long? Integer(string key, long min, long max) =>
        Take(key) is { } node ? ReadInteger(node, ChildPath(key), min, max) : null;

    public bool? Boolean(string key)
    {
        if (Take(key) is not { } node || _context.AsScalar(node, ChildPath(key)) is not { } text)
        {
            return null;
        }
        if (bool.TryParse(text, out var value))
        {
            return value;
        }
        _context.Error(ChildPath(key), node.Start, $"invalid boolean '{text}' (expected true or false)");
        return null;
    }

    public TimeSpan? Duration(string key)
    {
        if (Take(key) is not { } node)
        {
            return null;
        }
        var path = ChildPath(key);
        if (node is YamlMappingNode)
        {
            var map = _context.AsMap(node, path)!;
            var seconds = map.Integer("seconds", 0, DurationParser.MaxSeconds);
            var nanos = map.Integer("nanos", 0, DurationParser.MaxNanos);
            return DurationParser.FromParts(seconds ?? 0, nanos ?? 0);
        }
        if (_context.AsScalar(node, path) is not { } text)
        {
            return null;
        }
        if (DurationParser.TryParse(text, out var duration))
        {
            return duration;
        }
        _context.Error(path, node.Start, $"invalid duration '{text}' (expected e.g. 0.25s or {{seconds: 5, nanos: 0}})");
        return null;
    }

    public TEnum? Enum<TEnum>(string key, IReadOnlyDictionary<string, TEnum> values)
        where TEnum : struct, Enum
    {
        if (Take(key) is not { } node || _context.AsScalar(node, ChildPath(key)) is not { } text)
        {
            return null;
        }
        if (values.TryGetValue(text, out var value))
        {
            return value;
        }
        _context.Unsupported(ChildPath(key), node.Start, $"unsupported value '{text}' (supported: {string.Join(", ", values.Keys)})");
        return null;
    }

    public YamlMap? Map(string key) => Take(key) is { } node ? _context.AsMap(node, ChildPath(key)) : null;

    /// <inheritdoc cref="RequiredScalar"/>
    public YamlMap? RequiredMap(string key, params ReadOnlySpan<string> alternatives)
    {
        if (Take(key) is { } node)
        {
            return _context.AsMap(node, ChildPath(key));
        }
        MissingUnless(key, alternatives);
        return null;
    }

    public IReadOnlyList<SequenceItem> Sequence(string key) =>
        Take(key) is { } node ? _context.AsSequence(node, ChildPath(key)) : [];

    /// <inheritdoc cref="RequiredScalar"/>
    public IReadOnlyList<SequenceItem> RequiredSequence(string key, params ReadOnlySpan<string> alternatives)
    {
        if (Take(key) is { } node)
        {
            return _context.AsSequence(node, ChildPath(key));
        }
        MissingUnless(key, alternatives);
        return [];
    }

    /// <summary>
    /// The member of a protobuf oneof that is set (null when none is). Setting several is an error at each extra one;
    /// all are then taken so that none is also reported as unknown.
    /// </summary>
    public bool TryOneOf(string[] fields, out string? key)
    {
        var set = fields.Where(Has).ToArray();
        key = set.FirstOrDefault();
        if (set.Length <= 1)
        {
            return true;
        }
        foreach (var extra in set.Skip(1))
        {
            Error(extra, $"only one of {string.Join(", ", fields)} may be set");
        }
        foreach (var field in set)
        {
            Take(field);
        }
        return false;
    }

    public IEnumerable<(string Path, Mark Mark)> Unconsumed() =>
        _entries.Where(e => !_consumed.Contains(e.Key)).Select(e => (ChildPath(e.Key), e.Value.Key.Start));

    private void MissingUnless(string key, ReadOnlySpan<string> alternatives)
    {
        if (!HasAny(alternatives))
        {
            Missing(key);
        }
    }

    private long? ReadInteger(YamlNode node, string path, long min, long max)
    {
        if (_context.AsScalar(node, path) is not { } text)
        {
            return null;
        }
        // Protobuf's JSON mapping accepts integers as strings too, which is why quoted numbers pass.
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            _context.Error(path, node.Start, $"expected an integer, got '{text}'");
            return null;
        }
        if (value < min || value > max)
        {
            _context.Error(path, node.Start, $"must be between {min} and {max}");
            return null;
        }
        return value;
    }

    private readonly record struct Entry(YamlScalarNode Key, YamlNode Value);
}
