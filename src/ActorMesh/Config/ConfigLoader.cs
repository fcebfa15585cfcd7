using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace ActorMesh.Config;

/// <summary>
/// Loads an Envoy bootstrap file (v2 or v3 names) into <see cref="BootstrapConfig"/>. Problems come back as
/// <see cref="ConfigError"/> values in document order, each naming its YAML path and line; nothing is skipped silently.
/// </summary>
public static partial class ConfigLoader
{
    /// <summary>The path reported for problems with the document as a whole (YAML syntax, an empty file).</summary>
    public const string DocumentPath = "$";

    public static ConfigLoadResult LoadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string yaml;
        try
        {
            yaml = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return Failed([new ConfigError(path, 0, $"cannot read file: {ex.Message}")]);
        }
        return LoadYaml(yaml);
    }

    public static ConfigLoadResult LoadYaml(string yaml)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var stream = new YamlStream();
        var parser = new TrackingParser(new Parser(new StringReader(yaml)));
        try
        {
            stream.Load(parser);
        }
        catch (YamlException ex)
        {
            return Failed([new ConfigError(DocumentPath, checked((int)ex.Start.Line), $"invalid YAML: {Describe(ex)}")]);
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this without a position on some malformed input (an unclosed flow
            // sequence followed by a block mapping); the last event it did parse is the best position we have.
            return Failed([new ConfigError(DocumentPath, parser.LastLine, "invalid YAML: malformed content near this line")]);
        }

        if (stream.Documents.Count == 0 || ConfigReadContext.IsNull(stream.Documents[0].RootNode))
        {
            var line = stream.Documents.Count == 0 ? 1 : checked((int)stream.Documents[0].RootNode.Start.Line);
            return Failed([new ConfigError(DocumentPath, line, "empty configuration")]);
        }
        if (stream.Documents.Count > 1)
        {
            var line = checked((int)stream.Documents[1].RootNode.Start.Line);
            return Failed([new ConfigError(DocumentPath, line, "multiple YAML documents are not supported")]);
        }
        if (stream.Documents[0].RootNode is not YamlMappingNode rootNode)
        {
            var line = checked((int)stream.Documents[0].RootNode.Start.Line);
            return Failed([new ConfigError(DocumentPath, line, "the configuration must be a mapping")]);
        }

        var context = new ConfigReadContext();
        var config = BootstrapReader.Read(new YamlMap(rootNode, "", context), context);
        var errors = context.Complete();
        if (errors.Count > 0)
        {
            return Failed(errors);
        }
        if (config is null)
        {
            throw new InvalidOperationException("The config readers rejected the file without reporting why.");
        }

        var referenceErrors = ConfigReferenceValidator.Validate(context.References);
        return referenceErrors.Count > 0 ? Failed(referenceErrors) : new ConfigLoadResult(config, []);
    }

    /// <summary>Remembers how far parsing got, for parser failures that carry no position of their own.</summary>
    private sealed class TrackingParser(IParser inner) : IParser
    {
        public int LastLine { get; private set; } = 1;

        public ParsingEvent? Current => inner.Current;

        public bool MoveNext()
        {
            var moved = inner.MoveNext();
            if (inner.Current is { } current)
            {
                LastLine = checked((int)current.End.Line);
            }
            return moved;
        }
    }

    private static ConfigLoadResult Failed(IReadOnlyList<ConfigError> errors) => new(null, errors);

    /// <summary>YamlDotNet prefixes its messages with the marks we already report as the line.</summary>
    private static string Describe(YamlException ex) => MarkPrefix().Replace(ex.Message, "");

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ", RegexOptions.CultureInvariant)]
    private static partial Regex MarkPrefix();
}
