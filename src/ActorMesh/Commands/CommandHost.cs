using System.Net;
using ActorMesh.Commands.Palettes;
using ActorMesh.Hosting;
using ActorMesh.Listeners;
using Akka;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Tcp = Akka.Streams.Dsl.Tcp;

namespace ActorMesh.Commands;

/// <summary>A command host that could not bind; the node does not start.</summary>
public sealed class CommandHostBindException : Exception
{
    public CommandHostBindException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>
/// The node's command host (our Petabridge.Cmd): a TCP endpoint speaking the protocol of
/// <see cref="Protocol.CommandFrames"/>, serving the palettes of this node. It stops accepting when the node's
/// shutdown reaches its service-stop phase, after the drain, so a console can watch a node drain.
/// </summary>
public sealed class CommandHost
{
    private const int Backlog = 16;
    private static readonly TimeSpan UnbindTimeout = TimeSpan.FromSeconds(5);

    private readonly Tcp.ServerBinding? _binding;
    private readonly IActorRef? _actor;

    private CommandHost(Tcp.ServerBinding? binding, IActorRef? actor, CommandRegistry registry)
    {
        _binding = binding;
        _actor = actor;
        Registry = registry;
    }

    /// <summary>Where the host listens (the bound port when the settings say 0); null when it is disabled.</summary>
    public EndPoint? Address => _binding?.LocalAddress;

    public CommandRegistry Registry { get; }

    /// <summary>The palettes this node serves: cluster (when the system runs the cluster provider), mesh, config, node, log.</summary>
    public static IEnumerable<CommandModule> Modules(CommandNode node, CommandHostSettings settings)
    {
        if (node.Cluster is { } cluster)
        {
            yield return ClusterCommands.Module(node, cluster);
        }
        yield return MeshCommands.Module(node, settings);
        yield return ConfigCommands.Module(node, settings);
        yield return NodeCommands.Node(node);
        yield return NodeCommands.Log(node);
    }

    /// <summary>
    /// Starts the node's <see cref="NodeStatsActor"/> (every node answers cluster-wide stats, host or not) and, when
    /// enabled, binds the host.
    /// </summary>
    /// <exception cref="CommandHostBindException">The address cannot be bound.</exception>
    public static async Task<CommandHost> StartAsync(CommandNode node, CommandHostSettings settings)
    {
        var system = node.System;
        system.ActorOf(NodeStatsActor.Props(node.Server.Stats, node.Address), NodeStatsActor.Name);
        var registry = new CommandRegistry(Modules(node, settings));
        if (!settings.Enabled)
        {
            return new CommandHost(null, null, registry);
        }
        var actor = system.ActorOf(CommandHostActor.Props(registry, settings, node.Address), ActorNames.Unique("cmd-host"));
        Tcp.ServerBinding binding;
        try
        {
            binding = await TcpBindSource.Create(system, new IPEndPoint(settings.Host, settings.Port), Backlog, null, UnbindTimeout, halfClose: false)
                .ToMaterialized(Sink.ForEach<Tcp.IncomingConnection>(c => actor.Tell(c)), Keep.Left)
                .Run(system.Materializer());
        }
        catch (Exception e)
        {
            system.Stop(actor);
            throw new CommandHostBindException($"command host: cannot bind {new IPEndPoint(settings.Host, settings.Port)}: {e.GetBaseException().Message}", e);
        }
        var host = new CommandHost(binding, actor, registry);
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceStop, "actormesh-stop-command-host", async () =>
        {
            await host.StopAsync();
            return Done.Instance;
        });
        return host;
    }

    /// <summary>Stops accepting and closes every console connection.</summary>
    public async Task StopAsync()
    {
        if (_binding is { } binding)
        {
            try
            {
                await binding.Unbind().WaitAsync(UnbindTimeout);
            }
            catch (Exception e) when (e is TimeoutException or InvalidOperationException)
            {
                // Already unbound, or the system is going down with it.
            }
        }
        _actor?.Tell(PoisonPill.Instance);
    }
}
