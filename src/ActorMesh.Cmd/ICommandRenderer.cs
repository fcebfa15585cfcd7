using System.Text.Json.Nodes;

namespace ActorMesh.Cmd;

/// <summary>How a command's output frames are shown: tables for people, NDJSON for programs.</summary>
internal interface ICommandRenderer
{
    void Table(IReadOnlyList<string> columns);

    void Row(JsonArray cells);

    void Line(string text);

    void Error(string message);

    /// <summary>The command is over: whatever is buffered is written.</summary>
    void End(int status);
}
