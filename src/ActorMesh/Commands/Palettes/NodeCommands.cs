using ActorMesh.Admin;
using ActorMesh.Hosting;
using static ActorMesh.Commands.Protocol.CommandArgument;

namespace ActorMesh.Commands.Palettes;

/// <summary>The <c>node</c> palette (this node's readiness and drain) and the <c>log</c> palette (its log level at run time).</summary>
internal static class NodeCommands
{
    public static CommandModule Node(CommandNode node) => new("node", "this node: drain, ready",
    [
        CommandHandler.FromTask(new("drain", "stops accepting on every listener and lets open connections finish (the admin's /drain_listeners?graceful); /ready turns DRAINING", []),
            (_, output, _) =>
            {
                var already = node.Server.State.Draining;
                node.Server.Control.DrainListeners(graceful: true, inboundOnly: false);
                output.Line(already ? "this node is draining already" : "draining: listeners stop accepting, open connections finish; /ready answers DRAINING");
                return Task.FromResult(0);
            }),
        CommandHandler.FromTask(new("ready", "the server state as /ready reports it; status 0 only when LIVE", []),
            (_, output, _) =>
            {
                var state = node.Server.State;
                output.Line(ServerInfoEndpoints.StateName(state.State) + (state.HealthCheckFailed ? " (health checks failed)" : ""));
                return Task.FromResult(state.State == ServerLifecycle.Live ? 0 : 1);
            }),
    ]);

    public static CommandModule Log(CommandNode node)
    {
        var logging = node.Logging;
        return new("log", "the node's log level at run time",
        [
            CommandHandler.FromTask(new("level", "sets LOGGER's level (default: every logger), as the admin's /logging does",
                    [
                        Positional("logger", "a logger", required: false) with { AllowedValues = logging.Loggers.Select(l => l.Key).ToArray() },
                        Positional("level", "the level") with { AllowedValues = ["trace", "debug", "info", "warning", "error", "critical"] },
                    ]),
                (request, output, _) =>
                {
                    if (!logging.TrySetLevel(request.Get("logger"), request.Get("level")!))
                    {
                        output.Error($"cannot set level {request.Get("level")}");
                        return Task.FromResult(1);
                    }
                    foreach (var (name, level) in logging.Loggers)
                    {
                        output.Line($"{name}: {level}");
                    }
                    return Task.FromResult(0);
                }),
        ]);
    }
}
