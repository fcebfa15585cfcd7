using ActorMesh.Commands.Protocol;
using static ActorMesh.Commands.Protocol.CommandMessages;

namespace ActorMesh.Cmd;

/// <summary>
/// <c>help</c>: every palette the node serves and its commands; <c>help MODULE</c>: one palette; <c>help MODULE COMMAND</c>:
/// the command's usage and each argument with its description, default and allowed values. Served by the client from
/// the palettes the node sent, in the one-shot mode and at the prompt alike.
/// </summary>
internal static class Help
{
    public const string Command = "help";

    public static int Write(Welcome welcome, IReadOnlyList<string> topic, TextWriter output, TextWriter errors)
    {
        if (topic.Count == 0)
        {
            output.WriteLine($"{welcome.Node} serves:");
            foreach (var each in welcome.Palettes)
            {
                WritePalette(each, output);
            }
            output.WriteLine("help MODULE [COMMAND] shows a palette, or a command's arguments.");
            return 0;
        }
        var palette = CommandParser.FindModule(welcome.Palettes, topic[0], out var error);
        if (palette is not null && topic.Count == 1)
        {
            WritePalette(palette, output);
            return 0;
        }
        var definition = palette is null ? null : CommandParser.Find(welcome.Palettes, topic[0], topic[1], out error);
        if (definition is null || topic.Count > 2)
        {
            errors.WriteLine("actormesh-cmd: " + (error ?? "help takes a module and a command: help MODULE COMMAND"));
            return CommandRunner.UsageStatus;
        }
        WriteCommand($"{topic[0]} {topic[1]}", definition, output);
        return 0;
    }

    private static void WritePalette(CommandPalette palette, TextWriter output)
    {
        output.WriteLine($"{palette.Module}: {palette.Description}");
        foreach (var command in palette.Commands)
        {
            output.WriteLine($"  {CommandParser.Usage($"{palette.Module} {command.Name}", command)}");
            output.WriteLine($"      {command.Description}");
        }
    }

    private static void WriteCommand(string name, CommandDefinition definition, TextWriter output)
    {
        output.WriteLine(CommandParser.Usage(name, definition));
        output.WriteLine("  " + definition.Description + (definition.LongRunning ? " (runs until Ctrl-C)" : ""));
        if (definition.Arguments.Count == 0)
        {
            output.WriteLine("  no arguments");
            return;
        }
        var names = definition.Arguments.Select(Name).ToList();
        var width = names.Max(n => n.Length);
        for (var i = 0; i < names.Count; i++)
        {
            output.WriteLine($"  {names[i].PadRight(width)}  {Details(definition.Arguments[i])}");
        }
    }

    /// <summary><c>LEVEL</c>, <c>-f, --filter REGEX</c>, <c>--cluster-wide</c>.</summary>
    private static string Name(CommandArgument argument)
    {
        var value = argument.ValueName ?? argument.Name.ToUpperInvariant();
        if (argument.IsPositional)
        {
            return value;
        }
        var switches = string.Join(", ", argument.Switches);
        return argument.IsFlag ? switches : $"{switches} {value}";
    }

    private static string Details(CommandArgument argument)
    {
        var details = new List<string> { argument.Description };
        if (argument.Required && !argument.IsPositional)
        {
            details.Add("required");
        }
        if (!argument.Required && argument.IsPositional)
        {
            details.Add("optional");
        }
        if (argument.Default is not null)
        {
            details.Add("default: " + argument.Default);
        }
        if (argument.AllowedValues.Count > 0)
        {
            details.Add("one of: " + string.Join(", ", argument.AllowedValues));
        }
        return string.Join("; ", details);
    }
}
