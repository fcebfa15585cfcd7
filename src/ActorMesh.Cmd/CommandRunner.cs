using System.Net.Sockets;
using ActorMesh.Commands.Protocol;
using static ActorMesh.Commands.Protocol.CommandMessages;

namespace ActorMesh.Cmd;

/// <summary>
/// One command, start to end, on a connection that may serve many (the prompt's): validated against the node's
/// palettes, file arguments read and sent as content, output rendered until its end frame, whose status it returns.
/// Cancelling <c>cancel</c> sends the host a cancel; the command still ends with the host's end frame.
/// </summary>
internal static class CommandRunner
{
    /// <summary>The status of a command the client refused before sending it, as a shell's usage error.</summary>
    public const int UsageStatus = 2;

    /// <exception cref="CommandConnectionException">The host closed the connection before the command ended.</exception>
    public static async Task<int> RunAsync(CommandConnection connection, long id, IReadOnlyList<string> argv, ICommandRenderer renderer, TextWriter errors, CancellationToken cancel)
    {
        var palettes = connection.Welcome.Palettes;
        var invocation = CommandParser.Parse(palettes, argv, out var error);
        if (invocation is null)
        {
            errors.WriteLine("actormesh-cmd: " + error);
            return UsageStatus;
        }
        var files = await ReadFilesAsync(palettes, invocation, errors);
        if (files is null)
        {
            return 1;
        }
        await connection.SendAsync(new Run(id, [invocation.Module, invocation.Command], invocation.Args, files.Count == 0 ? null : files), CancellationToken.None);
        using var cancelling = cancel.Register(() => _ = CancelAsync(connection, id));
        while (await connection.ReceiveAsync() is { } frame)
        {
            switch (frame)
            {
                case Table table when table.Id == id:
                    renderer.Table(table.Columns);
                    break;
                case Row row when row.Id == id:
                    renderer.Row(row.Cells);
                    break;
                case Line line when line.Id == id:
                    renderer.Line(line.Text);
                    break;
                case CommandMessages.Error { Id: 0 } connectionError:
                    renderer.End(1);
                    throw new CommandConnectionException("the host closed the connection: " + connectionError.Message);
                case CommandMessages.Error failure when failure.Id == id:
                    renderer.Error(failure.Message);
                    break;
                case End end when end.Id == id:
                    renderer.End(end.Status);
                    return end.Status;
            }
        }
        renderer.End(1);
        throw new CommandConnectionException("the host closed the connection before the command ended");
    }

    /// <summary>The content of each file argument by name; null after saying which file could not be read.</summary>
    private static async Task<Dictionary<string, string>?> ReadFilesAsync(IReadOnlyList<CommandPalette> palettes, CommandInvocation invocation, TextWriter errors)
    {
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
                    return null;
                }
            }
        }
        return files;
    }

    /// <summary>Best effort: when the connection is gone, the receive loop says so.</summary>
    private static async Task CancelAsync(CommandConnection connection, long id)
    {
        try
        {
            await connection.SendAsync(new Cancel(id));
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or CommandConnectionException)
        {
        }
    }
}
