using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace ActorMesh.Commands.Protocol;

/// <summary>
/// The frames of the command protocol, version 1. Every frame is one JSON object whose <c>type</c> names the record;
/// the records are plain and non-polymorphic: <see cref="CommandFrames"/> reads <c>type</c> first, then the record.
/// </summary>
public static class CommandMessages
{
    public const int ProtocolVersion = 1;

    /// <summary>Client → host, first: the protocol version and, where the host requires one, its token.</summary>
    public sealed record Hello(int Version, string? Token)
    {
        [JsonPropertyOrder(-1)]
        public string Type => "hello";
    }

    /// <summary>
    /// Client → host: run a command. <paramref name="Args"/> holds each argument by name (a flag as <c>true</c>; a file
    /// argument as the path the client read); <paramref name="Files"/> the content of each file argument by name.
    /// </summary>
    public sealed record Run(long Id, IReadOnlyList<string>? Command, IReadOnlyDictionary<string, string>? Args, IReadOnlyDictionary<string, string>? Files)
    {
        [JsonPropertyOrder(-1)]
        public string Type => "run";
    }

    /// <summary>Client → host: stop command <paramref name="Id"/>; its <see cref="End"/> follows.</summary>
    public sealed record Cancel(long Id)
    {
        [JsonPropertyOrder(-1)]
        public string Type => "cancel";
    }

    /// <summary>Host → client after a good <see cref="Hello"/>: the node's address and every palette it serves.</summary>
    public sealed record Welcome(int Version, string Node, IReadOnlyList<CommandPalette> Palettes)
    {
        [JsonPropertyOrder(-1)]
        public string Type => "welcome";
    }

    /// <summary>Host → client: the rows of command <paramref name="Id"/> that follow have these columns (a new table replaces the last).</summary>
    public sealed record Table(long Id, IReadOnlyList<string> Columns)
    {
        [JsonPropertyOrder(-1)]
        public string Type => "table";
    }

    /// <summary>Host → client: one row; cells are JSON strings, numbers, booleans or null, one per column.</summary>
    public sealed record Row(long Id, JsonArray Cells)
    {
        [JsonPropertyOrder(-1)]
        public string Type => "row";
    }

    /// <summary>Host → client: one line of text.</summary>
    public sealed record Line(long Id, string Text)
    {
        [JsonPropertyOrder(-1)]
        public string Type => "line";
    }

    /// <summary>Host → client: an error of command <paramref name="Id"/>, or of the connection when it is 0 (then it closes).</summary>
    public sealed record Error(long Id, string Message)
    {
        [JsonPropertyOrder(-1)]
        public string Type => "error";
    }

    /// <summary>Host → client: command <paramref name="Id"/> is over; 0 is success, as an exit status.</summary>
    public sealed record End(long Id, int Status)
    {
        [JsonPropertyOrder(-1)]
        public string Type => "end";
    }
}
