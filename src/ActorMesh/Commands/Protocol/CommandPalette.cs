using System.Text.Json.Serialization;

namespace ActorMesh.Commands.Protocol;

/// <summary>
/// One subsystem's commands (<c>cluster</c>, <c>mesh</c>, <c>config</c>, <c>node</c>, <c>log</c>), as data: the host sends
/// every palette it serves on connect, so a client offers, completes and validates exactly what that node supports.
/// </summary>
public sealed record CommandPalette(string Module, string Description, IReadOnlyList<CommandDefinition> Commands);

/// <summary>
/// A command of a palette. <paramref name="LongRunning"/>: it streams until the client cancels it (<c>cluster tail</c>,
/// <c>mesh top</c>).
/// </summary>
public sealed record CommandDefinition(string Name, string Description, IReadOnlyList<CommandArgument> Arguments, bool LongRunning = false);

/// <summary>What a value of an argument is: the client reads a <see cref="File"/> and sends its content.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ArgumentType>))]
public enum ArgumentType
{
    [JsonStringEnumMemberName("text")]
    Text,

    /// <summary>A positive whole number (a config version).</summary>
    [JsonStringEnumMemberName("number")]
    Number,

    /// <summary>A path on the client's machine; the host receives the file's content.</summary>
    [JsonStringEnumMemberName("file")]
    File,

    /// <summary>A positive whole number, or else a path whose content the client sends.</summary>
    [JsonStringEnumMemberName("file_or_number")]
    FileOrNumber,
}

/// <summary>
/// An argument: positional (no <paramref name="Switches"/>, filled in order) or a switch (<c>-f</c>/<c>--filter</c>);
/// a flag is a switch without a value. <see cref="Default"/> stands in when an optional argument is not given.
/// </summary>
public sealed record CommandArgument(string Name, string Description, IReadOnlyList<string> Switches)
{
    public bool Required { get; init; }

    public bool IsFlag { get; init; }

    public string? Default { get; init; }

    /// <summary>Empty: any value.</summary>
    public IReadOnlyList<string> AllowedValues { get; init; } = [];

    public ArgumentType Type { get; init; } = ArgumentType.Text;

    /// <summary>How usage names a switch's value (<c>--filter REGEX</c>); null: the argument's name in capitals.</summary>
    public string? ValueName { get; init; }

    [JsonIgnore]
    public bool IsPositional => Switches.Count == 0;

    /// <summary>How usage shows it: <c>VERSION</c>, <c>[VERSION]</c>, <c>[--filter REGEX]</c>, <c>[--cluster-wide]</c>.</summary>
    [JsonIgnore]
    public string Usage
    {
        get
        {
            var text = IsPositional ? Name.ToUpperInvariant() : IsFlag ? Switches[^1] : $"{Switches[^1]} {ValueName ?? Name.ToUpperInvariant()}";
            return Required ? text : $"[{text}]";
        }
    }

    public static CommandArgument Positional(string name, string description, bool required = true) =>
        new(name, description, []) { Required = required };

    public static CommandArgument Switch(string name, string description, params string[] switches) =>
        new(name, description, switches);

    public static CommandArgument Flag(string name, string description, params string[] switches) =>
        new(name, description, switches) { IsFlag = true };
}
