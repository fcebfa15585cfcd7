using System.Net.Sockets;
using static ActorMesh.Commands.Protocol.CommandMessages;

namespace ActorMesh.Cmd.Prompt;

/// <summary>
/// <c>actormesh-cmd HOST:PORT</c> without a command, pbm style: one connection, commands read line by line and run on
/// it one after another, each with a new id. On a terminal the lines come from the <see cref="LineEditor"/>
/// (completion from the node's palettes, history); piped, from standard input as a script. A command that fails says
/// why and the prompt goes on; a lost connection is made again at the next command.
/// </summary>
internal sealed class PromptSession(ClientOptions options, Func<Task<CommandConnection?>> connect, Interrupts interrupts)
{
    /// <summary>What the prompt runs itself, besides the palettes' commands.</summary>
    public static readonly IReadOnlyList<string> PromptCommands = [Help.Command, "exit", "quit"];

    private CommandConnection? _connection;
    private Welcome _welcome = null!;
    private long _lastId;

    public string Prompt => $"actormesh {options.Endpoint}> ";

    /// <summary>Until Ctrl-D, <c>exit</c>, <c>quit</c> or the end of the script: 0 on a terminal; piped, the last failed command's status.</summary>
    public async Task<int> RunAsync(CommandConnection connection)
    {
        _connection = connection;
        _welcome = connection.Welcome;
        var terminal = !Console.IsInputRedirected && !Console.IsOutputRedirected;
        ILineSource lines = terminal
            ? new LineEditor(Prompt, CommandHistory.ForUser(), (line, cursor) => PaletteCompleter.Complete(_welcome.Palettes, PromptCommands, line, cursor))
            : new PipedLines(Console.In);
        if (terminal)
        {
            Console.WriteLine($"connected to {_welcome.Node}: help lists the commands, Tab completes, Ctrl-D leaves");
        }
        var status = 0;
        try
        {
            while (lines.ReadLine() is { } line)
            {
                var split = CommandLineWords.Split(line);
                if (split.Words.Count > 0 && split.Words[0] is "exit" or "quit")
                {
                    break;
                }
                var result = split.Unterminated ? Refuse("a quote is not closed") : split.Words.Count == 0 ? 0 : await ExecuteAsync(split.Words);
                status = result == 0 ? status : result;
            }
        }
        finally
        {
            if (_connection is not null)
            {
                await _connection.DisposeAsync();
            }
        }
        return terminal ? 0 : status;
    }

    private async Task<int> ExecuteAsync(IReadOnlyList<string> words)
    {
        if (words[0] == Help.Command)
        {
            return Help.Write(_welcome, words.Skip(1).ToList(), Console.Out, Console.Error);
        }
        if (_connection is null && await connect() is { } connection)
        {
            _connection = connection;
            _welcome = connection.Welcome;
            Console.Error.WriteLine($"actormesh-cmd: connected again to {_welcome.Node}");
        }
        if (_connection is null)
        {
            return 1;
        }
        ICommandRenderer renderer = options.Json ? new JsonRenderer(Console.Out) : new TableRenderer(Console.Out, Console.Error, TableRenderer.TerminalWidth());
        var cancel = interrupts.CommandStarted();
        try
        {
            return await CommandRunner.RunAsync(_connection, ++_lastId, words, renderer, Console.Error, cancel);
        }
        catch (Exception e) when (e is SocketException or IOException or InvalidDataException or CommandConnectionException)
        {
            Console.Error.WriteLine($"actormesh-cmd: {options.Endpoint}: {e.Message} (the next command connects again)");
            await _connection.DisposeAsync();
            _connection = null;
            return 1;
        }
        finally
        {
            interrupts.CommandEnded();
        }
    }

    private static int Refuse(string error)
    {
        Console.Error.WriteLine("actormesh-cmd: " + error);
        return CommandRunner.UsageStatus;
    }
}
