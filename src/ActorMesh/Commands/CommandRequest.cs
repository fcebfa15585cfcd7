using System.Globalization;
using ActorMesh.Commands.Protocol;

namespace ActorMesh.Commands;

/// <summary>A validated command as a handler sees it: its arguments by name and the content of its file arguments.</summary>
public sealed record CommandRequest(long Id, CommandInvocation Invocation, IReadOnlyDictionary<string, string> Files)
{
    /// <summary>The argument's value (or its default); null when it was not given and has none.</summary>
    public string? Get(string name) => Invocation.Args.GetValueOrDefault(name);

    public bool Flag(string name) => Get(name) == CommandParser.FlagValue;

    /// <summary>A number argument; null when not given (the parser has checked it is a positive whole number).</summary>
    public long? Number(string name) =>
        Get(name) is { } value && !Files.ContainsKey(name) ? long.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture) : null;

    /// <summary>The content the client read from a file argument; null when the argument was a number or not given.</summary>
    public string? File(string name) => Files.GetValueOrDefault(name);
}
