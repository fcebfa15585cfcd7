using ActorMesh.Config;
using ActorMesh.Hosting;
using ActorMesh.Listeners;
using ActorMesh.Node;
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var options = CommandLine.Parse(args, out var usageError);
if (usageError is not null)
{
    if (usageError.Length > 0)
    {
        Console.Error.WriteLine("actormesh: " + usageError);
    }
    Console.Error.WriteLine(CommandLine.Usage);
    return usageError.Length > 0 ? 1 : 0;
}

var loaded = options.ConfigPath is null ? ConfigLoader.LoadYaml(DemoConfig.Yaml) : ConfigLoader.LoadFile(options.ConfigPath);
var source = options.ConfigPath ?? "built-in demo config";
if (!loaded.IsValid)
{
    Console.Error.WriteLine($"actormesh: configuration '{source}' is invalid:");
    foreach (var error in loaded.Errors)
    {
        Console.Error.WriteLine("  " + error);
    }
    return 1;
}
if (options.Mode == RunMode.Validate)
{
    Console.WriteLine($"configuration '{source}' OK");
    return 0;
}

var hocon = ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "hocon", "actormesh.hocon")));
var builder = Host.CreateApplicationBuilder(Array.Empty<string>());
builder.Logging.ClearProviders();
builder.Services.AddAkka("actormesh", akka =>
{
    akka.AddHocon(
        ConfigurationFactory.ParseString($"""
            akka.loglevel = {options.AkkaLogLevel}
            akka.stdout-loglevel = {options.AkkaLogLevel}
            akka.remote.dot-netty.tcp.hostname = "{options.ClusterHost}"
            akka.remote.dot-netty.tcp.port = {options.ClusterPort}
            """).WithFallback(hocon),
        HoconAddMode.Replace);
});
using var host = builder.Build();
await host.StartAsync();

var system = host.Services.GetRequiredService<ActorSystem>();
// No seeds yet: the node forms a cluster of one by joining itself.
var cluster = Akka.Cluster.Cluster.Get(system);
cluster.Join(cluster.SelfAddress);
ConfigFileWatcher? watcher = null;
try
{
    var edge = system.Settings.Config.GetString("actormesh.listener.socket-edge", "socket") == "akka-io" ? SocketEdge.AkkaIo : SocketEdge.Socket;
    var server = await ActorMeshServer.StartAsync(system, loaded.Config!, new ServerOptions { DrainTime = options.DrainTime, SocketEdge = edge, ConfigPath = options.ConfigPath, LogLevel = options.LogLevel, ConfigSource = options.ConfigPath is null ? "bootstrap" : "file" });
    foreach (var (name, address) in server.ListenerAddresses)
    {
        Console.WriteLine($"actormesh: listener {name} on {address}");
    }
    if (server.AdminAddress is not null)
    {
        Console.WriteLine($"actormesh: admin on {server.AdminAddress}");
    }
    if (options.Watch)
    {
        watcher = new ConfigFileWatcher(options.ConfigPath!, server);
        Console.WriteLine($"actormesh: watching {options.ConfigPath} (and SIGHUP) for new config versions");
    }
}
catch (ListenerBindException e)
{
    Console.Error.WriteLine("actormesh: " + e.Message);
    await host.StopAsync();
    return 1;
}

await host.WaitForShutdownAsync();
watcher?.Dispose();
return 0;
