using System.Net.Sockets;
using ActorMesh.Cmd;

var options = ClientOptions.Parse(args, out var usageError);
if (options is null)
{
    if (usageError!.Length > 0)
    {
        Console.Error.WriteLine("actormesh-cmd: " + usageError);
    }
    Console.Error.WriteLine(ClientOptions.Usage);
    return usageError.Length > 0 ? OneShot.UsageStatus : 0;
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

CommandConnection connection;
try
{
    connection = await CommandConnection.ConnectAsync(options.Host, options.Port, token, TimeSpan.FromSeconds(10));
}
catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or InvalidDataException or CommandConnectionException)
{
    Console.Error.WriteLine($"actormesh-cmd: {options.Host}:{options.Port}: {(e is OperationCanceledException ? "no answer in time" : e.Message)}");
    return 1;
}

await using (connection)
{
    if (options.Command.Count == 0)
    {
        OneShot.ListCommands(connection.Welcome, Console.Out);
        return 0;
    }
    ICommandRenderer renderer = options.Json ? new JsonRenderer(Console.Out) : new TableRenderer(Console.Out, Console.Error, TableRenderer.TerminalWidth());
    try
    {
        return await OneShot.RunAsync(connection, options.Command, renderer, Console.Error);
    }
    catch (Exception e) when (e is SocketException or IOException or InvalidDataException or CommandConnectionException)
    {
        Console.Error.WriteLine($"actormesh-cmd: {options.Host}:{options.Port}: {e.Message}");
        return 1;
    }
}
