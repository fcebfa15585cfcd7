using System.Net.Sockets;
using ActorMesh.Cmd;
using ActorMesh.Cmd.Prompt;

var options = ClientOptions.Parse(args, out var usageError);
if (options is null)
{
    if (usageError!.Length > 0)
    {
        Console.Error.WriteLine("actormesh-cmd: " + usageError);
    }
    Console.Error.WriteLine(ClientOptions.Usage);
    return usageError.Length > 0 ? CommandRunner.UsageStatus : 0;
}

string? token;
try
{
    token = options.Token(Environment.GetEnvironmentVariable);
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"actormesh-cmd: cannot read the token file: {e.Message}");
    return 1;
}

using var interrupts = new Interrupts();
var connection = await ConnectAsync();
if (connection is null)
{
    return 1;
}
if (options.Command.Count == 0)
{
    return await new PromptSession(options, ConnectAsync, interrupts).RunAsync(connection);
}
await using (connection)
{
    if (options.Command[0] == Help.Command)
    {
        return Help.Write(connection.Welcome, options.Command.Skip(1).ToList(), Console.Out, Console.Error);
    }
    ICommandRenderer renderer = options.Json ? new JsonRenderer(Console.Out) : new TableRenderer(Console.Out, Console.Error, TableRenderer.TerminalWidth());
    try
    {
        return await CommandRunner.RunAsync(connection, 1, options.Command, renderer, Console.Error, interrupts.CommandStarted());
    }
    catch (Exception e) when (e is SocketException or IOException or InvalidDataException or CommandConnectionException)
    {
        Console.Error.WriteLine($"actormesh-cmd: {options.Endpoint}: {e.Message}");
        return 1;
    }
}

async Task<CommandConnection?> ConnectAsync()
{
    try
    {
        return await CommandConnection.ConnectAsync(options.Host, options.Port, token, TimeSpan.FromSeconds(10));
    }
    catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or InvalidDataException or CommandConnectionException)
    {
        Console.Error.WriteLine($"actormesh-cmd: {options.Endpoint}: {(e is OperationCanceledException ? "no answer in time" : e.Message)}");
        return null;
    }
}
