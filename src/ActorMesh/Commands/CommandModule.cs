using ActorMesh.Commands.Protocol;
using Akka.Actor;

namespace ActorMesh.Commands;

/// <summary>A command's work as a task: writes to the output and returns its status (0 is success).</summary>
public delegate Task<int> CommandTask(CommandRequest request, CommandOutput output, CancellationToken cancellation);

/// <summary>
/// A command and how it runs: <see cref="Start"/> makes the actor that runs one invocation (a child of the connection's
/// session, stopped when it ends or is cancelled).
/// </summary>
public sealed record CommandHandler(CommandDefinition Definition, Func<CommandRequest, CommandOutput, Props> Start)
{
    /// <summary>A command that does its work and ends, run by a <see cref="TaskCommandActor"/>.</summary>
    public static CommandHandler FromTask(CommandDefinition definition, CommandTask task) =>
        new(definition, (request, output) => TaskCommandActor.Props(task, request, output));
}

/// <summary>A subsystem's palette with the handler of each of its commands; registered by data, not found by reflection.</summary>
public sealed record CommandModule(string Module, string Description, IReadOnlyList<CommandHandler> Handlers)
{
    public CommandPalette Palette { get; } = new(Module, Description, Handlers.Select(h => h.Definition).ToArray());
}

/// <summary>The palettes a node serves and their handlers.</summary>
public sealed class CommandRegistry
{
    private readonly Dictionary<(string Module, string Command), CommandHandler> _handlers = new();

    public CommandRegistry(IEnumerable<CommandModule> modules)
    {
        var list = modules.ToList();
        Palettes = list.Select(m => m.Palette).ToArray();
        foreach (var module in list)
        {
            foreach (var handler in module.Handlers)
            {
                _handlers.Add((module.Module, handler.Definition.Name), handler);
            }
        }
    }

    public IReadOnlyList<CommandPalette> Palettes { get; }

    public CommandHandler Handler(CommandInvocation invocation) => _handlers[(invocation.Module, invocation.Command)];
}
