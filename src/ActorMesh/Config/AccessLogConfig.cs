namespace ActorMesh.Config;

/// <summary>Where an access log's lines go: Envoy's file, stdout and stderr access loggers.</summary>
public enum AccessLogSinkKind
{
    File,
    Stdout,
    Stderr,
}

/// <summary>
/// One entry of the HTTP connection manager's <c>access_log</c>. <see cref="Path"/> is set for file loggers only;
/// a null <see cref="Format"/> means Envoy's default format.
/// </summary>
public sealed record AccessLogConfig(string Name, AccessLogSinkKind Sink, string? Path, AccessLogFormatConfig? Format)
{
    /// <summary>The entry's <c>filter</c>: only exchanges it passes are logged; null logs every exchange.</summary>
    public AccessLogFilterConfig? Filter { get; init; }
}

/// <summary>
/// Envoy's <c>SubstitutionFormatString</c> (an access log's v3 <c>log_format</c> or v2/v3 <c>format</c> and
/// <c>json_format</c>; a local reply's <c>body_format</c>): either a text format or a JSON format, never both.
/// </summary>
public sealed record AccessLogFormatConfig(
    string? TextFormat,
    EquatableArray<JsonFormatField>? JsonFormat,
    bool OmitEmptyValues = false,
    string? ContentType = null);

/// <summary>One key of a <c>json_format</c> mapping, in the order the file wrote it.</summary>
public sealed record JsonFormatField(string Key, JsonFormatValue Value);

public enum JsonFormatValueKind
{
    /// <summary>A format string: literal text and command operators.</summary>
    String,
    Number,
    Bool,
    Null,
    /// <summary>A nested mapping, formatted recursively.</summary>
    Object,
}

/// <summary>
/// A <c>json_format</c> value: <see cref="Text"/> holds a string's format or a number's or bool's literal JSON text,
/// <see cref="Fields"/> a nested mapping's keys.
/// </summary>
public sealed record JsonFormatValue(JsonFormatValueKind Kind, string Text, EquatableArray<JsonFormatField> Fields)
{
    public static JsonFormatValue Scalar(JsonFormatValueKind kind, string text) => new(kind, text, EquatableArray<JsonFormatField>.Empty);

    public static JsonFormatValue Object(EquatableArray<JsonFormatField> fields) => new(JsonFormatValueKind.Object, "", fields);
}
