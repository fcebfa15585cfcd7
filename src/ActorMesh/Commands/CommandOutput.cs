using System.Globalization;
using System.Text.Json.Nodes;
using Akka.Actor;
using static ActorMesh.Commands.Protocol.CommandMessages;

namespace ActorMesh.Commands;

/// <summary>
/// Where a running command writes: each call becomes one frame of its connection, in order. Safe to call from any
/// thread (it only tells the connection's session actor); <see cref="End"/> finishes the command.
/// </summary>
public sealed class CommandOutput
{
    private readonly IActorRef _session;

    public CommandOutput(IActorRef session, long id)
    {
        _session = session;
        Id = id;
    }

    public long Id { get; }

    public void Table(params string[] columns) => Emit(new Table(Id, columns));

    /// <summary>Strings, whole numbers, numbers, booleans, timestamps or null; NaN is null.</summary>
    public void Row(params object?[] cells)
    {
        var row = new JsonArray();
        foreach (var cell in cells)
        {
            row.Add(cell switch
            {
                null => null,
                string s => JsonValue.Create(s),
                int i => JsonValue.Create(i),
                long l => JsonValue.Create(l),
                double d when double.IsFinite(d) => JsonValue.Create(Math.Round(d, 3)),
                double => null,
                bool b => JsonValue.Create(b),
                DateTimeOffset t => JsonValue.Create(t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)),
                _ => JsonValue.Create(Convert.ToString(cell, CultureInfo.InvariantCulture)),
            });
        }
        Emit(new Row(Id, row));
    }

    public void Line(string text) => Emit(new Line(Id, text));

    /// <summary>Text of several lines, one frame each (a config's YAML, a diff).</summary>
    public void Lines(string text)
    {
        foreach (var line in text.TrimEnd('\n').Split('\n'))
        {
            Line(line.TrimEnd('\r'));
        }
    }

    public void Error(string message) => Emit(new Error(Id, message));

    /// <summary>The command is over: 0 is success.</summary>
    public void End(int status) => _session.Tell(new CommandSessionProtocol.Finished(Id, status));

    private void Emit(object message) => _session.Tell(new CommandSessionProtocol.Emit(Id, message));
}
