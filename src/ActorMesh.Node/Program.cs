using ActorMesh.Admin;
using ActorMesh.Commands;
using ActorMesh.Config;
using ActorMesh.Hosting;
using ActorMesh.Listeners;
using ActorMesh.Mesh;
using ActorMesh.Node;
using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Configuration;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

RuntimeSettings.PreferInlineSocketCompletions();

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
// Checked before anything binds: a command host on a non-loopback address without a token is refused outright.
var cmdSettings = CommandHostSettings.Resolve(hocon, options.CmdHost, options.CmdPort, options.CmdTokenFile, Environment.GetEnvironmentVariable, out var cmdError);
if (cmdSettings is null)
{
    Console.Error.WriteLine("actormesh: " + cmdError);
    return 1;
}
var seeds = SeedNodes.Resolve(options, Environment.GetEnvironmentVariable, hocon);
Akka.Remote.Transport.DotNetty.DotNettySslSetup? tls;
try
{
    tls = RemotingTlsSource.Resolve(options, Environment.GetEnvironmentVariable, hocon) is { } tlsOptions ? RemotingTls.Setup(tlsOptions) : null;
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or InvalidOperationException)
{
    Console.Error.WriteLine("actormesh: remoting TLS: " + e.Message);
    return 1;
}
// A mesh node stores and replicates its versions; a node with neither seeds nor a data directory runs standalone.
var meshMode = seeds.Count > 0 || options.DataDir is not null;
var overrides = new NodeOverrides(
    options.AdminAddress is { } admin && CommandLine.TryParseHostPort(admin, out var adminHost, out var adminPort) ? new SocketAddressConfig(adminHost, adminPort) : null,
    options.BindAddress);
var nodeHocon = ConfigurationFactory.ParseString($"""
    akka.loglevel = {options.AkkaLogLevel}
    akka.stdout-loglevel = {options.AkkaLogLevel}
    akka.remote.dot-netty.tcp.hostname = "{options.ClusterHost}"
    akka.remote.dot-netty.tcp.port = {options.ClusterPort}
    {(options.PublicHostname is { } publicHost ? $"akka.remote.dot-netty.tcp.public-hostname = \"{publicHost}\"" : "")}
    """).WithFallback(hocon).WithFallback(MeshSettings.Hocon);
if (tls is not null)
{
    nodeHocon = RemotingTls.Hocon.WithFallback(nodeHocon);
}
if (meshMode)
{
    nodeHocon = nodeHocon.WithFallback(ConfigStorePersistence.ForNode(hocon, options.DataDir ?? Path.Combine(Environment.CurrentDirectory, "data")));
}
var appVersion = typeof(CommandLine).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
var builder = Host.CreateApplicationBuilder(Array.Empty<string>());
builder.Logging.ClearProviders();
builder.Services.AddAkka("actormesh", akka =>
{
    akka.AddHocon(nodeHocon, HoconAddMode.Replace);
    if (tls is not null)
    {
        akka.AddSetup(tls);
    }
    // Seeds, app-version and the split brain resolver (keep-majority, as actormesh.hocon says) through Akka.Hosting.
    akka.WithClustering(new ClusterOptions { SeedNodes = seeds.ToArray(), AppVersion = appVersion, SplitBrainResolver = new KeepMajorityOption() });
});
using var host = builder.Build();
await host.StartAsync();

var system = host.Services.GetRequiredService<ActorSystem>();
if (seeds.Count == 0)
{
    // No seeds: the node forms a cluster of one by joining itself.
    var cluster = Akka.Cluster.Cluster.Get(system);
    cluster.Join(cluster.SelfAddress);
}
ConfigFileWatcher? watcher = null;
try
{
    var edge = system.Settings.Config.GetString("actormesh.listener.socket-edge", "socket") == "akka-io" ? SocketEdge.AkkaIo : SocketEdge.Socket;
    var serverOptions = new ServerOptions
    {
        DrainTime = options.DrainTime,
        SocketEdge = edge,
        ConfigPath = options.ConfigPath,
        LogLevel = options.LogLevel,
        ConfigSource = options.ConfigPath is null ? "bootstrap" : "file",
        LocalOverrides = overrides,
    };
    ActorMeshServer server;
    IConfigAuthority? authority = null;
    MeshNode? meshNode = null;
    if (meshMode)
    {
        var fileYaml = options.ConfigPath is null ? null : File.ReadAllText(options.ConfigPath);
        var mesh = await MeshNode.StartAsync(system, new MeshNodeOptions
        {
            FirstStartYaml = fileYaml,
            Bootstrap = fileYaml is null ? NodeBootstrap.Bare(overrides) : NodeBootstrap.FromFile(fileYaml, overrides),
            Server = serverOptions,
            // Each node's SQLite file keeps a copy of the history; PostgreSQL is one history for all.
            KeepLocalHistory = ConfigStorePersistence.PostgresConnectionString(hocon, Environment.GetEnvironmentVariable) is null,
        });
        server = mesh.Server;
        authority = mesh.Authority;
        meshNode = mesh;
        Console.WriteLine($"actormesh: mesh node {Akka.Cluster.Cluster.Get(system).SelfAddress} serving config version {server.Served.Status.VersionInfo}");
    }
    else
    {
        server = await ActorMeshServer.StartAsync(system, overrides.Apply(loaded.Config!), serverOptions);
    }
    foreach (var (name, address) in server.ListenerAddresses)
    {
        Console.WriteLine($"actormesh: listener {name} on {address}");
    }
    if (server.AdminAddress is not null)
    {
        Console.WriteLine($"actormesh: admin on {server.AdminAddress}");
    }
    var commandHost = await CommandHost.StartAsync(new CommandNode(system, server) { Mesh = meshNode }, cmdSettings);
    if (commandHost.Address is not null)
    {
        Console.WriteLine($"actormesh: command host on {commandHost.Address}{(cmdSettings.Token is null ? "" : " (token required)")}");
    }
    ShutdownReport.Register(system, options.DrainTime, cluster: true);
    if (options.Watch)
    {
        watcher = new ConfigFileWatcher(options.ConfigPath!, server, overrides, authority);
        Console.WriteLine($"actormesh: watching {options.ConfigPath} (and SIGHUP) for new config versions");
    }
}
catch (Exception e) when (e is ListenerBindException or MeshStartException or CommandHostBindException or TimeoutException)
{
    Console.Error.WriteLine("actormesh: " + e.Message);
    await host.StopAsync();
    return 1;
}

await host.WaitForShutdownAsync();
watcher?.Dispose();
return 0;
