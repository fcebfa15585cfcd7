using System.Runtime.InteropServices;
using ActorMesh.Commands.Protocol;
using static ActorMesh.Commands.Protocol.CommandMessages;

namespace ActorMesh.Cmd;

/// <summary>
/// One command, start to end: validated against the node's palettes, file arguments read and sent as content, output
/// rendered until its end frame, whose status is the exit code. SIGINT (Ctrl-C) sends cancel once; a second one quits.
/// </summary>
internal static class OneShot
{
    private const long CommandId = 1;

    /// <summary>The exit code of a command the client refused before sending it, as a shell's usage error.</summary>
    public const int UsageStatus = 2;

    /// <summary>Exit code after a second Ctrl-C: 128 + SIGINT, as a shell reports it.</summary>
    private const int Interrupted = 130;

    public static async Task<int> RunAsync(CommandConnection connection, IReadOnlyList<string> argv, ICommandRenderer renderer, TextWriter errors)
    {
        var palettes = connection.Welcome.Palettes;
        var invocation = CommandParser.Parse(palettes, argv, out var error);
        if (invocation is null)
        {
            errors.WriteLine("actormesh-cmd: " + error);
            return UsageStatus;
        }
        var definition = CommandParser.Find(palettes, invocation.Module, invocation.Command, out _)!;
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var argument in definition.Arguments.Where(a => a.Type is ArgumentType.File or ArgumentType.FileOrNumber))
        {
            if (invocation.Args.TryGetValue(argument.Name, out var path) && !(argument.Type == ArgumentType.FileOrNumber && CommandParser.IsNumber(path)))
            {
                try
                {
                    files[argument.Name] = await File.ReadAllTextAsync(path);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    errors.WriteLine($"actormesh-cmd: cannot read {path}: {e.Message}");
                    return 1;
                }
            }
        }
        await connection.SendAsync(new Run(CommandId, [invocation.Module, invocation.Command], invocation.Args, files.Count == 0 ? null : files));

        var interrupts = 0;
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            if (Interlocked.Increment(ref interrupts) == 1)
            {
                _ = connection.SendAsync(new Cancel(CommandId));
                return;
            }
            Environment.Exit(Interrupted);
        });
        while (await connection.ReceiveAsync() is { } frame)
        {
            switch (frame)
            {
                case Table { Id: CommandId } table:
                    renderer.Table(table.Columns);
                    break;
                case Row { Id: CommandId } row:
                    renderer.Row(row.Cells);
                    break;
                case Line { Id: CommandId } line:
                    renderer.Line(line.Text);
                    break;
                case CommandMessages.Error { Id: CommandId } failure:
                    renderer.Error(failure.Message);
                    break;
                case CommandMessages.Error connectionError:
                    renderer.End(1);
                    errors.WriteLine("actormesh-cmd: the host closed the connection: " + connectionError.Message);
                    return 1;
                case End { Id: CommandId } end:
                    renderer.End(end.Status);
                    return end.Status;
            }
        }
        renderer.End(1);
        errors.WriteLine("actormesh-cmd: the host closed the connection before the command ended");
        return 1;
    }

    /// <summary>With no command: every palette and its commands' usage.</summary>
    public static void ListCommands(Welcome welcome, TextWriter output)
    {
        output.WriteLine($"{welcome.Node} serves:");
        foreach (var palette in welcome.Palettes)
        {
            output.WriteLine($"{palette.Module}: {palette.Description}");
            foreach (var command in palette.Commands)
            {
                output.WriteLine($"  {CommandParser.Usage($"{palette.Module} {command.Name}", command)}");
                output.WriteLine($"      {command.Description}");
            }
        }
    }
}
